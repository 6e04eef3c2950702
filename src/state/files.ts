// Every state write goes to a temp file in the same directory and is renamed into place, so a
// crash mid-write leaves either the old content or the new, never a torn file.
import { mkdirSync, readFileSync, renameSync, writeFileSync, rmSync, openSync, fsyncSync, closeSync } from "node:fs";
import path from "node:path";

let counter = 0;

export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${++counter}.tmp`;
  try {
    writeFileSync(tmp, content);
    const fd = openSync(tmp, "r");
    try {
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

export function readTextOr(file: string, fallback: string | undefined): string | undefined {
  try {
    return readFileSync(file, "utf8");
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
