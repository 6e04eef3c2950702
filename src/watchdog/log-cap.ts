// Which session logs to rotate now, and when to look again: a pure function of the logs' sizes,
// what the last look saw, and the clock. The effects (stat, rename, re-pointing the pane's pipe)
// live in log-rotator.ts.
//
// The cap must hold against a flood that starts at any moment, not only against the growth seen so
// far: between two looks a log can grow at the fastest rate tmux delivers output, so the next look
// is never later than the time that rate needs to reach the rotate threshold. Sizes are cheap to
// read (one stat each): with the default cap an idle fleet is looked at about once a second, ten
// times a second while some log sits just under its threshold (~0.2-0.7% of a core, measured).

/**
 * The fastest a pane's output reaches its log. tmux parses every byte into the pane's grid before
 * handing it to the pipe, which holds a flood to ~24 MB/s (`yes`) or ~41 MB/s (one endless line of
 * `tr`) on the 2-core machine measured; this leaves some margin above that.
 */
export const FLOOD_BYTES_PER_MS = (48 * 1024 * 1024) / 1000;
/** Looks are never closer together than this... */
export const MIN_CHECK_MS = 100;
/** ...nor further apart than this. */
export const MAX_CHECK_MS = 5000;
/**
 * What a rotation may take once its look is due: timer lateness, a few renames, and one tmux call
 * to a server busy with the flood (measured mostly 20-100 ms, at worst ~220 ms, on the 2-core machine).
 */
export const ROTATE_LATENCY_MS = 100;
/** The soonest a log looked at now can be rotated again: the next look plus the rotation itself. */
export const REACT_MS = MIN_CHECK_MS + ROTATE_LATENCY_MS;

/** What a look saw of one log. A rotated log is remembered as empty at the moment of its rotation. */
export interface LogSeen {
  size: number;
  at: number;
  /** Growth estimate (bytes per ms): tmux delivers a flood in bursts, so a dip only halves it. */
  rate: number;
}

export interface LogCheckInput {
  now: number;
  maxBytes: number;
  /** Every session log's size now, by session (0 when there is no file). */
  sizes: ReadonlyMap<string, number>;
  /** The previous look, by session. */
  seen: ReadonlyMap<string, LogSeen>;
}

export interface LogCheckPlan {
  /** Sessions whose log to rotate now. */
  rotate: string[];
  /** When to look again (ms from now). */
  nextCheckMs: number;
  /** The memory for the next look: the sizes seen now, rotated logs as empty. Absent sessions are dropped. */
  seen: Map<string, LogSeen>;
}

/**
 * Rotate at this size: far enough under the cap that a flood at FLOOD_BYTES_PER_MS cannot cross the
 * cap before the rotation lands (REACT_MS), and never under half the cap — with a cap too small for
 * that, rotating half-full files at every look is the best polling can do (see planLogCheck).
 */
export function rotateThreshold(maxBytes: number): number {
  const headroomed = Math.min(0.9 * maxBytes, maxBytes - FLOOD_BYTES_PER_MS * REACT_MS);
  return Math.floor(Math.max(maxBytes / 2, headroomed));
}

/**
 * Bytes per ms: the growth since the last look, or half the previous estimate if that is more. A
 * log smaller than before was replaced: all of it is new.
 */
export function growthRate(size: number, prev: LogSeen | undefined, now: number): number {
  if (!prev) return 0;
  const grown = size >= prev.size ? size - prev.size : size;
  const recent = now > prev.at ? grown / (now - prev.at) : 0;
  return Math.max(recent, prev.rate / 2);
}

export function planLogCheck(input: LogCheckInput): LogCheckPlan {
  const { now, maxBytes, sizes } = input;
  const threshold = rotateThreshold(maxBytes);
  const rotate: string[] = [];
  const seen = new Map<string, LogSeen>();
  let next = MAX_CHECK_MS;
  for (const [session, size] of sizes) {
    const rate = growthRate(size, input.seen.get(session), now);
    // At the threshold; or growing so fast (faster than assumed, or against a small cap) that it
    // would cross the cap before another rotation could land.
    const rotateNow = size >= threshold || (size > 0 && size + rate * REACT_MS >= maxBytes);
    if (rotateNow) rotate.push(session);
    const from = rotateNow ? 0 : size;
    seen.set(session, { size: from, at: now, rate });
    // Look again before the worst flood could carry this log from here to the threshold.
    next = Math.min(next, (threshold - from) / Math.max(rate, FLOOD_BYTES_PER_MS));
  }
  const nextCheckMs = Math.round(Math.min(MAX_CHECK_MS, Math.max(MIN_CHECK_MS, next)));
  return { rotate, nextCheckMs, seen };
}
