// Incremental reader of a Codex rollout: each call reads only the lines Codex appended since the
// previous one (../lines.ts) and folds them into the previous reading (parse.ts). A rollout that was
// truncated or replaced is read again from its start on top of what was known: its records carry
// absolute totals, so replaying them is harmless.
import type { SignalReading } from "../types.js";
import { readNewLines } from "../lines.js";
import { emptyCodexReading, foldCodexLines, type CodexFoldOptions, type CodexMemory } from "./parse.js";

export interface CodexSignalCursor {
  reading: SignalReading;
  /** Bytes of the rollout consumed: the start of the first line not yet read whole. */
  offset: number;
  /** The rollout's identity (dev:ino) at `offset`. */
  file?: string;
  memory: CodexMemory;
}

/**
 * Read what Codex appended to `file` (a rollout, see findRollout) since `prev` (undefined: from the
 * start) and fold it in. A missing file gives `prev` back (or an empty reading: `at` 0 means nothing
 * was ever read). `at`/`grewAt` are the newest record's own timestamp; `transcriptPath` is the file.
 */
export function readCodexSignals(file: string, prev?: CodexSignalCursor, opts: CodexFoldOptions = {}): CodexSignalCursor {
  const base: CodexSignalCursor = prev ?? { reading: emptyCodexReading(), offset: 0, memory: {} };
  const got = readNewLines(file, base);
  if (!got) return base;
  const fold = foldCodexLines(got.lines, base.reading, base.memory, opts);
  fold.reading.transcriptPath = file;
  return { reading: fold.reading, offset: got.offset, file: got.file, memory: fold.memory };
}
