// The launch side of the Claude Code signal tap: pin the conversation id (`--session-id`, or
// `--resume` of the stored one) and load our hooks and statusLine for this run (`--settings FILE`).
// planClaudeTap is pure; claudeTap does the few reads and writes around it.
//
// How it combines with the user's setup (verified with Claude Code 2.1.330, see the tests):
// - hooks from `--settings` run beside the hooks of ~/.claude/settings.json and the project's
//   files: Claude concatenates hooks across settings sources. Nothing to chain.
// - a `--settings` statusLine replaces the user's: the tap finds theirs (read-only) and chains it.
// - nothing is written to any of Claude's own files; our settings file lives in log_dir/state.
import { existsSync, readdirSync } from "node:fs";
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { Agent } from "../../config/load.js";
import { writeFileAtomic } from "../../state/files.js";
import { claudeSettingsFile, claudeSignalFile, type PathFleet } from "../../state/paths.js";
import { readSessionId, writeSessionId } from "../../state/session-id.js";
import { shellQuote } from "../../tmux/tmux.js";
import type { LaunchTap } from "../types.js";
import { tapSettings, type StatusLineSetting, type TapSettings } from "./hooks.js";
import { findUserStatusLine } from "./user-settings.js";

export interface ClaudeLaunchTap extends LaunchTap {
  /** Always set: the id this run's conversation has (new, or the resumed one). */
  sessionId: string;
  /**
   * True when `args` continue the stored conversation (`--resume <id>`). The tap owns the
   * conversation id: the caller must not also pass a resumeId to buildLaunch.
   */
  resumed: boolean;
  /** Where the hooks and statusLine write (read it with readClaudeSignals). */
  signalFile: string;
  /** Our `--settings` file; undefined when it could not be written (then no signals this run). */
  settingsFile?: string;
  /** The user's settings file whose statusLine is chained, if any. */
  userStatusLineFrom?: string;
  /** Why the tap is incomplete (the settings file could not be written), for a note. */
  problem?: string;
}

export interface ClaudeTapOptions {
  fleet: PathFleet;
  /** Continue the stored conversation when there is one (default: the agent's `resume`). */
  resume?: boolean;
  /** A new conversation id (tests pin it). */
  newId?: () => string;
}

/** What planClaudeTap needs to know, all read beforehand. */
export interface TapInputs {
  signalFile: string;
  settingsFile: string;
  /** The id stored at the previous launch, when resuming is wanted and its transcript exists. */
  resumableId?: string;
  newId: string;
  userStatusLine?: StatusLineSetting;
}

export interface TapPlan {
  args: string[];
  sessionId: string;
  resumed: boolean;
  settings: TapSettings;
}

/** Pure: the arguments and settings document for one launch. */
export function planClaudeTap(i: TapInputs): TapPlan {
  const resumed = i.resumableId !== undefined;
  const sessionId = i.resumableId ?? i.newId;
  // `--session-id` with an id whose conversation exists fails ("Session ID ... is already in
  // use", 2.1.330), and `--resume` of an unknown id exits 1: hence one or the other, never both.
  const idArgs = resumed ? ["--resume", shellQuote(sessionId)] : ["--session-id", shellQuote(sessionId)];
  return {
    args: [...idArgs, "--settings", shellQuote(i.settingsFile)],
    sessionId,
    resumed,
    settings: tapSettings(i.signalFile, i.userStatusLine),
  };
}

/** The agent's session sees its own env over the supervisor's (as in fleet/preseed.ts). */
function envOf(agent: Agent, key: string): string | undefined {
  return agent.env[key] || process.env[key] || undefined;
}

/** Where Claude Code keeps settings.json and projects/ for this agent. */
export function claudeConfigDir(agent: Agent): string {
  return envOf(agent, "CLAUDE_CONFIG_DIR") ?? path.join(envOf(agent, "HOME") ?? os.homedir(), ".claude");
}

/**
 * The transcript of conversation `id`, if Claude has one: `<config>/projects/<folder>/<id>.jsonl`.
 * Looked up in every project folder rather than by re-deriving Claude's folder name from the cwd
 * (its own escaping, with a hash for long paths): the id is a UUID, so a match is the match.
 */
export function findTranscript(configDir: string, id: string): string | undefined {
  for (const folder of claudeProjectFolders(configDir)) {
    const file = path.join(folder, `${id}.jsonl`);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Every project folder under a Claude config dir (`<config>/projects/*`); none when it has none. */
export function claudeProjectFolders(configDir: string): string[] {
  const projects = path.join(configDir, "projects");
  try {
    return readdirSync(projects).map((f) => path.join(projects, f));
  } catch {
    return [];
  }
}

/**
 * Prepare one launch of a Claude Code agent: decide the conversation id (store it), write our
 * settings file, return the arguments to add. Never throws for log_dir trouble: a start must not
 * fail because log_dir is read-only or full; the tap then runs without signals (`problem` says why).
 */
export function claudeTap(agent: Agent, opts: ClaudeTapOptions): ClaudeLaunchTap {
  const { fleet } = opts;
  const configDir = claudeConfigDir(agent);
  const stored = (opts.resume ?? agent.resume) ? readSessionId(fleet, agent.name) : undefined;
  const resumableId = stored && findTranscript(configDir, stored) ? stored : undefined;
  const user = findUserStatusLine(agent.dir, configDir);
  const signalFile = claudeSignalFile(fleet, agent.name);
  const settingsFile = claudeSettingsFile(fleet, agent.name);
  const plan = planClaudeTap({
    signalFile,
    settingsFile,
    resumableId,
    newId: (opts.newId ?? randomUUID)(),
    userStatusLine: user?.statusLine,
  });
  const tap: ClaudeLaunchTap = {
    args: plan.args,
    env: {},
    sessionId: plan.sessionId,
    resumed: plan.resumed,
    signalFile,
    settingsFile,
    userStatusLineFrom: user?.file,
  };
  try {
    writeFileAtomic(settingsFile, JSON.stringify(plan.settings, null, 2) + "\n");
  } catch (err) {
    // Without the file the flag would make Claude exit: launch pinned, but untapped.
    tap.args = plan.args.slice(0, 2);
    tap.settingsFile = undefined;
    tap.problem = `could not write ${settingsFile}: ${(err as Error).message}`;
  }
  try {
    if (!plan.resumed) writeSessionId(fleet, agent.name, plan.sessionId);
  } catch (err) {
    tap.problem ??= `could not store the session id: ${(err as Error).message}`;
  }
  return tap;
}
