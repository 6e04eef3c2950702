// Reading back the watchdog's events file (pino JSON lines, written by src/log.ts): the newest
// part only, so a long-lived fleet's file never has to be read whole.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { watchdogEventsFile, type PathFleet } from "./paths.js";

export interface LoggedEvent {
  time?: string;
  level?: number;
  agent?: string;
  action?: string;
  reason?: string;
  [key: string]: unknown;
}

/** The events at the end of the file (at most `maxBytes` of it); unparsable lines are skipped. */
export function readRecentEvents(f: PathFleet, maxBytes = 8 * 1024 * 1024): LoggedEvent[] {
  let fd: number;
  try {
    fd = openSync(watchdogEventsFile(f), "r");
  } catch {
    return [];
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return [];
    const len = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, st.size - len);
    const lines = buf.toString("utf8").split("\n");
    if (len < st.size) lines.shift(); // cut mid-line
    const out: LoggedEvent[] = [];
    for (const l of lines) {
      if (!l) continue;
      try {
        out.push(JSON.parse(l) as LoggedEvent);
      } catch {
        /* a torn or foreign line */
      }
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
