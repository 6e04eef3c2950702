// Every path the product writes under log_dir, in one place: reading this file lists them all.
// Nothing outside src/state/ joins a path under log_dir.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Fleet } from "../config/load.js";

/** What a path needs to know of the fleet (kept narrow so callers can pass plain config). */
export type PathFleet = Pick<Fleet, "logDir" | "watchdogSession" | "loop">;

/** Machine state the user never edits: watchdog state and lock, markers, kickoffs, ids. */
export const stateDir = (f: PathFleet): string => path.join(f.logDir, "state");

/** The watchdog's persisted memory (restart history, holds, handoff sha, heartbeat). */
export const watchdogStateFile = (f: PathFleet): string => path.join(stateDir(f), "watchdog.json");
/** One watchdog per fleet: its pid and process start time. */
export const watchdogLockFile = (f: PathFleet): string => path.join(stateDir(f), "watchdog.lock");
/** Every decision the watchdog takes, as pino JSON lines (`agents logs watchdog`). */
export const watchdogEventsFile = (f: PathFleet): string => path.join(f.logDir, `${f.watchdogSession}.events.jsonl`);

/** A parked agent is left alone until `agents up <name>` removes its marker. */
export const parkedDir = (f: PathFleet): string => path.join(stateDir(f), "parked");
export const parkedMarkerFile = (f: PathFleet, agent: string): string => path.join(parkedDir(f), `${agent}.json`);

/** The kickoff prompt handed to an agent at its last start. */
export const kickoffFile = (f: PathFleet, session: string): string => path.join(stateDir(f), `kickoff-${session}.txt`);
/** A conversation id the backend resumes (`resume = true`). */
export const resumeIdFile = (f: PathFleet, agent: string): string => path.join(stateDir(f), `${agent}.id`);
/** Everything a session's pane printed (tmux pipe-pane). */
export const sessionLogFile = (f: PathFleet, session: string): string => path.join(f.logDir, `${session}.log`);

/** Which loop phase the fleet is in (a bare integer, as the reference wrote it). */
export const phaseIndexFile = (f: PathFleet): string => path.join(stateDir(f), f.loop.state_file);
/** Written when the last phase is done; its presence stops the loops. */
export const sequenceCompleteFile = (f: PathFleet): string => path.join(f.logDir, "SEQUENCE-COMPLETE");
/** Created by the user (or an agent) to run loop.on_complete; consumed when it runs. */
export const onCompleteTriggerFile = (f: PathFleet): string | undefined =>
  f.loop.on_complete ? path.join(f.logDir, f.loop.on_complete.trigger_file) : undefined;

/** Create log_dir and its state dir (a start writes its kickoff and session log there). */
export function ensureLogDirs(f: PathFleet): void {
  mkdirSync(stateDir(f), { recursive: true });
}
