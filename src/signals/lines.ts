// Incremental reading of a JSON-lines file another process appends to (Claude's signal file,
// Codex's rollout, the opencode tap's file, a transcript being followed): each call reads only the
// bytes added since the previous one, a chunk at a time, and hands over the complete lines and
// where to continue. A last line still being written is left for the next call; a file that shrank
// or was replaced (rotated, truncated, deleted and recreated: its dev:ino changed) is read again
// from its start. Only a regular file is read, opened non-blocking and checked on the open
// descriptor (as state/regular-file.ts does): a FIFO put where the record should be reads as absent
// at once instead of hanging the watchdog until a writer appears. The only I/O of the taps'
// readers; everything they fold is pure.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";

export interface LinesCursor {
  /** Bytes consumed: the start of the first line not yet read whole. */
  offset: number;
  /** The file's identity (dev:ino) at `offset`, to notice a replaced file. */
  file?: string;
}

export interface LinesRead extends LinesCursor {
  /** The file's mtime (ms) at this read. */
  mtimeMs: number;
  /** True when the file was read again from its start (it shrank or was replaced). */
  restarted: boolean;
}

export interface NewLines extends LinesRead {
  lines: string[];
}

/** Read size; exported for tests that cross chunk boundaries. */
export const CHUNK = 1 << 20;
/**
 * A line this long without a newline is skipped. Codex's first rollout line (session_meta, with
 * its whole system prompt) is ~22 KiB in 0.169.0; nothing any CLI or hook writes comes near this.
 */
export const MAX_LINE = 16 << 20;

/**
 * `file` opened read-only, non-blocking, and only if it is a regular file (stat'ed first, then
 * checked again on the open descriptor, so a swap between stat and open is caught too); undefined otherwise (missing,
 * unreadable, a FIFO, a directory, a device). The caller closes the descriptor.
 */
export function openRegular(file: string): number | undefined {
  let fd: number;
  try {
    // Stat first: opening a device can have effects of its own (state/regular-file.ts).
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return undefined;
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    if (fstatSync(fd).isFile()) return fd;
  } catch {
    // fall through: unusable
  }
  closeSync(fd);
  return undefined;
}

/**
 * Hand the complete lines added to `file` since `cursor` to `take`, a chunk's worth at a time (a
 * long file read for the first time never sits in memory whole), with the file's mtime (ms) at
 * this read. Undefined when the file cannot be read (missing, not a regular file); `take` is then
 * never called.
 */
export function forEachNewLine(file: string, cursor: LinesCursor, take: (lines: string[], mtimeMs: number) => void): LinesRead | undefined {
  const fd = openRegular(file);
  if (fd === undefined) return undefined;
  try {
    const st = fstatSync(fd);
    const id = `${st.dev}:${st.ino}`;
    const restarted = (cursor.file !== undefined && cursor.file !== id) || st.size < cursor.offset;
    const mtimeMs = Math.floor(st.mtimeMs);
    const offset = linesBetween(fd, restarted ? 0 : cursor.offset, st.size, (lines) => take(lines, mtimeMs));
    return { offset, file: id, mtimeMs, restarted };
  } finally {
    closeSync(fd);
  }
}

/** The complete lines added to `file` since `cursor`, or undefined when it cannot be read. */
export function readNewLines(file: string, cursor: LinesCursor = { offset: 0 }): NewLines | undefined {
  const lines: string[] = [];
  const got = forEachNewLine(file, cursor, (l) => {
    for (const x of l) lines.push(x);
  });
  return got && { ...got, lines };
}

function linesBetween(fd: number, offset: number, size: number, take: (lines: string[]) => void): number {
  let carry = Buffer.alloc(0);
  let pos = offset;
  let consumed = offset;
  while (pos < size) {
    const buf = Buffer.alloc(Math.min(CHUNK, size - pos));
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, pos);
    } catch {
      break; // EAGAIN and the like: what was read whole stands, the rest waits for the next call
    }
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
