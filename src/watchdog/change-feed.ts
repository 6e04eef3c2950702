// Which panes printed, without asking tmux: every agent's pane is piped into its session log, so
// one directory watch on log_dir (inotify) sees a pane print the moment it does, at no tmux cost.
// A pane whose output keeps flowing is busy by that alone and is captured only every
// FLOW_CAPTURE_MS. What it printed is read from the log itself (log-follow.ts) when it goes quiet
// for SETTLE_MS, and every FLOW_SCAN_MS while it flows, and tested against the backend's rules
// (stream-hint.ts): a usage-limit banner, a fatal line or a dialog has the pane captured at once;
// plain output only after PLAIN_SETTLE_MS of quiet; anything else (an idle prompt) once settled.
import { watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { compileRules, type CompiledRules } from "../detect/classify.js";
import type { DetectRules } from "../detect/types.js";
import { LogFollower } from "../state/log-follow.js";
import { SETTLE_MS, settleMsFor, streamHint, type StreamHint } from "./stream-hint.js";

export { SETTLE_MS, PLAIN_SETTLE_MS } from "./stream-hint.js";
/** A pane still printing is captured at most this often (its output is activity by itself). */
export const FLOW_CAPTURE_MS = 10_000;
/** The same while the pane's title says working (a spinner the backend's title_active_re reads). */
export const TITLE_FLOW_CAPTURE_MS = 30_000;
/** While a pane's output flows, its new bytes are tested this often (a banner in a stream that goes on). */
export const FLOW_SCAN_MS = 1_000;
/** A log dir that could not be watched is tried again this often. */
const RETRY_MS = 30_000;

/** What the feed knows of one pane's output, for captureDue. */
export interface StreamState {
  /** Quiet (ms) after which the pane is worth reading (settleMsFor its last output's hint). */
  settleMs: number;
  /** When its output last held a line to act on (a limit, fatal or dialog line). */
  actAt?: number;
}

/**
 * Pure: must a pane whose tmux activity changed be captured now? `lastWrite` is the last write
 * seen to its log (undefined: none seen, so nothing is known and it is captured as before).
 */
export function captureDue(
  now: number,
  lastWrite: number | undefined,
  capturedAt: number | undefined,
  maxAgeMs = FLOW_CAPTURE_MS,
  stream?: StreamState,
): boolean {
  if (lastWrite === undefined || capturedAt === undefined) return true;
  if (stream?.actAt !== undefined && stream.actAt >= capturedAt) return true;
  if (now - lastWrite >= (stream?.settleMs ?? SETTLE_MS)) return true;
  return now - capturedAt >= maxAgeMs;
}

/** One written-to pane, as the feed's timer sees it. */
export interface PaneFlow {
  lastWrite: number;
  /** Written since its bytes were last tested. */
  unscanned: boolean;
  /** When its bytes were last tested, or its flow began. */
  scannedAt: number;
  hint?: StreamHint;
  /** false: no rules to test its bytes with (it settles after SETTLE_MS, as before). */
  scannable: boolean;
}

/** Pure: test the pane's new bytes now? Once it is quiet for SETTLE_MS, and every FLOW_SCAN_MS while it flows. */
export function scanDue(now: number, f: PaneFlow): boolean {
  if (!f.scannable || !f.unscanned) return false;
  return now - f.lastWrite >= SETTLE_MS || now - f.scannedAt >= FLOW_SCAN_MS;
}

/** Pure: has the pane settled (a tick should read it), and if not, when to look at it again. */
export function settleOf(now: number, f: PaneFlow): { due: boolean; nextAt?: number } {
  const settleMs = f.scannable && !f.unscanned ? settleMsFor(f.hint) : SETTLE_MS;
  if (now - f.lastWrite >= settleMs && !scanDue(now, f)) return { due: true };
  let nextAt = f.lastWrite + settleMs;
  if (f.scannable && f.unscanned) nextAt = Math.min(nextAt, f.scannedAt + FLOW_SCAN_MS);
  return { due: false, nextAt: Math.max(nextAt, now) };
}

export interface ChangeFeedOptions {
  /** Something settled: a tick should read it. */
  onSettled: (sessions: string[]) => void;
  now?: () => number;
}

export class ChangeFeed {
  private watcher: FSWatcher | undefined;
  private dir: string | undefined;
  /** Log file name → session, for the sessions the fleet watches. */
  private files = new Map<string, string>();
  /** Session → its log file and compiled rules (no rules: its bytes are not tested). */
  private sessions = new Map<string, { file: string; rules?: CompiledRules }>();
  private readonly follower = new LogFollower();
  private readonly lastWrite = new Map<string, number>();
  /** Written to since they last settled. */
  private readonly dirty = new Map<string, PaneFlow>();
  /** Per session: the hint of its last tested output, and when it last held a line to act on. */
  private readonly hints = new Map<string, StreamHint>();
  private readonly actAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** After a failed watch (log_dir not made yet, inotify limits), when to try again. */
  private retryAt = 0;
  private reported = false;
  private trackedLogs: Map<string, string> | undefined;
  private trackedRules: ReadonlyMap<string, DetectRules> | undefined;

  constructor(private readonly opts: ChangeFeedOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * Watch `dir` for writes to these log files (a new dir replaces the watch); `rules` (session →
   * the agent's detect rules) lets the feed test what a pane printed. Returns an error message the
   * first time the directory cannot be watched (panes are then read on tmux's word alone); it is
   * tried again every RETRY_MS. The same maps as last time cost nothing.
   */
  track(dir: string, logs: Map<string, string>, rules?: ReadonlyMap<string, DetectRules>): string | undefined {
    if (logs !== this.trackedLogs || rules !== this.trackedRules) {
      this.trackedLogs = logs;
      this.trackedRules = rules;
      this.files = new Map([...logs].map(([session, file]) => [path.basename(file), session]));
      this.sessions = new Map(
        [...logs].map(([session, file]) => {
          const r = rules?.get(session);
          return [session, r ? { file, rules: compileRules(r) } : { file }];
        }),
      );
      for (const [, s] of this.sessions) if (s.rules) this.follower.follow(s.file);
      this.follower.keep(new Set([...this.sessions.values()].filter((s) => s.rules).map((s) => s.file)));
      for (const m of [this.lastWrite, this.dirty, this.hints, this.actAt]) for (const k of m.keys()) if (!logs.has(k)) m.delete(k);
    }
    if (dir === this.dir && (this.watcher || this.now() < this.retryAt)) return undefined;
    this.watcher?.close();
    this.watcher = undefined;
    if (dir !== this.dir) this.reported = false;
    this.dir = dir;
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name) this.wrote(String(name));
      });
      this.watcher.on("error", () => {
        this.watcher?.close();
        this.watcher = undefined;
        this.retryAt = this.now() + RETRY_MS;
      });
    } catch (e) {
      this.retryAt = this.now() + RETRY_MS;
      if (this.reported) return undefined;
      this.reported = true;
      return `cannot watch ${dir}: ${(e as Error).message}`;
    }
    this.reported = false;
    return undefined;
  }

  /** A write to `name` (a log file name) was seen. */
  wrote(name: string): void {
    const session = this.files.get(name);
    if (session === undefined) return;
    const now = this.now();
    this.lastWrite.set(session, now);
    const f = this.dirty.get(session);
    if (f) {
      f.lastWrite = now;
      f.unscanned = true;
    } else {
      const scannable = !!this.sessions.get(session)?.rules;
      this.dirty.set(session, { lastWrite: now, unscanned: true, scannedAt: now, scannable, hint: this.hints.get(session) });
    }
    this.arm(now + SETTLE_MS);
  }

  private arm(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.check(), Math.max(10, at - this.now()));
  }

  private check(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    const due: string[] = [];
    let nextAt = Infinity;
    for (const [session, f] of this.dirty) {
      if (scanDue(now, f)) this.scan(session, f, now, due);
      const s = settleOf(now, f);
      if (s.due) {
        this.dirty.delete(session);
        if (!due.includes(session)) due.push(session);
      } else nextAt = Math.min(nextAt, s.nextAt ?? Infinity);
    }
    if (nextAt !== Infinity) this.arm(nextAt);
    if (due.length) this.opts.onSettled(due);
  }

  /** Test what the pane printed since the last look; a line to act on makes it due at once. */
  private scan(session: string, f: PaneFlow, now: number, due: string[]): void {
    const s = this.sessions.get(session);
    f.unscanned = false;
    f.scannedAt = now;
    if (!s?.rules) return;
    const text = this.follower.read(s.file);
    // Nothing new (an event for bytes an earlier look already read, or an unreadable log) changes nothing.
    if (text) f.hint = streamHint(text, s.rules);
    else f.hint ??= "read";
    this.hints.set(session, f.hint);
    if (f.hint === "act") {
      this.actAt.set(session, now);
      due.push(session);
    }
  }

  /** What the pane's output says about when to capture it (undefined: nothing tested yet). */
  streamOf(session: string): StreamState | undefined {
    const hint = this.dirty.get(session)?.hint ?? this.hints.get(session);
    if (hint === undefined) return undefined;
    const actAt = this.actAt.get(session);
    return actAt === undefined ? { settleMs: settleMsFor(hint) } : { settleMs: settleMsFor(hint), actAt };
  }

  /** When the session's log was last seen written (epoch ms), if it was. */
  lastWriteOf(session: string): number | undefined {
    return this.lastWrite.get(session);
  }

  /** Whether writes are being seen at all (false: the watch failed or none was asked for). */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.watcher?.close();
    this.watcher = undefined;
  }
}
