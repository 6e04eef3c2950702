// `agents status`: one batched tmux query plus the watchdog's own view of each agent. Reads only:
// the cached config (no zod on this path), the state files, and one `tmux list-panes`.
import { openFleetCached, type Ctx } from "./context.js";
import type { Args } from "./table.js";
import { phaseDone, readPhaseIndex, sequenceComplete } from "../state/phase.js";
import { agentModel } from "../fleet/model.js";
import { deadHolderOf, holderOf } from "../state/lock.js";
import { healthLine, watchdogHealth, type WatchdogHealth } from "./watchdog-health.js";
import { readParked } from "../state/parked.js";
import { watchdogLockFile } from "../state/paths.js";
import { readWatchdogState } from "../state/watchdog-state.js";
import { readSessionId } from "../state/session-id.js";
import { probeLogDir, type LogDirHealth } from "../state/health.js";
import { agentStatus, doingText, RECENT_RECORD_MS, recordMarker, type RecentRecordJson, type StatusJson } from "./agent-status.js";
import { listRecords } from "../state/records.js";
import { accountsLine, accountsOf, type AccountJson } from "./accounts.js";
import { notifyLines, notifyStatus, type NotifySinkStatus } from "../notify/status.js";

export async function run(inv: Args<"status">): Promise<number> {
  return status(await openFleetCached(inv.opts.config, inv.io), inv.opts.json);
}

export interface StatusRow {
  name: string;
  kind: string;
  backend: string;
  model: string;
  watch: string;
  session: string;
  state: "running" | "stopped" | "exited" | "disabled";
  command?: string;
  /** Agents only: what the agent is doing, as a closed state with its reason and times. */
  status?: StatusJson;
  doing: string;
  /** Agents only, when known: the conversation the agent runs (pinned at launch or read from its record). */
  session_id?: string;
  /** Agents with a signal tap, when their record says: spend so far, context window used, tokens. */
  cost_usd?: number;
  context_pct?: number;
  tokens?: { input?: number; output?: number; total?: number };
  /** Agents only: the account whose usage limits it shares (issue 11 item 4). */
  account?: string;
  /** Agents only: the newest forensic record from the last hour (`agents why <name>`), else null. */
  last_record?: RecentRecordJson | null;
}

export interface StatusReport {
  phase?: { id: string; index: number; count: number; plan: string; done: boolean; sequenceComplete: boolean };
  rows: StatusRow[];
  /** Agents grouped by account: usage, reset, and whether the watchdog holds it for a limit. */
  accounts: AccountJson[];
  /** Can log_dir be written? Probed without writing; anything but ok is shown loudly. */
  logDir: LogDirHealth;
  /** [notify] sinks (redacted) and their delivery health; absent without [notify] sinks. */
  notify?: NotifySinkStatus[];
  watchdog: {
    running: boolean;
    heartbeatAgeS?: number;
    pid?: number;
    configError?: string;
    lastTickMs?: number;
    /**
     * "session": in its tmux session; "detached": its tmux server died and it carried on outside
     * tmux; "foreground": started outside tmux (`agents service run`, or `agents watchdog` by hand).
     */
    mode?: "session" | "detached" | "foreground";
    /** ok (ticking or starting), stale (alive, heartbeat too old), dead (died without stopping), stopped. */
    health: WatchdogHealth;
    /** health is "stale": a live pid that supervises nothing. */
    stale: boolean;
    /** With health "dead": the pid named by the lock it left. */
    deadPid?: number;
    /** Seconds since its last sign of life: the heartbeat, or taking the lock when that is later. */
    silentS?: number;
  };
}

export async function collectStatus(ctx: Ctx): Promise<StatusReport> {
  const { fleet, tmux } = ctx;
  const panes = new Map((await tmux.listPanes()).map((p) => [p.session, p]));
  const wd = readWatchdogState(fleet);
  const parked = readParked(fleet);
  const lockHolder = holderOf(watchdogLockFile(fleet));
  // Running means a live process holds the lock. A live session without one is a watchdog still
  // starting (`up` waits 10 s for it); past 30 s it supervises nothing, and a dead pane never does.
  const wdPane = panes.get(fleet.watchdogSession);
  const wdStarting = wdPane !== undefined && !wdPane.dead && Date.now() - wdPane.created * 1000 < 30_000;
  const wdRunning = lockHolder !== undefined || wdStarting;
  const now = Date.now();
  const idx = readPhaseIndex(fleet);
  // A heartbeat older than this: the watchdog's status of the agents is stale, and so is a live watchdog.
  const staleAfterMs = (fleet.watchdog.signal_interval * 3 + 15) * 1000;
  const fresh = wd.heartbeat !== undefined && wdRunning && now - wd.heartbeat < staleAfterMs;
  const deadHolder = lockHolder ? undefined : deadHolderOf(watchdogLockFile(fleet));
  const health = watchdogHealth({
    now,
    holder: lockHolder && { pid: lockHolder.pid, since: Date.parse(lockHolder.since) || 0 },
    starting: wdStarting,
    heartbeat: wd.heartbeat,
    staleAfterMs,
    deadHolder,
    orphanSession: wdPane !== undefined && !wdRunning,
  });
  const rows: StatusRow[] = fleet.agents.map((a) => {
    const pane = panes.get(a.session);
    const state = pane ? (pane.dead ? "exited" : "running") : a.enabled ? "stopped" : "disabled";
    const st = agentStatus({
      now,
      enabled: a.enabled,
      running: pane !== undefined,
      parked: parked.get(a.name),
      watchdog: wd.agents[a.name]?.status,
      watchdogFresh: fresh,
    });
    const row: StatusRow = {
      name: a.name,
      kind: a.kind,
      backend: a.backendName,
      model: agentModel(fleet, a, idx) || "default",
      watch: a.watch,
      session: a.session,
      state,
      command: pane?.command,
      status: st,
      doing: doingText(st, now),
      account: a.account,
    };
    // The record's own numbers, with whatever age they have: cost does not go stale like a state.
    const sig = wd.agents[a.name]?.signal;
    const sessionId = sig?.sessionId ?? readSessionId(fleet, a.name);
    if (sessionId) row.session_id = sessionId;
    if (sig?.costUsd !== undefined) row.cost_usd = sig.costUsd;
    if (sig?.contextPct !== undefined) row.context_pct = sig.contextPct;
    if (sig?.tokens !== undefined) row.tokens = sig.tokens;
    const rec = listRecords(fleet, a.name, now - RECENT_RECORD_MS, 1)[0];
    row.last_record = rec ? { name: rec.name, event: rec.event, at: new Date(rec.at).toISOString() } : null;
    return row;
  });
  for (const s of fleet.services) {
    const pane = panes.get(s.session);
    rows.push({
      name: s.name,
      kind: "service",
      backend: "-",
      model: "-",
      watch: "-",
      session: s.session,
      state: pane ? (pane.dead ? "exited" : "running") : s.enabled ? "stopped" : "disabled",
      command: pane?.command,
      doing: "",
    });
  }
  const phases = fleet.loop.phases;
  const ph = phases[idx];
  return {
    phase: ph
      ? { id: ph.id, index: idx, count: phases.length, plan: ph.plan, done: phaseDone(fleet, ph), sequenceComplete: sequenceComplete(fleet) }
      : undefined,
    rows,
    accounts: accountsOf(
      fleet.agents,
      Object.fromEntries(fleet.agents.map((a) => [a.name, wd.agents[a.name]?.signal])),
      fresh ? wd.accounts : undefined,
    ),
    logDir: probeLogDir(fleet.logDir),
    ...(fleet.notify ? { notify: notifyStatus(fleet) } : {}),
    watchdog: {
      running: wdRunning,
      heartbeatAgeS: wd.heartbeat !== undefined ? Math.round((now - wd.heartbeat) / 1000) : undefined,
      pid: lockHolder?.pid,
      configError: wdRunning ? wd.configError : undefined,
      lastTickMs: wd.lastTickMs,
      mode: wdRunning ? (wd.detachedSince !== undefined ? "detached" : wdPane ? "session" : "foreground") : undefined,
      health: health.health,
      stale: health.health === "stale",
      deadPid: deadHolder?.pid,
      silentS: health.silentS,
    },
  };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

export async function status(ctx: Ctx, json: boolean): Promise<number> {
  const report = await collectStatus(ctx);
  if (json) {
    ctx.io.out(JSON.stringify(report, null, 2));
    return 0;
  }
  const p = report.phase;
  if (p) {
    const state = p.sequenceComplete ? "sequence complete" : p.done ? "done" : "in progress";
    ctx.io.out(`phase ${p.id} [${p.index + 1}/${p.count}]${p.plan ? ` plan=${p.plan}` : ""} (${state})`);
  }
  const w = report.watchdog;
  const loud = healthLine(w);
  if (loud) ctx.io.out(loud);
  const disk = logDirLine(report);
  if (disk) ctx.io.out(disk);
  const acct = accountsLine(report.accounts);
  if (acct) ctx.io.out(acct);
  for (const l of notifyLines(report.notify)) ctx.io.out(l);
  const wdState = w.health === "stale" || w.health === "dead" ? w.health.toUpperCase() : w.running ? "running" : "stopped";
  const wdDoing = w.running
    ? w.heartbeatAgeS !== undefined
      ? `heartbeat ${w.heartbeatAgeS}s ago${w.mode === "detached" ? "; outside tmux (its tmux server died; stop it with `agents down`)" : w.mode === "foreground" ? "; outside tmux (the service, or `agents watchdog`)" : ""}${w.configError ? `; CONFIG ERROR (using last good): ${w.configError}` : ""}`
      : "starting"
    : "";
  // COST and CTX only when some agent's record reports them (a fleet without taps keeps its table).
  const money = report.rows.some((r) => r.cost_usd !== undefined || r.context_pct !== undefined);
  const extra = (r: StatusRow): string[] =>
    money ? [r.cost_usd !== undefined ? `$${r.cost_usd.toFixed(2)}` : "-", r.context_pct !== undefined ? `${Math.round(r.context_pct)}%` : "-"] : [];
  const doing = (r: StatusRow): string => {
    const d = r.status?.drift ? `${r.doing} [drift]` : r.doing;
    return r.last_record ? `${d} ${recordMarker(r.name, r.last_record, Date.now())}`.trim() : d;
  };
  const lines = table([
    ["NAME", "KIND", "BACKEND", "MODEL", "WATCH", "SESSION", ...(money ? ["COST", "CTX"] : []), "DOING"],
    ...report.rows.map((r) => [r.name, r.kind, r.backend, r.model, r.watch, r.state, ...extra(r), doing(r)]),
    ["watchdog", "watchdog", "-", "-", "-", wdState, ...(money ? ["-", "-"] : []), wdDoing],
  ]);
  for (const l of lines) ctx.io.out(l);
  return 0;
}

const LOG_DIR_WORDS: Record<Exclude<LogDirHealth["state"], "ok">, [string, string]> = {
  full: ["FULL", "logs and state are not being written"],
  "read-only": ["READ-ONLY", "logs and state are not being written"],
  "not-a-directory": ["NOT A DIRECTORY", "logs and state cannot be written"],
  missing: ["MISSING", "it is recreated at the next write"],
};

/** The loud line about an unhealthy log_dir (none when ok, or missing before anything ever ran). */
export function logDirLine(report: Pick<StatusReport, "logDir" | "rows"> & { watchdog: Pick<StatusReport["watchdog"], "running"> }): string | undefined {
  const { state, path, detail } = report.logDir;
  if (state === "ok") return undefined;
  const anythingUp = report.watchdog.running || report.rows.some((r) => r.state === "running" || r.state === "exited");
  if (state === "missing" && !anythingUp) return undefined; // a fleet never started has no log_dir yet
  const [word, effect] = LOG_DIR_WORDS[state];
  const healing = report.watchdog.running ? "healing continues" : "no watchdog is running";
  return `log_dir: ${word} (${path}${detail && state === "read-only" ? `, ${detail}` : ""}): ${healing}; ${effect}`;
}
