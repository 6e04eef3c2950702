// An append-only line file that outlives what the disk does to it. The watchdog's event log is
// written here; it must never stop the watchdog and should lose as little as it can:
// - the file (or all of log_dir) deleted: noticed on the next line (the path no longer names the
//   open file) and reopened, recreating its folder;
// - the file cannot be written (full, read-only, a file where its folder should be): the line goes
//   to a fallback file (the runtime dir), or to stderr when that fails too; every line tries the
//   real file first, so writing resumes there as soon as the disk allows;
// - a write cut short by a full disk is cut back, so the file never holds half a JSON line;
// - a FIFO (or device) in the file's place: never waited on, written around like an unwritable file;
// - capped (maxBytes/keep): the line that takes the file past maxBytes is written whole, then the
//   file is renamed to `.1` (older parts shifted up to `.keep`, beyond removed) and the next line
//   starts a new one. The size is counted (size at open + bytes written), not stat'ed per line.
//   This sink is the file's only writer, so the count is the size; a rename that fails leaves the
//   file growing and is retried at the next line (reported once per errno).
// pino's own destination (sonic-boom) is not used: in sync mode a failed write becomes an 'error'
// event that throws when nobody listens, and its reopen() does not notice a deleted folder.
import { appendFileSync, closeSync, constants, fstatSync, ftruncateSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { mkdirp } from "./mkdirp.js";
import { rotatedPart, shiftParts } from "./parts.js";

export type SinkChange =
  | { kind: "degraded"; reason: string; errno: string }
  | { kind: "recovered"; reason: string }
  | { kind: "reopened"; reason: string }
  | { kind: "rotated"; reason: string }
  | { kind: "rotate-failed"; reason: string; errno: string };

export interface AppendSinkOptions {
  /** Path of the file to use while `file` cannot be written; may throw (then stderr is used). */
  fallback?: () => string;
  /** The last resort. */
  stderr?: (text: string) => void;
  /** Rotate the file once a write takes it past this many bytes (unset: never). */
  maxBytes?: number;
  /** Rotated parts kept (`.1` newest .. `.keep`); default 1. */
  keep?: number;
}

/** Parts beyond `keep` that a larger keep left are removed, looking this far at most. */
const PARTS_MAX = 100;

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? "EIO";

function safeStderr(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    /* nowhere left to say it */
  }
}

export class AppendSink {
  private fd: number | undefined;
  /** The errno of the condition that keeps `file` unwritable, while it lasts. */
  private failing: string | undefined;
  private changes: SinkChange[] = [];
  /** The open file's size: its size at open plus what this sink wrote to it since. */
  private size = 0;
  /** The errno of a rotation that keeps failing, while it lasts. */
  private rotateFailing: string | undefined;

  constructor(
    readonly file: string,
    private readonly opts: AppendSinkOptions = {},
  ) {}

  /** pino's stream interface: one call per complete line. Never throws. */
  write(line: string): boolean {
    try {
      this.writeFile(line);
      if (this.failing) {
        this.changes.push({ kind: "recovered", reason: `${this.file} is writable again (was ${this.failing})` });
        this.failing = undefined;
      }
      if (this.opts.maxBytes !== undefined && this.size > this.opts.maxBytes) this.rotate();
      return true;
    } catch (err) {
      this.closeFd();
      const code = errno(err);
      if (code !== this.failing) {
        this.failing = code;
        this.changes.push({ kind: "degraded", errno: code, reason: `${this.file}: ${code}; ${this.whereInstead()}` });
      }
    }
    try {
      const fb = this.opts.fallback?.();
      if (!fb) throw new Error("no fallback");
      appendFileSync(fb, line, { mode: 0o600 });
    } catch {
      (this.opts.stderr ?? safeStderr)(line);
    }
    return true;
  }

  /** What happened to the file since the last call (the caller logs it as events). */
  takeChanges(): SinkChange[] {
    return this.changes.splice(0);
  }

  close(): void {
    this.closeFd();
  }

  private whereInstead(): string {
    try {
      const fb = this.opts.fallback?.();
      if (fb) return `events go to ${fb} until it is writable`;
    } catch {
      /* fall through */
    }
    return "events go to stderr until it is writable";
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already unusable */
    }
    this.fd = undefined;
  }

  /** The open fd, reopened when the path no longer names the file it refers to. */
  private open(): { fd: number; size: number } {
    if (this.fd !== undefined) {
      const mine = fstatSync(this.fd);
      let same = false;
      try {
        const now = statSync(this.file);
        same = now.ino === mine.ino && now.dev === mine.dev;
      } catch {
        /* gone */
      }
      if (same) return { fd: this.fd, size: mine.size };
      this.closeFd();
      this.changes.push({ kind: "reopened", reason: `${this.file} was removed or replaced; writing a new one` });
    }
    mkdirp(path.dirname(this.file));
    // Non-blocking: opening a FIFO someone put here for writing would wait for a reader, forever.
    // Anything but a regular file is a file we cannot write (the fallback takes the line).
    const fd = openSync(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0), 0o666);
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw Object.assign(new Error(`${this.file} is not a regular file`), { code: "ENOTREG" });
    }
    this.fd = fd;
    this.size = st.size;
    return { fd, size: st.size };
  }

  private writeFile(line: string): void {
    const { fd, size } = this.open();
    const buf = Buffer.from(line);
    let n: number;
    try {
      n = writeSync(fd, buf);
    } catch (err) {
      this.cutBack(fd, size);
      throw err;
    }
    if (n < buf.length) {
      this.cutBack(fd, size);
      throw Object.assign(new Error(`short write to ${this.file}`), { code: "ENOSPC" });
    }
    this.size += n;
  }

  /**
   * Move the full file aside; the next line opens a new one. Only renames, so a line is in exactly
   * one part, and the live file last: interrupted, every line is still in some part. Never throws.
   */
  private rotate(): void {
    const keep = Math.max(1, this.opts.keep ?? 1);
    const size = this.size;
    try {
      shiftParts(this.file, keep);
      renameSync(this.file, rotatedPart(this.file, 1));
    } catch (err) {
      const code = errno(err);
      if (code !== this.rotateFailing) {
        this.rotateFailing = code;
        this.changes.push({ kind: "rotate-failed", errno: code, reason: `${this.file} at ${size} bytes could not be moved to .1: ${code}; it keeps growing, retrying at the next line` });
      }
      return;
    }
    // Closed only now: until the rename the fd and the path were the same file (no "reopened").
    this.closeFd();
    this.rotateFailing = undefined;
    for (let n = keep + 1; n <= PARTS_MAX; n++) {
      try {
        unlinkSync(rotatedPart(this.file, n));
      } catch (err) {
        if (errno(err) === "ENOENT") break;
      }
    }
    this.changes.push({ kind: "rotated", reason: `${this.file} reached ${size} bytes (log_max_bytes ${this.opts.maxBytes}); moved to .1, keeping ${keep}` });
  }

  /** Remove a partial line so the file stays one JSON object per line. */
  private cutBack(fd: number, size: number): void {
    try {
      ftruncateSync(fd, size);
    } catch {
      /* a read-only file cannot have been written to either */
    }
  }
}
