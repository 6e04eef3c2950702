// Reading back the watchdog's events file (pino JSON lines, written by src/log.ts): the newest
// part only, so a long-lived fleet's file never has to be read whole; across a rotation (`.1`).
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { rotatedWatchdogEventsFile, watchdogEventsFile, type PathFleet } from "./paths.js";

export interface LoggedEvent {
  time?: string;
  level?: number;
  agent?: string;
  action?: string;
  reason?: string;
  [key: string]: unknown;
}

/** The last `maxBytes` of a regular file as whole lines, and the file's size; none when unreadable. */
function tailLines(file: string, maxBytes: number): { lines: string[]; size: number } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return { lines: [], size: 0 };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { lines: [], size: 0 };
    const len = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, st.size - len);
    const lines = buf.toString("utf8").split("\n");
    if (len < st.size) lines.shift(); // cut mid-line
    return { lines, size: st.size };
  } finally {
    closeSync(fd);
  }
}

/**
 * The events at the end of the log (at most `maxBytes` of it): the live file, topped up from the
 * newest rotated part when a rotation left the live one short. Unparsable lines are skipped.
 */
export function readRecentEvents(f: PathFleet, maxBytes = 8 * 1024 * 1024): LoggedEvent[] {
  const live = tailLines(watchdogEventsFile(f), maxBytes);
  const older = live.size < maxBytes ? tailLines(rotatedWatchdogEventsFile(f, 1), maxBytes - live.size).lines : [];
  const out: LoggedEvent[] = [];
  for (const l of [...older, ...live.lines]) {
    if (!l) continue;
    try {
      out.push(JSON.parse(l) as LoggedEvent);
    } catch {
      /* a torn or foreign line */
    }
  }
  return out;
}
