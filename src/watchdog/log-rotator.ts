// Keeps every session log the fleet owns (agents, services, the watchdog's own) under
// log_max_bytes. It runs on its own timer, apart from the signal tick: a flood fills 50 MB in about
// two seconds, far inside any signal_interval. Each look stats the logs, asks planLogCheck (pure)
// what to rotate and when to look again, renames the rotated logs aside and re-points each one's
// pane pipe at a fresh live log. One node timer in the watchdog instead of a rotator per pane.
// The same looks cap the agents' signal files (state/signal-files.ts): a rename is all they need.
import type { Fleet } from "../config/load.js";
import type { EventLog } from "../log.js";
import { sessionLogFile } from "../state/paths.js";
import { rotateSessionLog, sessionLogSize } from "../state/session-logs.js";
import { agentSignalFiles, rotateSignalFile, signalFileSize, SIGNAL_MAX_BYTES } from "../state/signal-files.js";
import type { Tmux } from "../tmux/tmux.js";
import { MAX_CHECK_MS, planLogCheck, type LogSeen } from "./log-cap.js";

export interface LogRotatorDeps {
  /** The config in force now (a reload replaces it). */
  fleet: () => Fleet;
  tmux: Tmux;
  log: EventLog;
  /** Log what would be rotated, rotate nothing. */
  dryRun?: boolean;
  now?: () => number;
  /** The signal files' cap (default SIGNAL_MAX_BYTES). */
  signalMaxBytes?: number;
}

/**
 * Signal files grow by a line per hook or status refresh (~1 KiB every few seconds: hours to the
 * cap), so they are looked at this often, not at a flooding log's pace (two stats per agent a look
 * were a measurable part of a busy fleet's tick).
 */
const SIGNAL_CHECK_MS = 30_000;

/** A flood rotates a log every few seconds: one event per log per minute, counting the rest. */
const REPORT_EVERY_MS = 60_000;

/** Who owns each session log, by session: the name events carry. */
function logOwners(fleet: Fleet): Map<string, string> {
  const owners = new Map<string, string>();
  // Disabled agents too: a session started before it was disabled still writes its log.
  for (const a of fleet.agents) owners.set(a.session, a.name);
  for (const s of fleet.services) owners.set(s.session, s.name);
  owners.set(fleet.watchdogSession, "watchdog");
  return owners;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export class LogRotator {
  private seen = new Map<string, LogSeen>();
  /** Sessions whose old pipe still writes into a rotated file: re-pointed again at the next look. */
  private readonly repipe = new Set<string>();
  private readonly reported = new Map<string, { at: number; skipped: number }>();
  private signalsAt = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly deps: LogRotatorDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.schedule(0);
  }

  /** No look starts after this, and the one under way (with its tmux calls) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      // The plan counts from the sizes it read: a look slowed by tmux (busy with the very flood it
      // rotates) must not push the next one later.
      const started = Date.now();
      this.running = this.check().then((next) => this.schedule(Math.max(0, next - (Date.now() - started))));
    }, ms);
    // The watchdog's loop keeps the process alive; this timer never should.
    this.timer.unref();
  }

  /** One look: rotate what needs it. Returns when to look again (ms from the look's start). Never throws. */
  async check(): Promise<number> {
    try {
      const fleet = this.deps.fleet();
      const owners = logOwners(fleet);
      for (const session of [...this.repipe]) await this.pointPipe(fleet, session, owners.get(session) ?? session);
      const sizes = new Map([...owners.keys()].map((s) => [s, sessionLogSize(fleet, s)] as const));
      const now = this.now();
      const plan = planLogCheck({ now, maxBytes: fleet.logMaxBytes, sizes, seen: this.seen });
      this.seen = plan.seen;
      for (const session of plan.rotate) await this.rotate(fleet, session, owners.get(session)!, sizes.get(session)!);
      if (now >= this.signalsAt) {
        this.capSignalFiles(fleet);
        this.signalsAt = now + SIGNAL_CHECK_MS;
      }
      return plan.nextCheckMs;
    } catch (err) {
      this.report("error", { action: "log-check-failed", reason: (err as Error).message });
      return MAX_CHECK_MS;
    }
  }

  private async rotate(fleet: Fleet, session: string, name: string, size: number): Promise<void> {
    const what = `${session}.log at ${mb(size)} (log_max_bytes ${mb(fleet.logMaxBytes)})`;
    if (this.deps.dryRun) {
      this.report("info", { agent: name, action: "would-rotate-log", reason: what });
      return;
    }
    try {
      if (!rotateSessionLog(fleet, session, fleet.logKeep)) return;
    } catch (err) {
      this.report("error", { agent: name, action: "log-rotate-failed", reason: `${what}: ${(err as Error).message}` });
      return;
    }
    this.report("info", { agent: name, action: "log-rotated", reason: `${what}; moved to .1, keeping ${fleet.logKeep}` });
    await this.pointPipe(fleet, session, name);
  }

  /**
   * Rotate every agent's signal file that reached its cap. They grow by a line per hook or status
   * refresh, far slower than a pane floods its log, so a look every SIGNAL_CHECK_MS is enough.
   */
  private capSignalFiles(fleet: Fleet): void {
    const max = this.deps.signalMaxBytes ?? SIGNAL_MAX_BYTES;
    for (const a of fleet.agents) {
      for (const file of agentSignalFiles(fleet, a.name)) {
        const size = signalFileSize(file);
        if (size < max) continue;
        const what = `${file} at ${mb(size)} (cap ${mb(max)})`;
        if (this.deps.dryRun) {
          this.report("info", { agent: a.name, action: "would-rotate-signals", reason: what });
          continue;
        }
        try {
          if (rotateSignalFile(file)) this.report("info", { agent: a.name, action: "signals-rotated", reason: `${what}; moved to .1` });
        } catch (err) {
          this.report("error", { agent: a.name, action: "signals-rotate-failed", reason: `${what}: ${(err as Error).message}` });
        }
      }
    }
  }

  /** Start the pane's pipe afresh into the live log path. A session that is gone needs nothing. */
  private async pointPipe(fleet: Fleet, session: string, name: string): Promise<void> {
    const r = await this.deps.tmux.repipeToFile(session, sessionLogFile(fleet, session));
    if (r.code === 0 || !(await this.deps.tmux.hasSession(session))) {
      this.repipe.delete(session);
      return;
    }
    // Until this succeeds the pane keeps appending to the rotated file, which nothing caps.
    this.repipe.add(session);
    this.report("error", {
      agent: name,
      action: "log-repipe-failed",
      reason: `${r.stderr.trim() || `exit ${r.code}`}; the pane still writes the rotated ${session}.log.1, retrying`,
    });
  }

  /** Log an event, at most once per REPORT_EVERY_MS per member and action; the next one counts those skipped. */
  private report(level: "info" | "error", fields: { agent?: string; action: string; reason: string }): void {
    const now = this.now();
    const key = `${fields.agent ?? ""}\0${fields.action}`;
    const last = this.reported.get(key);
    if (last && now - last.at < REPORT_EVERY_MS) {
      last.skipped++;
      return;
    }
    const more = last?.skipped ? ` (${last.skipped} more since the last report)` : "";
    this.reported.set(key, { at: now, skipped: 0 });
    this.deps.log.event(level, { ...fields, reason: fields.reason + more });
  }
}
