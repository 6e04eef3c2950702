// Which panes printed, without asking tmux: every agent's pane is piped into its session log, so
// one directory watch on log_dir (inotify) sees a pane print the moment it does, at no tmux cost.
// A pane whose output keeps flowing is busy by that alone and is captured only every
// FLOW_CAPTURE_MS; a pane that goes quiet (SETTLE_MS without a write) is captured at once, because
// what the watchdog reacts to — a usage-limit banner, a fatal line, a dialog — ends a stream.
import { watch, type FSWatcher } from "node:fs";
import path from "node:path";

/** No write for this long: the pane has settled, and what it shows now is worth reading. */
export const SETTLE_MS = 600;
/** A pane still printing is captured at most this often (its output is activity by itself). */
export const FLOW_CAPTURE_MS = 10_000;
/** The same while the pane's title says working (a spinner the backend's title_active_re reads). */
export const TITLE_FLOW_CAPTURE_MS = 30_000;
/** A log dir that could not be watched is tried again this often. */
const RETRY_MS = 30_000;

/**
 * Pure: must a pane whose tmux activity changed be captured now? `lastWrite` is the last write
 * seen to its log (undefined: none seen, so nothing is known and it is captured as before).
 */
export function captureDue(now: number, lastWrite: number | undefined, capturedAt: number | undefined, maxAgeMs = FLOW_CAPTURE_MS): boolean {
  if (lastWrite === undefined || capturedAt === undefined) return true;
  if (now - lastWrite >= SETTLE_MS) return true;
  return now - capturedAt >= maxAgeMs;
}

/** Pure: of the panes written to (session → last write), which have settled, and when to look again. */
export function settled(now: number, dirty: ReadonlyMap<string, number>): { due: string[]; nextAt?: number } {
  const due: string[] = [];
  let nextAt: number | undefined;
  for (const [session, at] of dirty) {
    if (now - at >= SETTLE_MS) due.push(session);
    else nextAt = Math.min(nextAt ?? Infinity, at + SETTLE_MS);
  }
  return { due, nextAt };
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
  private readonly lastWrite = new Map<string, number>();
  /** Written to since they last settled. */
  private readonly dirty = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** After a failed watch (log_dir not made yet, inotify limits), when to try again. */
  private retryAt = 0;
  private reported = false;

  constructor(private readonly opts: ChangeFeedOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * Watch `dir` for writes to these log files (a new dir replaces the watch). Returns an error
   * message the first time the directory cannot be watched (panes are then read on tmux's word
   * alone); it is tried again every RETRY_MS.
   */
  track(dir: string, logs: Map<string, string>): string | undefined {
    this.files = new Map([...logs].map(([session, file]) => [path.basename(file), session]));
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
    this.dirty.set(session, now);
    this.timer ??= setTimeout(() => this.check(), SETTLE_MS);
  }

  private check(): void {
    this.timer = undefined;
    const { due, nextAt } = settled(this.now(), this.dirty);
    for (const s of due) this.dirty.delete(s);
    if (nextAt !== undefined) this.timer = setTimeout(() => this.check(), Math.max(10, nextAt - this.now()));
    if (due.length) this.opts.onSettled(due);
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
    this.watcher?.close();
    this.watcher = undefined;
  }
}
