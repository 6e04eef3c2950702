// Reading a file that a user or an agent could replace (a config, a prompt, a state file, a lock,
// a marker): only a regular file, and never in a way that can block. A FIFO would hang a plain read
// until some writer appears (and with it `status` or the watchdog), and opening a device can have
// effects of its own, so the path is stat'ed first and opened non-blocking, then checked again on
// the open descriptor (it may have been swapped in between). Imports nothing of the project, so
// both config/ and state/ can use it without a cycle.
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync, type Stats } from "node:fs";

/** The path exists but is not a regular file; `what` names what it is ("a directory", "a FIFO"). */
export class NotRegularFile extends Error {
  readonly code = "ENOTREG";
  constructor(
    readonly what: string,
    readonly file: string,
  ) {
    super(`${file}: is ${what}, not a regular file`);
  }
}

function whatIs(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** Open `file` non-blocking, check it is a regular file (before and after the open), hand the fd on. */
function withRegularFd<T>(file: string, use: (fd: number, st: Stats) => T): T {
  const before = statSync(file);
  if (!before.isFile()) throw new NotRegularFile(whatIs(before), file);
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotRegularFile(whatIs(st), file);
    return use(fd, st);
  } finally {
    closeSync(fd);
  }
}

/** The file's text. Throws NotRegularFile, or the fs error (ENOENT, EACCES, ...). */
export function readRegularFile(file: string): string {
  return withRegularFd(file, (fd) => readFileSync(fd, "utf8"));
}

/**
 * The last `maxBytes` of the file as text (the whole file when smaller), read the same careful way.
 * A cut through a multi-byte character leaves one replacement character at the start, no more.
 */
export function readRegularFileTail(file: string, maxBytes: number): string {
  return readRegularFileEnd(file, maxBytes).text;
}

/** readRegularFileTail, with the file's size (so a caller can tell whether the text was cut). */
export function readRegularFileEnd(file: string, maxBytes: number): { text: string; size: number } {
  return withRegularFd(file, (fd, st) => {
    const len = Math.min(st.size, Math.max(0, Math.floor(maxBytes)));
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = readSync(fd, buf, got, len - got, st.size - len + got);
      if (n === 0) break;
      got += n;
    }
    return { text: buf.subarray(0, got).toString("utf8"), size: st.size };
  });
}
