// Session logs on disk: their sizes, and rotation. Rotation only renames: the live file is never
// truncated or copied, so whatever a pane printed before a crash is in the live log or in `.1`.
// Re-pointing the pane's pipe at a fresh live file is the caller's job (a tmux call).
import { rmSync, statSync } from "node:fs";
import { LOG_KEEP_MAX } from "../config/schema.js";
import { renameIfPresent, shiftParts } from "./parts.js";
import { rotatedSessionLogFile, sessionLogFile, type PathFleet } from "./paths.js";
import { readRegularFileTail } from "./regular-file.js";

/** The live log's size in bytes; 0 when there is none (or it cannot be read). */
export function sessionLogSize(f: PathFleet, session: string): number {
  try {
    // Called for every log several times a second: no exception for the common "no log yet".
    return statSync(sessionLogFile(f, session), { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Shift `.1..keep-1` up by one (the old `.keep` is replaced), move the live log to `.1`, and
 * remove parts beyond `keep` that a larger `log_keep` left. A `cat` still writing the live log
 * keeps writing into the same file, now `.1`. False when there was no live log to move.
 */
export function rotateSessionLog(f: PathFleet, session: string, keep: number): boolean {
  const live = sessionLogFile(f, session);
  try {
    statSync(live);
  } catch {
    return false;
  }
  shiftParts(live, keep);
  // The live log last: if this is interrupted, every byte is still in one of the files.
  const moved = renameIfPresent(live, rotatedSessionLogFile(f, session, 1));
  for (let n = keep + 1; n <= LOG_KEEP_MAX; n++) rmSync(rotatedSessionLogFile(f, session, n), { force: true });
  return moved;
}

/**
 * The last `maxBytes` a session printed, raw (escapes and all): from the live log, topped up from
 * `.1` when a rotation just left the live one short. Undefined when neither can be read.
 */
export function sessionLogTail(f: PathFleet, session: string, maxBytes: number): { file: string; text: string } | undefined {
  const live = sessionLogFile(f, session);
  const read = (file: string, n: number): string | undefined => {
    try {
      return readRegularFileTail(file, n);
    } catch {
      return undefined;
    }
  };
  const text = read(live, maxBytes);
  const short = maxBytes - Buffer.byteLength(text ?? "");
  const older = short > 0 ? read(rotatedSessionLogFile(f, session, 1), short) : undefined;
  if (text === undefined && older === undefined) return undefined;
  return { file: text !== undefined ? live : rotatedSessionLogFile(f, session, 1), text: `${older ?? ""}${text ?? ""}` };
}
