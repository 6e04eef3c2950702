// One watchdog per fleet. The lock names its holder by pid *and* process start time, so a pid
// reused by an unrelated process after a crash does not keep the fleet unsupervised.
import { openSync, writeSync, closeSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import path from "node:path";
import { RuntimeError } from "../errors.js";

interface LockInfo {
  pid: number;
  start: string;
  since: string;
}

/** Process start time in clock ticks since boot (Linux); undefined elsewhere or when gone. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function holderOf(file: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as LockInfo;
    if (!alive(info.pid)) return undefined;
    const start = processStart(info.pid);
    if (start !== undefined && info.start && start !== info.start) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

export class FleetLock {
  private held = false;
  constructor(readonly file: string) {}

  acquire(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const me: LockInfo = { pid: process.pid, start: processStart(process.pid) ?? "", since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.file, "wx");
        writeSync(fd, JSON.stringify(me));
        closeSync(fd);
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const holder = holderOf(this.file);
        if (holder && holder.pid !== process.pid) {
          throw new RuntimeError(
            `another watchdog (pid ${holder.pid}, since ${holder.since}) already supervises this fleet (lock ${this.file})`,
          );
        }
        // Stale: its holder is dead. Remove and try once more; O_EXCL settles a race between two.
        rmSync(this.file, { force: true });
      }
    }
    throw new RuntimeError(`could not take the watchdog lock ${this.file}`);
  }

  release(): void {
    if (!this.held) return;
    try {
      const info = JSON.parse(readFileSync(this.file, "utf8")) as LockInfo;
      if (info.pid === process.pid) rmSync(this.file, { force: true });
    } catch {
      /* already gone */
    }
    this.held = false;
  }
}
