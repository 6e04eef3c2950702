// Every path the product writes under log_dir, in one place: reading this file lists them all.
// Nothing outside src/state/ joins a path under log_dir. The few files that must not depend on
// log_dir (the lock, and fallbacks for when log_dir cannot be written) live in a private runtime
// dir keyed by log_dir; their paths are built here too.
import { createHash } from "node:crypto";
import { lstatSync, chmodSync, rmdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Fleet } from "../config/load.js";
import { mkdirp } from "./mkdirp.js";

/** What a path needs to know of the fleet (kept narrow so callers can pass plain config). */
export type PathFleet = Pick<Fleet, "logDir" | "watchdogSession" | "loop">;

/** Machine state the user never edits: watchdog state and lock, markers, kickoffs, ids. */
export const stateDir = (f: PathFleet): string => path.join(f.logDir, "state");

/** The watchdog's persisted memory (restart history, holds, handoff sha, heartbeat). */
export const watchdogStateFile = (f: PathFleet): string => path.join(stateDir(f), "watchdog.json");
/**
 * One watchdog per fleet: its pid and process start time. In the runtime dir, not log_dir, so
 * deleting log_dir cannot take the lock with it (a second watchdog would then start beside the first).
 */
export const watchdogLockFile = (f: PathFleet): string => {
  const file = path.join(runtimeDir(f), "watchdog.lock");
  legacyLocks.set(file, legacyWatchdogLockFile(f));
  return file;
};
/** Where watchdogs before the runtime dir kept the lock; still honoured (and still written). */
export const legacyWatchdogLockFile = (f: PathFleet): string => path.join(stateDir(f), "watchdog.lock");
/**
 * The legacy lock belonging to a lock path watchdogLockFile returned. A memo, so that callers
 * holding only the path (`holderOf(watchdogLockFile(fleet))`) still see an older watchdog: the
 * runtime path is a one-way hash of log_dir and cannot be turned back into it.
 */
const legacyLocks = new Map<string, string>();
export const legacyLockOf = (lockFile: string): string | undefined => legacyLocks.get(lockFile);
/** Every decision the watchdog takes, as pino JSON lines (`agents logs watchdog`). */
export const watchdogEventsFile = (f: PathFleet): string => path.join(f.logDir, `${f.watchdogSession}.events.jsonl`);
/** Its rotated parts, `.1` the newest (state/parts.ts rotatedPart, the same name). */
export const rotatedWatchdogEventsFile = (f: PathFleet, n: number): string => `${watchdogEventsFile(f)}.${n}`;

/** A parked agent is left alone until `agents up <name>` removes its marker. */
export const parkedDir = (f: PathFleet): string => path.join(stateDir(f), "parked");
export const parkedMarkerFile = (f: PathFleet, agent: string): string => path.join(parkedDir(f), `${agent}.json`);

/** The kickoff prompt handed to an agent at its last start. */
export const kickoffFile = (f: PathFleet, session: string): string => path.join(stateDir(f), `kickoff-${session}.txt`);
/** A conversation id the backend resumes (`resume = true`). */
export const resumeIdFile = (f: PathFleet, agent: string): string => path.join(stateDir(f), `${agent}.id`);
/** The conversation id pinned at the agent's last launch (Claude's `--session-id`), reused to resume. */
export const sessionIdFile = (f: PathFleet, agent: string): string => path.join(stateDir(f), `${agent}.session-id`);
/** Claude Code's hooks and statusLine append one JSON line per event here (src/signals/claude). */
export const claudeSignalFile = (f: PathFleet, agent: string): string => path.join(stateDir(f), `${agent}.claude-signals.jsonl`);
/** The `--settings` file that installs those hooks for one run (ours; the user's files are never written). */
export const claudeSettingsFile = (f: PathFleet, agent: string): string => path.join(stateDir(f), `${agent}.claude-settings.json`);
/** opencode's bus events, one JSON line each, as our plugin writes them (src/signals/opencode). */
export const opencodeSignalFile = (f: PathFleet, agent: string): string => path.join(stateDir(f), `${agent}.opencode-signals.jsonl`);
/** Evidence records (the screen at a detection-drift, or before a kill, restart or park), one JSON file per event. */
export const recordsDir = (f: PathFleet): string => path.join(stateDir(f), "records");
export const screenRecordFile = (f: PathFleet, agent: string, event: string, at: number): string =>
  path.join(recordsDir(f), `${agent}-${event}-${new Date(at).toISOString().replace(/[:.]/g, "-")}.json`);
/** Notifications not yet delivered and each sink's health (src/notify/; sinks keyed by a hash, no secrets). */
export const notifyStateFile = (f: PathFleet): string => path.join(stateDir(f), "notify.json");
/** What `agents service run` printed when launchd or cron started it (systemd keeps it in the journal). */
export const serviceLogFile = (f: PathFleet): string => path.join(f.logDir, `${f.watchdogSession}.service.log`);
/** Everything a session's pane printed (tmux pipe-pane). */
export const sessionLogFile = (f: PathFleet, session: string): string => path.join(f.logDir, `${session}.log`);
/** An older part of a session log, moved aside by rotation: `.1` is the newest. */
export const rotatedSessionLogFile = (f: PathFleet, session: string, n: number): string => `${sessionLogFile(f, session)}.${n}`;

/** Which loop phase the fleet is in (a bare integer, as the reference wrote it). */
export const phaseIndexFile = (f: PathFleet): string => path.join(stateDir(f), f.loop.state_file);
/** Written when the last phase is done; its presence stops the loops. */
export const sequenceCompleteFile = (f: PathFleet): string => path.join(f.logDir, "SEQUENCE-COMPLETE");
/** Created by the user (or an agent) to run loop.on_complete; consumed when it runs. */
export const onCompleteTriggerFile = (f: PathFleet): string | undefined =>
  f.loop.on_complete ? path.join(f.logDir, f.loop.on_complete.trigger_file) : undefined;

/**
 * Create log_dir and its state dir (a start writes its kickoff and session log there). Never
 * throws: a start must not fail because log_dir cannot be made (read-only, full, a file in the
 * way); what cannot be written there falls back to the runtime dir. Returns the error, if any.
 */
export function ensureLogDirs(f: PathFleet): NodeJS.ErrnoException | undefined {
  try {
    mkdirp(stateDir(f));
    return undefined;
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
}

// --- the runtime dir: private (0700), per user, outside log_dir ---------------------------------

/** `$XDG_RUNTIME_DIR/agents`, else `<tmpdir>/agents-<uid>`: per user, never under log_dir. */
export function runtimeRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, "agents");
  return path.join(os.tmpdir(), `agents-${process.getuid?.() ?? os.userInfo().username}`);
}

/** A stable short name for one log_dir: two fleets with different log_dirs never share files. */
export const logDirKey = (f: PathFleet): string => createHash("sha256").update(path.resolve(f.logDir)).digest("hex").slice(0, 16);

/** This fleet's runtime dir. */
export const runtimeDir = (f: PathFleet): string => path.join(runtimeRoot(), logDirKey(f));
/** A kickoff written here when log_dir's state dir cannot be written: a start must not depend on log_dir. */
export const fallbackKickoffFile = (f: PathFleet, session: string): string => path.join(runtimeDir(f), `kickoff-${session}.txt`);
/** Watchdog events written here while the events file in log_dir cannot be. */
export const fallbackEventsFile = (f: PathFleet): string => path.join(runtimeDir(f), `${f.watchdogSession}.events.jsonl`);

/**
 * Create the runtime dir (mode 0700). Under a shared tmpdir someone else could have made
 * `agents-<uid>` first (or a symlink there) to read or plant our files: refuse any root that is
 * not a real directory of ours, and tighten one of ours that is too open.
 */
export function ensureRuntimeDir(f: PathFleet): string {
  const root = runtimeRoot();
  mkdirp(root, { mode: 0o700 });
  const st = lstatSync(root);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw Object.assign(new Error(`${root} is not a directory owned by this user; refusing to use it`), { code: "EPERM" });
  }
  if ((st.mode & 0o077) !== 0) chmodSync(root, 0o700);
  const dir = runtimeDir(f);
  mkdirp(dir, { mode: 0o700 });
  return dir;
}

/** Remove this fleet's runtime dir and the root when they are empty (a stopped fleet leaves nothing). */
export function tidyRuntimeDir(f: PathFleet): void {
  for (const dir of [runtimeDir(f), runtimeRoot()]) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty (another fleet's, a fallback file) or already gone: leave it
    }
  }
}
