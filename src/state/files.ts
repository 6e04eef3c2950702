// Every state write goes to a temp file in the same directory and is renamed into place, so a
// crash mid-write leaves either the old content or the new, never a torn file. Every read takes
// only a regular file (regular-file.ts): a FIFO put where state lives must not hang `status` or
// the watchdog, so it reads as unreadable.
import { renameSync, writeFileSync, rmSync, openSync, fsyncSync, closeSync, fchmodSync } from "node:fs";
import path from "node:path";
import { mkdirp } from "./mkdirp.js";
import { readRegularFile } from "./regular-file.js";

export { mkdirp } from "./mkdirp.js";
export { NotRegularFile, readRegularFile } from "./regular-file.js";

let counter = 0;

/** `mode`: the new file's permissions, set before any content is written (for files holding secrets). */
export function writeFileAtomic(file: string, content: string, opts: { mode?: number } = {}): void {
  mkdirp(path.dirname(file));
  const tmp = `${file}.${process.pid}.${++counter}.tmp`;
  try {
    const fd = openSync(tmp, "wx", opts.mode ?? 0o666);
    try {
      if (opts.mode !== undefined) fchmodSync(fd, opts.mode);
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The file's text, or `fallback` when it is absent, unreadable or not a regular file. */
export function readTextOr(file: string, fallback: string | undefined): string | undefined {
  try {
    return readRegularFile(file);
  } catch {
    return fallback;
  }
}

export function readJsonOr<T>(file: string, fallback: T): T {
  const text = readTextOr(file, undefined);
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}
