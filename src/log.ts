// Structured events (pino, JSON lines in log_dir) for every decision the watchdog takes, plus a
// short human line on stdout for whoever attaches to the watchdog's tmux session.
import { mkdirSync } from "node:fs";
import path from "node:path";
import pino from "pino";

export interface EventFields {
  agent?: string;
  action: string;
  reason?: string;
  [key: string]: unknown;
}

export interface EventLog {
  event(level: "info" | "warn" | "error", fields: EventFields): void;
  flush(): void;
}

/**
 * The human echo goes to stdout, which for the watchdog is a tmux pane that vanishes when its
 * session is killed: a write error there must never become an exception.
 */
let stdoutGuarded = false;
function safeStdout(line: string): void {
  if (!stdoutGuarded) {
    process.stdout.on("error", () => {});
    process.stderr.on("error", () => {});
    stdoutGuarded = true;
  }
  try {
    process.stdout.write(line + "\n");
  } catch {
    /* the pane is gone; the JSON event file still has the line */
  }
}

export function createEventLog(file: string, echo: (line: string) => void = safeStdout): EventLog {
  mkdirSync(path.dirname(file), { recursive: true });
  // Synchronous writes: a watchdog killed mid-tick must not lose the line explaining its last action.
  const dest = pino.destination({ dest: file, sync: true, mkdir: true });
  const logger = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, dest);
  return {
    event(level, fields) {
      logger[level](fields);
      const who = fields.agent ? `${fields.agent}: ` : "";
      const why = fields.reason ? ` (${fields.reason})` : "";
      const time = new Date().toTimeString().slice(0, 8);
      echo(`[${time}] ${level === "info" ? "" : level.toUpperCase() + " "}${who}${fields.action}${why}`);
    },
    flush() {
      dest.flushSync();
    },
  };
}

/** For places that must log but have nowhere to put it (tests, one-off CLI verbs). */
export const nullEventLog: EventLog = { event() {}, flush() {} };
