// Incremental reader of the opencode tap's file (written by plugin.ts inside opencode): each call
// folds only the lines appended since the previous one. A file that shrank or was replaced is read
// again from its start on top of what was known (its agents.tap line resets a restarted process).
import { readNewLines } from "../lines.js";
import type { SignalReading } from "../types.js";
import { emptyOpencodeMemory, emptyOpencodeReading, foldOpencodeLines, type OpencodeFoldOptions, type OpencodeMemory } from "./parse.js";

export interface OpencodeSignalCursor {
  reading: SignalReading;
  /** Bytes of the file consumed: the start of the first line not yet read whole. */
  offset: number;
  /** The file's identity (dev:ino) at `offset`. */
  file?: string;
  memory: OpencodeMemory;
}

/**
 * Read what the tap appended to `file` since `prev` (undefined: from the start) and fold it in. A
 * missing file gives `prev` back (or an empty reading: `at` 0 means nothing was ever read, e.g. the
 * plugin did not load). `at`/`grewAt` are the newest event's time as the plugin stamped it.
 */
export function readOpencodeSignals(file: string, prev?: OpencodeSignalCursor, opts: OpencodeFoldOptions = {}): OpencodeSignalCursor {
  const base: OpencodeSignalCursor = prev ?? { reading: emptyOpencodeReading(), offset: 0, memory: emptyOpencodeMemory() };
  const got = readNewLines(file, base);
  if (!got) return base;
  const fold = foldOpencodeLines(got.lines, base.reading, base.memory, opts);
  return { reading: fold.reading, offset: got.offset, file: got.file, memory: fold.memory };
}
