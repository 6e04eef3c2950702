// The bytes a session log gained since we last looked, read by us (no tmux): the change feed tests
// them for lines worth a capture. Bounded (at most `maxBytes` per look, the newest), and safe
// across rotation (log-rotator.ts renames the log aside and the pipe starts a new file: another
// inode) and truncation (a smaller size): either starts over at the new file's beginning.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

interface Cursor {
  ino: number;
  pos: number;
  /** The unfinished last line of the previous look (read again with what follows it). */
  carry: Buffer;
}

/** An unfinished line longer than this is not carried over (a TUI drawing without newlines). */
const CARRY_MAX = 2048;

export class LogFollower {
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly maxBytes = 16_384) {}

  /**
   * Start following `file` at its current end (what is there already is history), unless followed
   * already. A missing file is followed from its start once it appears.
   */
  follow(file: string): void {
    if (this.cursors.has(file)) return;
    const st = this.stat(file);
    this.cursors.set(file, { ino: st?.ino ?? -1, pos: st?.size ?? 0, carry: Buffer.alloc(0) });
  }

  /** Stop following every file not in `keep`. */
  keep(keep: ReadonlySet<string>): void {
    for (const f of this.cursors.keys()) if (!keep.has(f)) this.cursors.delete(f);
  }

  /** What `file` gained since the last look (with the previous unfinished line), or "" when nothing or unreadable. */
  read(file: string): string {
    const cur = this.cursors.get(file) ?? { ino: -1, pos: 0, carry: Buffer.alloc(0) };
    this.cursors.set(file, cur);
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch {
      return "";
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return "";
      if (st.ino !== cur.ino || st.size < cur.pos) {
        cur.ino = st.ino;
        cur.pos = 0;
        cur.carry = Buffer.alloc(0);
      }
      const from = Math.max(cur.pos, st.size - this.maxBytes);
      if (from > cur.pos) cur.carry = Buffer.alloc(0);
      const len = st.size - from;
      if (len <= 0) return "";
      const buf = Buffer.alloc(len);
      const got = readSync(fd, buf, 0, len, from);
      cur.pos = from + got;
      const all = Buffer.concat([cur.carry, buf.subarray(0, got)]);
      // Cut at a newline byte, which never splits a UTF-8 character.
      const nl = all.lastIndexOf(0x0a);
      const rest = all.subarray(nl + 1);
      cur.carry = rest.length <= CARRY_MAX ? Buffer.from(rest) : Buffer.alloc(0);
      return all.toString("utf8");
    } catch {
      return "";
    } finally {
      closeSync(fd);
    }
  }

  private stat(file: string): { ino: number; size: number } | undefined {
    try {
      const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      try {
        const st = fstatSync(fd);
        return st.isFile() ? { ino: st.ino, size: st.size } : undefined;
      } finally {
        closeSync(fd);
      }
    } catch {
      return undefined;
    }
  }
}
