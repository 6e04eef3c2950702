// The handoff repo is read in the background, never on a tick's path: a remote that hangs must not
// stop the watchdog from healing. Ticks ask for a refresh (never two readings at once) and use the
// last completed reading, however old; a reading that brings news wakes the loop so pings go out
// at once. A failing fetch is reported once when it starts failing (or fails differently) and once
// when it recovers, not every tick.
import type { Fleet } from "../config/load.js";
import { readHandoff, type HandoffOutcome, type HandoffRead } from "./handoff-git.js";
import type { GitReading } from "./types.js";

export interface GitReaderHooks {
  /** Where git-failed / git-recovered go. */
  event?: (level: "info" | "warn", action: string, reason: string) => void;
  /** A reading completed with something new (first reading, new head, an inbox changed). */
  onNews?: () => void;
  now?: () => number;
  /** The reading itself (tests replace it). */
  read?: typeof readHandoff;
}

export interface Failing {
  reason: string;
  since: number;
  failures: number;
}

/**
 * The pure part of once-per-condition reporting: the failure state after an outcome and the event
 * to log, if any. A new reason is a new condition; the same one again is silence.
 */
export function nextHealth(
  failing: Failing | undefined,
  outcome: { error?: string },
  now: number,
): { failing: Failing | undefined; event?: { level: "info" | "warn"; action: string; reason: string } } {
  if (outcome.error === undefined) {
    if (!failing) return { failing };
    const secs = Math.round((now - failing.since) / 1000);
    const times = failing.failures === 1 ? "once" : `${failing.failures} times`;
    return { failing: undefined, event: { level: "info", action: "git-recovered", reason: `handoff git reads work again (failed ${times} over ${secs}s)` } };
  }
  if (failing?.reason === outcome.error) return { failing: { ...failing, failures: failing.failures + 1 } };
  return {
    failing: { reason: outcome.error, since: failing?.since ?? now, failures: (failing?.failures ?? 0) + 1 },
    event: { level: "warn", action: "git-failed", reason: `${outcome.error}; using the last good reading, retrying in the background` },
  };
}

/**
 * The snapshot's view of a reading, for a watchdog whose handoff state is at `stateSha`. The
 * reading may have been asked for from an older sha (a tick reads before it decides): subjects are
 * then the commits after stateSha, and when stateSha is not among them they are left out, so the
 * rule waits for the next reading instead of pinging twice for one commit.
 */
export function gitReadingFor(read: HandoffRead, stateSha: string | undefined): GitReading {
  const out: GitReading = { head: read.head, inboxes: { ...read.inboxes }, readAt: read.at };
  if (!stateSha || stateSha === read.head || !read.commits) return out;
  if (read.base === stateSha) out.subjects = read.commits.map((c) => c.subject);
  else {
    const i = read.commits.findIndex((c) => c.sha === stateSha);
    if (i >= 0) out.subjects = read.commits.slice(i + 1).map((c) => c.subject);
  }
  return out;
}

function news(prev: HandoffRead | undefined, next: HandoffRead): boolean {
  if (!prev || prev.head !== next.head) return true;
  const files = new Set([...Object.keys(prev.inboxes), ...Object.keys(next.inboxes)]);
  return [...files].some((f) => prev.inboxes[f] !== next.inboxes[f]);
}

export class GitReader {
  private last: HandoffRead | undefined;
  private failing: Failing | undefined;
  private running: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(private readonly hooks: GitReaderHooks = {}) {}

  private now(): number {
    return (this.hooks.now ?? Date.now)();
  }

  /**
   * Start a reading from `base` unless one is running, or (unless forced: heavy ticks) one
   * started less than minGapMs ago. Returns at once.
   */
  request(fleet: Fleet, base: string | undefined, opts: { force: boolean; minGapMs: number }): void {
    if (this.stopped || this.running) return;
    if (!opts.force && this.now() - this.lastStart < opts.minGapMs) return;
    this.lastStart = this.now();
    const abort = new AbortController();
    this.abort = abort;
    const read = this.hooks.read ?? readHandoff;
    const timeoutMs = fleet.loop.handoff!.fetch_timeout * 1000;
    this.running = read(fleet, base, this.last, { timeoutMs, signal: abort.signal, now: () => this.now() })
      .catch((err: unknown): HandoffOutcome => ({ error: `handoff reading failed: ${(err as Error).message}` }))
      .then((outcome) => this.complete(outcome))
      .finally(() => {
        this.running = undefined;
        this.abort = undefined;
      });
  }

  private complete(outcome: HandoffOutcome): void {
    if ("aborted" in outcome) return;
    const health = nextHealth(this.failing, "error" in outcome ? { error: outcome.error } : {}, this.now());
    this.failing = health.failing;
    if (health.event) this.hooks.event?.(health.event.level, health.event.action, health.event.reason);
    if ("read" in outcome) {
      const fresh = news(this.last, outcome.read);
      this.last = outcome.read;
      if (fresh) this.hooks.onNews?.();
    }
  }

  /** The last completed reading as the snapshot sees it (undefined until one completes). */
  reading(stateSha: string | undefined): GitReading | undefined {
    return this.last ? gitReadingFor(this.last, stateSha) : undefined;
  }

  /** The current failure, if the last reading failed. */
  get failure(): Failing | undefined {
    return this.failing;
  }

  /** Wait for the reading in flight, if any (`--once` runs one tick and wants its result). */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Stop: no new readings, and the one in flight is killed (its git processes with it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.running;
  }
}
