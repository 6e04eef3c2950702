// Reading back the watchdog's events file (pino JSON lines, written by src/log.ts): the newest
// part only, so a long-lived fleet's file never has to be read whole; across a rotation (`.1`).
import { rotatedWatchdogEventsFile, watchdogEventsFile, type PathFleet } from "./paths.js";
import { readRegularFileEnd } from "./regular-file.js";

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
  try {
    const { text, size } = readRegularFileEnd(file, maxBytes);
    const lines = text.split("\n");
    if (maxBytes < size) lines.shift(); // cut mid-line
    return { lines, size };
  } catch {
    return { lines: [], size: 0 };
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
