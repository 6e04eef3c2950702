// What `agents why <agent>` reports, as data: the agent's recent watchdog decisions with their
// reasons and evidence, its current watchdog status, and its last forensic record. The JSON form
// is this shape as is (documented in the README; fields are only ever added).
import type { Fleet } from "../config/load.js";
import { readRecentEvents, type LoggedEvent } from "../state/events-read.js";
import { readParked } from "../state/parked.js";
import { listRecords, readRecord, recordFile, type PaneSnapshot } from "../state/records.js";
import { readWatchdogState } from "../state/watchdog-state.js";

/** Decisions shown (the newest, oldest first). */
export const WHY_EVENTS = 20;
/** Non-empty lines shown from the end of the saved screen. */
export const WHY_SCREEN_LINES = 40;

export interface WhyEvent {
  /** ISO time the watchdog logged it. */
  time?: string;
  level: "info" | "warn" | "error" | "debug";
  action: string;
  reason?: string;
  /** The forensic record the event names, if any. */
  record?: string;
  /** Every other field the event carries (evidence, detail, keys, tries, ...). */
  fields: Record<string, unknown>;
}

export interface WhyRecord {
  /** The record's file name (the `record` field of its event). */
  name: string;
  /** The record's full path. */
  file: string;
  event: string;
  action?: string;
  /** ISO time it was taken. */
  at: string;
  reason: string;
  evidence?: Record<string, unknown>;
  /** null: there was no pane (the session was already gone). */
  pane: PaneSnapshot | null;
  /** The saved screen's last WHY_SCREEN_LINES non-empty lines (empty when none was captured). */
  screen: string[];
  sessionLog: { file: string; lines: string[] } | null;
}

export interface WhyReport {
  agent: string;
  session: string;
  /** The watchdog's status of the agent from its state file (a parked marker wins); null when none. */
  status: { state: string; reason: string; since?: string; until?: string; detail?: string } | null;
  /** Seconds since the watchdog's last heartbeat (absent when it never ran): a stale status shows here. */
  heartbeatAgeS?: number;
  /** The agent's last WHY_EVENTS events, oldest first. */
  events: WhyEvent[];
  /** The newest forensic record; null when there is none. */
  record: WhyRecord | null;
}

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined || !Number.isFinite(ms) || ms <= 0 ? undefined : new Date(ms).toISOString();

const LEVELS: Record<number, WhyEvent["level"]> = { 20: "debug", 30: "info", 40: "warn", 50: "error" };
const OWN = new Set(["time", "level", "agent", "action", "reason", "record", "msg", "pid", "hostname"]);

export function toWhyEvent(e: LoggedEvent): WhyEvent {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!OWN.has(k)) fields[k] = v;
  const out: WhyEvent = { level: LEVELS[e.level ?? 30] ?? "info", action: String(e.action ?? e.msg ?? ""), fields };
  if (typeof e.time === "string") out.time = e.time;
  if (typeof e.reason === "string") out.reason = e.reason;
  if (typeof e.record === "string") out.record = e.record;
  return out;
}

function lastRecord(fleet: Fleet, agent: string): WhyRecord | null {
  for (const ref of listRecords(fleet, agent, 0, 1)) {
    const rec = readRecord(fleet, ref.name);
    if (!rec) continue;
    const screen = (rec.screen ?? "")
      .split("\n")
      .map((l) => l.trimEnd())
      .filter((l) => l.trim() !== "");
    return {
      name: ref.name,
      file: recordFile(fleet, ref.name),
      event: rec.event,
      action: rec.action,
      at: iso(rec.at) ?? new Date(ref.at).toISOString(),
      reason: rec.reason,
      evidence: rec.evidence,
      pane: rec.pane ?? null,
      screen: screen.slice(-WHY_SCREEN_LINES),
      sessionLog: rec.sessionLog ?? null,
    };
  }
  return null;
}

export function collectWhy(fleet: Fleet, agent: string, now = Date.now()): WhyReport {
  const a = fleet.agents.find((x) => x.name === agent);
  if (!a) throw new Error(`no agent ${agent}`);
  const wd = readWatchdogState(fleet);
  const parked = readParked(fleet).get(agent);
  const st = wd.agents[agent]?.status;
  let status: WhyReport["status"] = null;
  if (parked) status = { state: "parked", reason: parked.reason, since: parked.at };
  else if (st) {
    status = { state: st.state, reason: st.reason, since: iso(st.since) };
    if (st.until !== undefined) status.until = iso(st.until);
    if (st.detail !== undefined) status.detail = st.detail;
  }
  const events = readRecentEvents(fleet)
    .filter((e) => e.agent === agent)
    .slice(-WHY_EVENTS)
    .map(toWhyEvent);
  const report: WhyReport = { agent, session: a.session, status, events, record: lastRecord(fleet, agent) };
  if (wd.heartbeat !== undefined) report.heartbeatAgeS = Math.max(0, Math.round((now - wd.heartbeat) / 1000));
  return report;
}
