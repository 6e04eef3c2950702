// The watchdog state file is written after a tick only when something in it that matters changed,
// or the last write is STATE_BEAT_MS old. On a busy fleet every tick moves the heartbeat, each busy
// agent's lastActive and its screen hash; writing (and fsyncing) all of that every second cost more
// than the rest of the tick's own work. `status` reads the heartbeat (fresh under
// 3 × signal_interval + 15 s) and the states; a state change is written at once.

/** A state whose only changes are the moving parts is written at most this often. */
export const STATE_BEAT_MS = 2_000;

/** Fields that move every tick on a busy fleet and are fine a couple of seconds old after a crash. */
const MOVING = new Set(["heartbeat", "lastTickMs", "lastActive", "seenActivity", "screenHash", "screenMovedAt", "reason", "evidence"]);

/** Pure: the state with its moving parts left out (a change here is written at once). */
export function stateKey(state: unknown): string {
  return JSON.stringify(state, (k, v: unknown) => (MOVING.has(k) ? undefined : v));
}

/** Pure: write now? */
export function stateWriteDue(key: string, last: { key: string; at: number } | undefined, now: number): boolean {
  return !last || last.key !== key || now - last.at >= STATE_BEAT_MS;
}
