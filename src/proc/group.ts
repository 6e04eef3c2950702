// Process groups: signal one, and tell whether anything in it still runs. A child we spawn
// detached leads its own group, so the group is the child and everything it started (unless one
// of those made itself a session leader: that one has left, and is no longer ours to wait for).
import { readdirSync, readFileSync } from "node:fs";

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

/** Fields of /proc/<pid>/stat after the command name: [0] is the state, [2] the process group. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** The parent pid of a process (Linux); undefined when gone or without /proc. */
export function processParent(pid: number): number | undefined {
  const ppid = Number(statFields(pid)?.[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

/** Whether a process exists and is not a zombie (an exited child nobody has reaped yet). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const state = statFields(pid)?.[0];
  return state !== "Z" && state !== "X";
}

/**
 * Whether any process in the group still runs. Zombies do not count: where init does not reap
 * orphans (some containers), a killed grandchild stays a zombie forever and would otherwise make
 * every kill look unfinished. Without /proc, any member counts.
 */
export function groupRunning(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return true;
  }
  const group = String(pgid);
  return pids.some((p) => {
    const f = statFields(p);
    return f !== undefined && f[2] === group && f[0] !== "Z" && f[0] !== "X";
  });
}
