// Is the watchdog supervising? Pure: `status` gathers the facts (lock holder, heartbeat, a lock
// left by a dead holder, its session) and this says which of four states that is, with the loud
// line the table leads with when it is not ok. A watchdog whose pid lives but whose heartbeat
// stopped heals nothing, and neither does one that died without releasing its lock: both used to
// show as a quiet "heartbeat Ns ago" or "stopped".

/** ok: ticking (or starting); stale: alive, not ticking; dead: died without stopping; stopped: stopped cleanly or never ran. */
export type WatchdogHealth = "ok" | "stale" | "dead" | "stopped";

export interface HealthFacts {
  now: number;
  /** A live process holds the lock: its pid and when it took the lock (epoch ms). */
  holder?: { pid: number; since: number };
  /** Its session is under 30 s old and no one holds the lock yet. */
  starting: boolean;
  /** Epoch ms of the newest heartbeat in the state file (possibly an earlier run's). */
  heartbeat?: number;
  /** Past this age the heartbeat is stale. */
  staleAfterMs: number;
  /** A lock record whose process is gone. */
  deadHolder?: { pid: number };
  /** The watchdog's session is there, past its start-up, and nothing holds the lock. */
  orphanSession: boolean;
}

export interface HealthVerdict {
  health: WatchdogHealth;
  /** Seconds since the last sign of life (heartbeat, or taking the lock if later), when known. */
  silentS?: number;
}

export function watchdogHealth(f: HealthFacts): HealthVerdict {
  if (f.holder) {
    // A heartbeat older than this watchdog's lock is an earlier run's: count from the lock then.
    const last = Math.max(f.heartbeat ?? 0, f.holder.since);
    const silentMs = f.now - last;
    return { health: silentMs > f.staleAfterMs ? "stale" : "ok", silentS: Math.max(0, Math.round(silentMs / 1000)) };
  }
  if (f.starting) return { health: "ok" };
  const silentS = f.heartbeat !== undefined ? Math.max(0, Math.round((f.now - f.heartbeat) / 1000)) : undefined;
  if (f.deadHolder || f.orphanSession) return { health: "dead", silentS };
  return { health: "stopped", silentS };
}

/** "14m", "2h 5m", "40s": a human age. */
export function ago(s: number): string {
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.floor(s / 3600)}h ${Math.round((s % 3600) / 60)}m`;
}

/** The loud header line for a watchdog that is not ok, or undefined (ok, or stopped cleanly). */
export function healthLine(w: { health: WatchdogHealth; pid?: number; deadPid?: number; silentS?: number }): string | undefined {
  const beat = w.silentS !== undefined ? `last heartbeat ${ago(w.silentS)} ago` : "no heartbeat";
  if (w.health === "stale") {
    return `WATCHDOG STALE: ${beat} (pid ${w.pid} alive, not ticking); nothing is healed meanwhile: see \`agents logs watchdog\`, then \`agents down watchdog && agents up watchdog\``;
  }
  if (w.health === "dead") {
    const who = w.deadPid !== undefined ? `pid ${w.deadPid} died without stopping` : "its session runs no watchdog";
    return `WATCHDOG DEAD: ${who}; ${beat}; nothing heals the fleet: run \`agents up\``;
  }
  return undefined;
}
