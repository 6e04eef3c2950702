// Structured events (pino, JSON lines in log_dir) for every decision the watchdog takes, plus a
// short human line on stdout for whoever attaches to the watchdog's tmux session. The event file
// is an AppendSink: a deleted log_dir is recreated, an unwritable one degrades to a fallback file,
// and neither ever throws into the watchdog.
import pino from "pino";
import { AppendSink, type SinkChange } from "./state/append.js";

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

export interface EventLogOptions {
  /** Where events go while `file` cannot be written (see AppendSink). */
  fallback?: () => string;
  /** Sees every event after it is written (the notifier); what it throws is swallowed. */
  onEvent?: (level: "info" | "warn" | "error", fields: EventFields) => void;
  /** Rotate the file past this many bytes, keeping `keep` parts ([defaults] log_max_bytes / log_keep). */
  maxBytes?: number;
  keep?: number;
}

const CHANGE_EVENTS: Record<SinkChange["kind"], { action: string; level: "error" | "warn" | "info" }> = {
  degraded: { action: "event-log-degraded", level: "warn" },
  recovered: { action: "event-log-recovered", level: "info" },
  reopened: { action: "event-log-reopened", level: "warn" },
  // The first line of the new file, saying where the earlier ones went.
  rotated: { action: "events-rotated", level: "info" },
  "rotate-failed": { action: "events-rotate-failed", level: "error" },
};

export function createEventLog(file: string, echo: (line: string) => void = safeStdout, opts: EventLogOptions = {}): EventLog {
  // Synchronous writes: a watchdog killed mid-tick must not lose the line explaining its last action.
  const sink = new AppendSink(file, { fallback: opts.fallback, maxBytes: opts.maxBytes, keep: opts.keep });
  const logger = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, sink);
  const emit = (level: "info" | "warn" | "error", fields: EventFields) => {
    logger[level](fields);
    const who = fields.agent ? `${fields.agent}: ` : "";
    const why = fields.reason ? ` (${fields.reason})` : "";
    const time = new Date().toTimeString().slice(0, 8);
    echo(`[${time}] ${level === "info" ? "" : level.toUpperCase() + " "}${who}${fields.action}${why}`);
    try {
      opts.onEvent?.(level, fields);
    } catch {
      /* an observer must never break logging, least of all the watchdog's */
    }
  };
  return {
    event(level, fields) {
      emit(level, fields);
      // What happened to the file while writing that line is itself an event (written after it;
      // bounded, since writing these can change the file's state once more at most).
      for (let round = 0; round < 3; round++) {
        const changes = sink.takeChanges();
        if (changes.length === 0) break;
        for (const c of changes) emit(CHANGE_EVENTS[c.kind].level, { action: CHANGE_EVENTS[c.kind].action, reason: c.reason });
      }
    },
    flush() {
      /* every line is written synchronously: nothing is buffered */
    },
  };
}

/**
 * Reports a failure that repeats every tick once per condition: the first failure, a change of
 * errno, and the recovery. `next` is the pure decision; ConditionReport applies it to a log.
 */
export function nextCondition(
  current: string | undefined,
  outcome: { ok: true } | { ok: false; errno: string },
): { current: string | undefined; report?: "failed" | "recovered" } {
  if (outcome.ok) return current === undefined ? { current } : { current: undefined, report: "recovered" };
  return outcome.errno === current ? { current } : { current: outcome.errno, report: "failed" };
}

export class ConditionReport {
  private current: string | undefined;
  constructor(
    private readonly log: EventLog,
    private readonly actions: { failed: string; recovered: string },
  ) {}

  failed(err: unknown, what: string): void {
    const e = err as NodeJS.ErrnoException;
    const errno = e?.code ?? "EIO";
    const r = nextCondition(this.current, { ok: false, errno });
    this.current = r.current;
    if (r.report) this.log.event("error", { action: this.actions.failed, errno, reason: `${what}: ${e?.message ?? String(err)}; retrying every tick` });
  }

  ok(what: string): void {
    const was = this.current;
    const r = nextCondition(this.current, { ok: true });
    this.current = r.current;
    if (r.report) this.log.event("info", { action: this.actions.recovered, reason: `${what} works again (was ${was})` });
  }
}

/** For places that must log but have nowhere to put it (tests, one-off CLI verbs). */
export const nullEventLog: EventLog = { event() {}, flush() {} };
