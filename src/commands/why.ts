// `agents why <agent>`: why an agent is where it is. Its current watchdog status, its recent
// decisions with their reasons and evidence, and the last forensic record (what the screen showed
// before it was killed, restarted or parked). Reads only; times are shown in local time.
import { UserError } from "../errors.js";
import { openFleetCached } from "./context.js";
import type { Args } from "./table.js";
import { collectWhy, WHY_SCREEN_LINES, type WhyEvent, type WhyRecord, type WhyReport } from "./why-report.js";

export async function run(inv: Args<"why">): Promise<number> {
  const { fleet, io } = await openFleetCached(inv.opts.config, inv.io);
  const name = inv.args.agent;
  if (!fleet.agents.some((a) => a.name === name)) {
    const known = fleet.agents.map((a) => a.name).join(", ") || "none";
    throw new UserError(`${fleet.configPath}: no agent named "${name}" (agents: ${known})`);
  }
  const report = collectWhy(fleet, name);
  if (inv.opts.json) io.out(JSON.stringify(report, null, 2));
  else for (const l of renderWhy(report)) io.out(l);
  return 0;
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** `2026-12-02 10:04:05` in local time. */
export function localTime(at: string | number | undefined): string {
  const d = new Date(at ?? NaN);
  if (Number.isNaN(d.getTime())) return "?";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "42s", "12m", "3h", "2d" ago. */
export function ago(at: string | undefined, now: number): string {
  const ms = now - Date.parse(at ?? "");
  if (!Number.isFinite(ms)) return "?";
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172_800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;
}

const short = (v: unknown, max = 160): string => {
  const t = typeof v === "string" ? v : JSON.stringify(v);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

function eventLine(e: WhyEvent): string {
  const level = e.level === "info" ? "" : `${e.level.toUpperCase()} `;
  const extra = Object.entries(e.fields).map(([k, v]) => `${k}=${short(v)}`);
  if (e.record) extra.push(`record=${e.record}`);
  return `  ${localTime(e.time)}  ${level}${e.action}${e.reason ? ` — ${e.reason}` : ""}${extra.length ? `  [${extra.join(" ")}]` : ""}`;
}

export function paneText(p: WhyRecord["pane"]): string {
  if (!p) return "no pane (the session was already gone)";
  const how = p.deadStatus !== undefined ? ` (exit status ${p.deadStatus})` : p.deadSignal !== undefined ? ` (signal ${p.deadSignal})` : "";
  return `command ${p.command || "?"}, title ${JSON.stringify(p.title)}, ${p.dead ? `dead${how}` : "alive"}`;
}

export function renderWhy(r: WhyReport, now = Date.now()): string[] {
  const out: string[] = [];
  const st = r.status;
  out.push(
    st
      ? `${r.agent} (${r.session}): ${st.state}${st.since ? ` since ${localTime(st.since)}` : ""} — ${st.reason}${st.until ? ` (until ${localTime(st.until)})` : ""}`
      : `${r.agent} (${r.session}): no watchdog status yet`,
  );
  if (st?.detail) out.push(`  detail: ${st.detail}`);
  if (r.heartbeatAgeS !== undefined && r.heartbeatAgeS > 120) out.push(`  (the watchdog's last heartbeat was ${r.heartbeatAgeS}s ago: this status may be stale)`);
  out.push("", r.events.length ? `recent decisions (oldest first, ${r.events.length}):` : "recent decisions: none logged for this agent");
  for (const e of r.events) out.push(eventLine(e));
  out.push("");
  const rec = r.record;
  if (!rec) {
    out.push("last record: none (one is saved before each kill, restart or park)");
    return out;
  }
  out.push(`last record: ${rec.name}`);
  out.push(`  time:   ${localTime(rec.at)} (${ago(rec.at, now)} ago)`);
  out.push(`  event:  ${rec.event}`);
  out.push(`  reason: ${rec.reason}`);
  out.push(`  pane:   ${paneText(rec.pane)}`);
  if (rec.evidence) out.push(`  evidence: ${short(rec.evidence, 400)}`);
  out.push(`  file:   ${rec.file}`);
  out.push("", rec.screen.length ? `screen (last ${Math.min(WHY_SCREEN_LINES, rec.screen.length)} non-empty lines):` : "screen: not captured");
  for (const l of rec.screen) out.push(`  │ ${l}`);
  const log = rec.sessionLog;
  out.push("", log && log.lines.length ? `session log (${log.file}, last ${log.lines.length} lines):` : "session log: nothing saved");
  for (const l of log?.lines ?? []) out.push(`  │ ${l}`);
  return out;
}
