// Death forensics: before the watchdog kills, restarts or parks an agent (or notes a drift), keep
// what the screen showed, the pane as tmux describes it, the decision and the session log's tail in
// a record (src/state/records.ts). Must run BEFORE the action: a killed pane's screen is gone. Never
// throws and never fails the action: a record that cannot be saved is a "not saved: ..." string in
// the event instead.
import path from "node:path";
import type { Agent, Fleet } from "../config/load.js";
import type { Tmux } from "../tmux/tmux.js";
import { stripAnsi } from "../detect/ansi.js";
import { writeScreenRecord, type PaneSnapshot } from "../state/records.js";
import { sessionLogTail } from "../state/session-logs.js";

/** Scrollback lines captured above the visible screen. */
export const SCROLLBACK_LINES = 200;
/** The session log's last lines kept, read from at most this many bytes of it. */
export const LOG_TAIL_LINES = 50;
export const LOG_TAIL_BYTES = 64 * 1024;
/** A screen is cut to its last this many characters (a pane can be made very wide). */
export const SCREEN_MAX_CHARS = 256 * 1024;

export interface Decided {
  /** The record's event: "killed", "restarted", "parked", "detection-drift". */
  event: string;
  /** The action type it precedes ("kill", "start", "park", "note"). */
  action: string;
  reason: string;
  evidence?: Record<string, unknown>;
}

/** The last `n` non-empty lines of terminal output, escapes stripped. */
export function tailLines(raw: string, n: number): string[] {
  // A redraw-heavy TUI writes "\r" and cursor moves; stripping leaves its rows as lines.
  const lines = stripAnsi(raw.replace(/\r(?!\n)/g, "\n"))
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  return lines.slice(-n);
}

/**
 * Save a record of `agent` as it is now. Returns the record's file name for the event's `record`
 * field, "not saved: <why>" when writing failed, or undefined when there was nothing to keep (no
 * pane and no session log: a session that never ran).
 */
export async function saveRecord(fleet: Fleet, tmux: Tmux, agent: Agent, d: Decided, now = Date.now()): Promise<string | undefined> {
  try {
    const p = (await tmux.listPanes()).find((x) => x.session === agent.session);
    const pane: PaneSnapshot | null = p
      ? { command: p.command, title: p.title, dead: p.dead, deadStatus: p.deadStatus, deadSignal: p.deadSignal, pid: p.pid }
      : null;
    let screen = p ? await tmux.capture(agent.session, { history: SCROLLBACK_LINES }) : undefined;
    if (screen !== undefined && screen.length > SCREEN_MAX_CHARS) screen = screen.slice(-SCREEN_MAX_CHARS);
    const log = sessionLogTail(fleet, agent.session, LOG_TAIL_BYTES);
    if (!p && !log) return undefined;
    const file = writeScreenRecord(
      fleet,
      {
        agent: agent.name,
        event: d.event,
        at: now,
        reason: d.reason,
        action: d.action,
        evidence: d.evidence,
        pane,
        screen,
        history: screen !== undefined ? SCROLLBACK_LINES : undefined,
        sessionLog: log ? { file: log.file, lines: tailLines(log.text, LOG_TAIL_LINES) } : undefined,
      },
      fleet.watchdog.records_keep,
    );
    return path.basename(file);
  } catch (err) {
    return `not saved: ${(err as Error).message}`;
  }
}
