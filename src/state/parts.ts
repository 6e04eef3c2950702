// Rotated parts of a log or line file: `<file>.1` the newest .. `<file>.<keep>`. Rotation only
// renames, so a line is in exactly one part. Shared by the events log (append.ts), the session
// logs (session-logs.ts) and the signal files (signal-files.ts).
import { renameSync } from "node:fs";

/** A rotated part's path: `<file>.<n>` (state/paths.ts names the same for readers). */
export const rotatedPart = (file: string, n: number): string => `${file}.${n}`;

/** Rename `from` to `to`; false when there was no `from`. Other errors throw. */
export function renameIfPresent(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** Make room for a new `.1`: shift `.1..keep-1` up by one (the old `.keep` is replaced). */
export function shiftParts(file: string, keep: number): void {
  for (let n = keep - 1; n >= 1; n--) renameIfPresent(rotatedPart(file, n), rotatedPart(file, n + 1));
}
