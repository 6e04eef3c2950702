// Incremental reading of a JSON-lines file another process appends to (Codex's rollout, the
// opencode tap's file): each call reads only the bytes added since the previous one and returns the
// complete lines and where to continue. A last line still being written is left for the next call;
// a file that shrank or was replaced (truncated, deleted and recreated: its dev:ino changed) is
// read again from its start. The only I/O of the readers; everything they fold is pure.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface LinesCursor {
  /** Bytes consumed: the start of the first line not yet read whole. */
  offset: number;
  /** The file's identity (dev:ino) at `offset`, to notice a replaced file. */
  file?: string;
}

export interface NewLines extends LinesCursor {
  lines: string[];
  /** The file's mtime (ms) at this read. */
  mtimeMs: number;
  /** True when the file was read again from its start (it shrank or was replaced). */
  restarted: boolean;
}

const CHUNK = 1 << 20;
/**
 * A line this long without a newline is skipped. Codex's first rollout line (session_meta, with
 * its whole system prompt) is ~22 KiB in 0.169.0; nothing either CLI writes comes near this.
 */
export const MAX_LINE = 16 << 20;

/** The complete lines added to `file` since `cursor`, or undefined when it cannot be opened. */
export function readNewLines(file: string, cursor: LinesCursor = { offset: 0 }): NewLines | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    const id = `${st.dev}:${st.ino}`;
    const restarted = (cursor.file !== undefined && cursor.file !== id) || st.size < cursor.offset;
    const from = restarted ? 0 : cursor.offset;
    const { lines, offset } = linesBetween(fd, from, st.size);
    return { lines, offset, file: id, mtimeMs: Math.floor(st.mtimeMs), restarted };
  } finally {
    closeSync(fd);
  }
}

function linesBetween(fd: number, offset: number, size: number): { lines: string[]; offset: number } {
  const lines: string[] = [];
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
      lines.push(...data.subarray(0, cut).toString("utf8").split("\n"));
      carry = data.subarray(cut + 1);
      consumed = pos - carry.length;
    }
    if (carry.length > MAX_LINE) {
      carry = Buffer.alloc(0);
      consumed = pos;
    }
  }
  return { lines, offset: consumed };
}

type Json = Record<string, unknown>;

/** One line → its JSON object, or undefined (blank, torn, not an object). */
export function parseJsonLine(line: string): Json | undefined {
  const t = line.trim();
  if (!t.startsWith("{")) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}
