// Incremental reader of a Claude Code signal file (written by the hooks and statusLine of
// hooks.ts): each call reads only the bytes added since the previous one (../lines.ts: a half-written
// last line waits, a file that shrank or was replaced (rotated, truncated, deleted and recreated) is
// read again from its start, a FIFO reads as absent), folds the complete lines into the previous
// reading (parse.ts), on top of what was already known, and returns where to continue.
import { forEachNewLine } from "../lines.js";
import type { SignalReading } from "../types.js";
import { foldLines, type ClaudeMemory } from "./parse.js";
import { autoContinueOffer, transcriptTail } from "./transcript.js";

export interface ClaudeSignalCursor {
  reading: SignalReading;
  /** Bytes of the file consumed: the start of the first line not yet read whole. */
  offset: number;
  /** The file's identity (dev:ino) at `offset`, to notice a replaced file. */
  file?: string;
  memory: ClaudeMemory;
}

export function emptyClaudeReading(): SignalReading {
  return { source: "claude", at: 0, grewAt: 0 };
}

/**
 * Read what was added to `file` since `prev` (undefined: from the start) and fold it in. A missing
 * file gives `prev` back unchanged (or an empty reading: `at` 0 means nothing was ever read).
 * `at` is the signal file's mtime when it last brought a record; `grewAt` when it last brought a
 * record that shows progress (any hook; a statusLine refresh only when its counters moved).
 */
export function readClaudeSignals(file: string, prev?: ClaudeSignalCursor): ClaudeSignalCursor {
  const base: ClaudeSignalCursor = prev ?? { reading: emptyClaudeReading(), offset: 0, memory: {} };
  let reading = base.reading;
  let memory = base.memory;
  let records = 0;
  let progressed = false;
  const got = forEachNewLine(file, base, (lines, mtime) => {
    const fold = foldLines(lines, reading, memory, mtime);
    ({ reading, memory } = fold);
    records += fold.records;
    progressed ||= fold.progressed;
  });
  if (!got) return base;
  const mtime = got.mtimeMs;
  // foldLines returned a new reading (never the caller's) only if there were lines to fold.
  if (reading !== base.reading) {
    if (records) reading.at = mtime;
    if (progressed) reading.grewAt = mtime;
  }
  // While limited, Claude's offer to continue by itself is in the transcript only, and may be
  // written after the lines that said "limited": look on every read until a hook settles it.
  if (reading.state === "limited" && reading.limit && memory.autoContinue === undefined && reading.transcriptPath) {
    const offer = autoContinueOffer(transcriptTail(reading.transcriptPath));
    if (offer !== reading.limit.autoContinue) reading = { ...reading, limit: { ...reading.limit, autoContinue: offer } };
  }
  return { reading, offset: got.offset, file: got.file, memory };
}
