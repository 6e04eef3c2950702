// One watchdog per fleet. The lock names its holder by pid *and* process start time, so a pid
// reused by an unrelated process after a crash does not keep the fleet unsupervised.
//
// The lock lives in the runtime dir (state/paths.ts), where deleting log_dir cannot remove it.
// Watchdogs from before that kept it in log_dir/state/: that place is still honoured on acquire
// (and by holderOf), and still written, best effort, so an older watchdog started later refuses too.
import { openSync, writeSync, closeSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import { running } from "../proc/group.js";
import { mkdirp, readTextOr, writeFileAtomic } from "./files.js";
import { ensureRuntimeDir, legacyLockOf, legacyWatchdogLockFile, tidyRuntimeDir, watchdogLockFile, type PathFleet } from "./paths.js";

export interface LockInfo {
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

/**
 * The record in a lock file, or undefined. Read as a regular file only: the legacy lock sits in
 * log_dir, where a FIFO in its place must not hang `status` or the watchdog.
 */
function readLock(file: string): LockInfo | undefined {
  const text = readTextOr(file, undefined);
  return text === undefined ? undefined : (JSON.parse(text) as LockInfo);
}

/** Running, and not a zombie: a killed watchdog nobody reaped must not hold the lock forever. */
const alive = running;

/** The live holder recorded in one file, or undefined (absent, unreadable, dead or reused pid). */
function liveHolder(file: string): LockInfo | undefined {
  try {
    const info = readLock(file);
    return info && holderRunning(info) ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who holds the lock at `file` (a path from watchdogLockFile): its live holder, else a live
 * holder of the legacy lock in log_dir (an older watchdog), else undefined.
 */
export function holderOf(file: string, legacy: string | undefined = legacyLockOf(file)): LockInfo | undefined {
  return liveHolder(file) ?? (legacy ? liveHolder(legacy) : undefined);
}

/**
 * A lock record whose process is gone: a watchdog that died without releasing it (killed, or
 * crashed past its cleanup). A clean stop removes the record, so this is what `status` calls dead.
 */
export function deadHolderOf(file: string, legacy: string | undefined = legacyLockOf(file)): LockInfo | undefined {
  for (const place of [file, legacy]) {
    if (!place) continue;
    try {
      const info = readLock(place);
      if (info && !holderRunning(info)) return info;
    } catch {
      /* unreadable: no evidence either way */
    }
  }
  return undefined;
}

/** Whether the process a lock record names still runs and is still that process (same start). */
export function holderRunning(info: LockInfo): boolean {
  if (!alive(info.pid)) return false;
  const start = processStart(info.pid);
  return start === undefined || !info.start || start === info.start;
}

/**
 * Remove the lock files (runtime and legacy) that name exactly this holder, once it is dead: what
 * a watchdog that was SIGKILLed could not release. Returns the files removed.
 */
export function clearLockOf(file: string, holder: LockInfo, legacy: string | undefined = legacyLockOf(file)): string[] {
  const removed: string[] = [];
  for (const place of [file, legacy]) {
    if (!place) continue;
    try {
      const info = readLock(place);
      if (!info || info.pid !== holder.pid || info.start !== holder.start) continue;
      rmSync(place, { force: true });
      removed.push(place);
    } catch {
      /* gone or unreadable: nothing of ours to remove */
    }
  }
  return removed;
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** What a per-tick check found (see FleetLock.check). */
export type LockCheck =
  | { state: "held" }
  | { state: "recreated"; reason: string }
  | { state: "lost"; holder: LockInfo }
  | { state: "unverifiable"; error: NodeJS.ErrnoException };

export interface LockOptions {
  /** The legacy lock path to honour and mirror (default: the one paths.ts knows for `file`). */
  legacy?: string;
  /** Create the lock's directory (default: mkdir -p). */
  prepare?: () => void;
  /** Remove what prepare made once the lock is released or refused (default: nothing). */
  tidy?: () => void;
}

export class FleetLock {
  private held = false;
  private readonly me: LockInfo;
  private readonly legacy: string | undefined;

  constructor(
    readonly file: string,
    private readonly opts: LockOptions = {},
  ) {
    this.me = { pid: process.pid, start: processStart(process.pid) ?? "", since: new Date().toISOString() };
    this.legacy = opts.legacy ?? legacyLockOf(file);
  }

  private prepare(): void {
    if (this.opts.prepare) this.opts.prepare();
    else mkdirp(path.dirname(this.file));
  }

  private isMe(info: LockInfo | undefined): boolean {
    return info !== undefined && info.pid === this.me.pid && info.start === this.me.start;
  }

  private refuse(holder: LockInfo, where: string): never {
    this.opts.tidy?.();
    throw new RuntimeError(`another watchdog (pid ${holder.pid}, since ${holder.since}) already supervises this fleet (lock ${where})`);
  }

  /** O_EXCL create with our record; false when the file exists. */
  private create(): boolean {
    try {
      const fd = openSync(this.file, "wx", 0o600);
      try {
        writeSync(fd, JSON.stringify(this.me));
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (err) {
      if (code(err) === "EEXIST") return false;
      throw err;
    }
  }

  /**
   * Best effort: our record in the legacy place too, so a watchdog of an older version, which
   * looks only there, refuses to start beside us. log_dir may be read-only or full: then an older
   * watchdog could start, which is no worse than before this lock moved.
   */
  private mirrorLegacy(): void {
    if (!this.legacy) return;
    const h = liveHolder(this.legacy);
    if (h && !this.isMe(h)) return; // never overwrite a live holder's record; check() reports it
    try {
      writeFileAtomic(this.legacy, JSON.stringify(this.me));
    } catch {
      /* log_dir cannot be written: nothing to do about it here */
    }
  }

  acquire(): void {
    const old = this.legacy ? liveHolder(this.legacy) : undefined;
    if (old && !this.isMe(old)) this.refuse(old, this.legacy!);
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        this.prepare();
        if (this.create()) {
          this.held = true;
          this.mirrorLegacy();
          return;
        }
      } catch (err) {
        // ENOENT: another fleet's watchdog tidied the shared root between our mkdir and open.
        if (code(err) === "ENOENT") continue;
        throw err;
      }
      const holder = liveHolder(this.file);
      if (holder && !this.isMe(holder)) this.refuse(holder, this.file);
      // Stale: its holder is dead. Remove and try again; O_EXCL settles a race between two.
      rmSync(this.file, { force: true });
    }
    throw new RuntimeError(`could not take the watchdog lock ${this.file}`);
  }

  /**
   * Called every tick: do we still hold the lock? A lock file that vanished (a cleaner, a user) is
   * recreated; one another live process wrote means two watchdogs, and the caller must stop.
   */
  check(): LockCheck {
    if (!this.held) return { state: "unverifiable", error: Object.assign(new Error("lock not held"), { code: "ENOLCK" }) };
    for (const place of [this.file, this.legacy]) {
      const h = place ? liveHolder(place) : undefined;
      if (h && !this.isMe(h)) return { state: "lost", holder: h };
    }
    let mine: LockInfo | undefined;
    try {
      mine = readLock(this.file);
    } catch {
      /* missing or torn: recreate below */
    }
    if (this.isMe(mine)) return { state: "held" };
    try {
      this.prepare();
      rmSync(this.file, { force: true });
      if (!this.create()) {
        // Someone created it between our rm and open: whoever it is, read it next tick.
        const h = liveHolder(this.file);
        if (h && !this.isMe(h)) return { state: "lost", holder: h };
      }
    } catch (err) {
      return { state: "unverifiable", error: err as NodeJS.ErrnoException };
    }
    this.mirrorLegacy();
    return { state: "recreated", reason: mine ? `${this.file} named a dead pid ${mine.pid}` : `${this.file} was gone` };
  }

  release(): void {
    if (!this.held) return;
    for (const place of [this.file, this.legacy]) {
      if (!place) continue;
      try {
        if (this.isMe(readLock(place))) rmSync(place, { force: true });
      } catch {
        /* already gone */
      }
    }
    this.held = false;
    this.opts.tidy?.();
  }
}

/** The fleet's watchdog lock: in its private runtime dir, honouring (and mirroring) the legacy one. */
export function watchdogLock(fleet: PathFleet): FleetLock {
  return new FleetLock(watchdogLockFile(fleet), {
    legacy: legacyWatchdogLockFile(fleet),
    prepare: () => void ensureRuntimeDir(fleet),
    tidy: () => tidyRuntimeDir(fleet),
  });
}
