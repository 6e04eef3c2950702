// Incremental reader of a Claude Code signal file (written by the hooks and statusLine of
// hooks.ts): each call reads only the bytes added since the previous one, folds the complete lines
// into the previous reading (parse.ts) and returns where to continue. A last line still being
// written is left for the next call; a file that shrank or was replaced (rotated, truncated,
// deleted and recreated) is read again from its start, on top of what was already known.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
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

const CHUNK = 1 << 20;
/** A "line" this long without a newline is not one of ours (ours are a few KiB): skip it. */
const MAX_LINE = 8 << 20;

export function emptyClaudeReading(): SignalReading {
  return { source: "claude", at: 0, grewAt: 0 };
}

/**
 * Hand the complete lines from `offset` to the end of the file as it is now to `take`, a chunk at
 * a time (a long file read for the first time never sits in memory whole); returns the new offset.
 */
function readLines(fd: number, offset: number, size: number, take: (lines: string[]) => void): number {
  let carry = Buffer.alloc(0);
  let pos = offset;
  let consumed = offset;
  while (pos < size) {
    const buf = Buffer.alloc(Math.min(CHUNK, size - pos));
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
    const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
    const cut = data.lastIndexOf(0x0a);
    if (cut < 0) {
      carry = data;
    } else {
      // Split bytes, not text: a chunk boundary can fall inside a UTF-8 character.
      take(data.subarray(0, cut).toString("utf8").split("\n"));
      carry = data.subarray(cut + 1);
      consumed = pos - carry.length;
    }
    if (carry.length > MAX_LINE) {
      carry = Buffer.alloc(0);
      consumed = pos;
    }
  }
  return consumed;
}

/**
 * Read what was added to `file` since `prev` (undefined: from the start) and fold it in. A missing
 * file gives `prev` back unchanged (or an empty reading: `at` 0 means nothing was ever read).
 * `at` is the signal file's mtime when it last brought a record; `grewAt` when it last brought a
 * record that shows progress (any hook; a statusLine refresh only when its counters moved).
 */
export function readClaudeSignals(file: string, prev?: ClaudeSignalCursor): ClaudeSignalCursor {
  const base: ClaudeSignalCursor = prev ?? { reading: emptyClaudeReading(), offset: 0, memory: {} };
  let fd: number;
  try {
    // Non-blocking, and only a regular file: a FIFO put there would otherwise hang the watchdog.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return base;
  }
  let reading = base.reading;
  let memory = base.memory;
  let records = 0;
  let progressed = false;
  let offset: number;
  let id: string;
  let mtime: number;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return base;
    id = `${st.dev}:${st.ino}`;
    mtime = Math.floor(st.mtimeMs);
    const replaced = (base.file !== undefined && base.file !== id) || st.size < base.offset;
    offset = readLines(fd, replaced ? 0 : base.offset, st.size, (lines) => {
      const fold = foldLines(lines, reading, memory);
      ({ reading, memory } = fold);
      records += fold.records;
      progressed ||= fold.progressed;
    });
  } finally {
    closeSync(fd);
  }
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
  return { reading, offset, file: id, memory };
}
