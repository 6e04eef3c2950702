// Stopping the watchdog for certain. The process that holds the lock is the watchdog, wherever it
// runs (its tmux session, outside tmux after its server died, a foreground `agents watchdog`):
// SIGTERM it, give it a grace to finish its tick and release the lock, then SIGKILL it — only if
// the pid is still the same process — and remove the lock it could not release. Killing its tmux
// session alone is not enough: a watchdog stuck in a tick, or running detached, outlives that.
import type { Fleet } from "../config/load.js";
import { clearLockOf, holderOf, holderRunning, type LockInfo } from "../state/lock.js";
import { watchdogLockFile } from "../state/paths.js";
import type { Tmux } from "../tmux/tmux.js";

export const STOP_GRACE_MS = 10_000;
/** After SIGKILL, how long we wait to see the process gone (it cannot refuse; it may be slow). */
const KILL_WAIT_MS = 3_000;
const POLL_MS = 100;

export type StopOutcome =
  | { kind: "stopped"; pid: number }
  | { kind: "killed"; pid: number; graceMs: number }
  /** SIGKILL was sent and the process is still there (another user's, or stuck in the kernel). */
  | { kind: "unkillable"; pid: number; reason: string }
  /** No process held the lock; `session` says whether a leftover watchdog session was removed. */
  | { kind: "not-running"; session: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gone(holder: LockInfo, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (!holderRunning(holder)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

function signal(pid: number, sig: NodeJS.Signals): string | undefined {
  try {
    process.kill(pid, sig);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ESRCH" ? undefined : `${sig} failed: ${code}`;
  }
}

export async function stopWatchdog(fleet: Fleet, tmux: Tmux, graceMs = STOP_GRACE_MS): Promise<StopOutcome> {
  const lockFile = watchdogLockFile(fleet);
  const holder = holderOf(lockFile);
  let outcome: StopOutcome;
  if (!holder) {
    outcome = { kind: "not-running", session: false };
  } else {
    signal(holder.pid, "SIGTERM");
    if (await gone(holder, graceMs)) {
      outcome = { kind: "stopped", pid: holder.pid };
    } else {
      // holderRunning re-checked pid and start time just now: this is still the watchdog.
      const failed = holderRunning(holder) ? signal(holder.pid, "SIGKILL") : undefined;
      if (failed || !(await gone(holder, KILL_WAIT_MS))) {
        return { kind: "unkillable", pid: holder.pid, reason: failed ?? "still running after SIGKILL" };
      }
      outcome = { kind: "killed", pid: holder.pid, graceMs };
    }
    // A clean exit released the lock already; a killed one could not.
    clearLockOf(lockFile, holder);
  }
  // Its session ends with it; one left over (a watchdog that never took the lock, or something
  // else running under its name) goes too, so `up` starts afresh.
  const removed = await tmux.killSession(fleet.watchdogSession);
  if (outcome.kind === "not-running") outcome.session = removed;
  return outcome;
}

/** What `down` prints for an outcome. */
export function describeStop(o: StopOutcome, session: string): string {
  switch (o.kind) {
    case "stopped":
      return `watchdog: stopped (pid ${o.pid}) [${session}]`;
    case "killed":
      return `watchdog: killed after ${o.graceMs / 1000}s (pid ${o.pid}) [${session}]`;
    case "unkillable":
      return `watchdog: could not be stopped (pid ${o.pid}): ${o.reason}`;
    case "not-running":
      return o.session ? `watchdog: not running; removed its leftover session [${session}]` : "watchdog: not running";
  }
}
