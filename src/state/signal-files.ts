// The per-agent signal files the taps' hooks and plugin append to (Claude's hooks and statusLine,
// the opencode plugin) only ever grow: a statusLine refresh every few seconds adds a line each
// time, for as long as the agent runs. They are capped by renaming: each writer opens the file by
// path for every append (`>>FILE`, appendFileSync), so the next append after a rename creates a
// fresh file, and the readers (signals/lines.ts) read a replaced file again from its start, on
// top of what they already knew. One older part is kept (`.1`) for a human to look at.
import { statSync } from "node:fs";
import { renameIfPresent, rotatedPart } from "./parts.js";
import { claudeSignalFile, opencodeSignalFile, type PathFleet } from "./paths.js";

/** A signal file is rotated once it reaches this size (a statusLine line is ~1 KiB). */
export const SIGNAL_MAX_BYTES = 4 << 20;

/** Every signal file an agent may have, whichever tap its backend uses. */
export function agentSignalFiles(f: PathFleet, agent: string): string[] {
  return [claudeSignalFile(f, agent), opencodeSignalFile(f, agent)];
}

/** The file's size in bytes; 0 when there is none or it is not a regular file. */
export function signalFileSize(file: string): number {
  try {
    const st = statSync(file, { throwIfNoEntry: false });
    return st?.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

/** Move `file` to `file.1` (replacing an older `.1`). False when there was nothing to move. */
export function rotateSignalFile(file: string): boolean {
  return renameIfPresent(file, rotatedPart(file, 1));
}
