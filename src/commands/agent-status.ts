// What `status` says an agent is doing: the watchdog's structured status when it is fresh, the
// parked marker (authoritative even with no watchdog), or what tmux alone can tell. Pure.
import type { AgentStatus, Evidence } from "../state/watchdog-state.js";
import type { ParkedMarker } from "../state/parked.js";
import { ago as age } from "./watchdog-health.js";

export interface StatusJson {
  state: AgentStatus["state"];
  reason: string;
  /** ISO time the state began (absent when nobody knows). */
  since?: string;
  /** ISO time it is expected to end, when known. */
  until?: string;
  detail?: string;
  /** What the screen and the agent's own record said, and which one decided. */
  evidence?: Evidence;
  /** The two have disagreed past drift_after (a detection-drift event was logged). */
  drift?: boolean;
}

export interface StatusInputs {
  now: number;
  enabled: boolean;
  /** The session exists on the tmux server. */
  running: boolean;
  parked?: ParkedMarker;
  /** The watchdog's last status for this agent, and whether its heartbeat is recent. */
  watchdog?: AgentStatus;
  watchdogFresh: boolean;
}

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined || !Number.isFinite(ms) || ms <= 0 ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function agentStatus(i: StatusInputs): StatusJson {
  if (i.parked) return { state: "parked", reason: i.parked.reason, since: i.parked.at && iso(Date.parse(i.parked.at)) };
  const wd = i.watchdogFresh ? i.watchdog : undefined;
  if (wd && (i.running || wd.state === "done" || wd.state === "restarting")) {
    const out: StatusJson = { state: wd.state, reason: wd.reason, since: iso(wd.since) };
    if (wd.until !== undefined) out.until = iso(wd.until);
    if (wd.detail !== undefined) out.detail = wd.detail;
    if (wd.evidence !== undefined) out.evidence = wd.evidence;
    if (wd.drift) out.drift = true;
    return out;
  }
  if (!i.running) return { state: "missing", reason: i.enabled ? "no tmux session" : "disabled; not started" };
  return { state: "unknown", reason: i.watchdogFresh ? "not observed yet" : "no fresh reading: the watchdog is not running" };
}

const ago = (s: StatusJson, now: number): string => (s.since ? `${Math.max(0, Math.round((now - Date.parse(s.since)) / 1000))}s` : "");

/** The DOING column: one short line. */
export function doingText(s: StatusJson, now: number): string {
  switch (s.state) {
    case "working":
    case "stalled":
    case "exited":
    case "done":
      return s.state;
    case "idle":
      return `idle ${ago(s, now)}`.trim();
    case "unknown":
      return s.reason.startsWith("no fresh reading") ? "-" : `unknown ${ago(s, now)}`.trim();
    case "waiting":
    case "limited":
      return s.until ? `${s.state} until ${s.until}` : s.state;
    case "restarting":
      return s.until ? `restarting after ${s.until} (${s.reason})` : `restarting: ${s.reason}`;
    case "parked":
      return `parked: ${s.reason}`;
    case "stuck":
      return `stuck: ${s.reason}`;
    case "dialog":
      return `needs attention: ${s.reason}`;
    case "fatal":
      return `fatal: ${s.detail ?? s.reason}`;
    case "missing":
      return "";
  }
}

/** A forensic record from the last hour, as `status` names it (JSON: a row's `last_record`). */
export interface RecentRecordJson {
  /** The record's file name (`agents why <agent>` shows it). */
  name: string;
  /** What the watchdog was about to do: "killed", "restarted", "parked", or a note ("detection-drift"). */
  event: string;
  /** ISO time it was saved. */
  at: string;
}

/** How far back `status` marks an agent with its last record. */
export const RECENT_RECORD_MS = 3600_000;

/** The DOING column's marker for a recent record: "† killed 12m ago — agents why a". */
export function recordMarker(agent: string, rec: RecentRecordJson, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(rec.at)) / 1000));
  return `† ${rec.event} ${age(s)} ago — agents why ${agent}`;
}
