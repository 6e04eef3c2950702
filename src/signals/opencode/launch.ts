// The launch side of the opencode tap: load our plugin (plugin.ts) for this run through
// OPENCODE_CONFIG_CONTENT, tell it where to write (AGENTS_OPENCODE_SIGNALS), and continue a session
// with `--session <id>`. Pure apart from locating the plugin file.
//
// Why a plugin and not opencode's own records (1.18.33): its sessions, messages and parts live in
// SQLite ($XDG_DATA_HOME/opencode/opencode.db, WAL), which Node 20 cannot read without a native
// module or a sqlite3 process per read; its HTTP API (`--port N`: GET /session/status, SSE /event)
// needs a port per agent and answers anyone on the machine with full control of the agent; its log
// ($XDG_DATA_HOME/opencode/log/opencode.log) is shared by every opencode of that user, and has
// neither tokens nor cost. The plugin gets the same bus events the API streams, in-process, and we
// tail one file per agent under log_dir, as for Claude's hooks and Codex's rollout.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { shellQuote } from "../../tmux/tmux.js";
import type { LaunchTap } from "../types.js";

/** The variable that names the tap's file (plugin.ts writes only when it is set). */
export const OPENCODE_SIGNALS_ENV = "AGENTS_OPENCODE_SIGNALS";

/** opencode session ids ("ses_dca7d82e0ffebDQGoLvvaAFEck"); anything else would be refused anyway. */
const SESSION_ID = /^ses_[A-Za-z0-9]+$/;

export const isOpencodeSessionId = (id: string): boolean => SESSION_ID.test(id);

/**
 * The plugin as a file:// URL: the compiled plugin.js beside this module, or plugin.ts when running
 * from source (tests): opencode runs on Bun, which loads TypeScript as it is.
 */
export function opencodePluginUrl(): string {
  const js = new URL("./plugin.js", import.meta.url);
  const file = existsSync(fileURLToPath(js)) ? js : new URL("./plugin.ts", import.meta.url);
  return pathToFileURL(fileURLToPath(file)).href;
}

/**
 * OPENCODE_CONFIG_CONTENT with our plugin added: opencode reads it as one more config layer (its
 * `plugin` lists are merged across layers), so the user's plugins and settings stay as they are.
 * `existing` is what the run would set anyway (the agent's env, or a `{model}` from model_env);
 * when it is not a JSON object it is kept out rather than guessed at.
 */
export function opencodeConfigContent(existing: string | undefined, pluginUrl: string): string {
  let base: Record<string, unknown> = {};
  try {
    const v: unknown = existing ? JSON.parse(existing) : {};
    if (typeof v === "object" && v !== null && !Array.isArray(v)) base = v as Record<string, unknown>;
  } catch {
    // not JSON: opencode would reject it too
  }
  const plugins = Array.isArray(base.plugin) ? base.plugin.filter((p) => p !== pluginUrl) : [];
  return JSON.stringify({ ...base, plugin: [...plugins, pluginUrl] });
}

/**
 * Pure: the arguments that continue `sessionId`. opencode 1.18.33 exits 1 at start-up ("Error:
 * Session not found: <id>") for an unknown id, and does not submit a `--prompt` given together with
 * `--session` (seen live): a resumed agent gets its prompt typed, not passed.
 */
export function opencodeResumeArgs(sessionId: string): string[] {
  if (!isOpencodeSessionId(sessionId)) throw new Error(`not an opencode session id: ${JSON.stringify(sessionId)}`);
  return ["--session", sessionId];
}

export interface OpencodeTapInputs {
  /** Where the plugin writes (paths.ts: opencodeSignalFile). */
  signalFile: string;
  /** OPENCODE_CONFIG_CONTENT the run would have without the tap. */
  configContent?: string;
  /** A session to continue (its id, as a reading's sessionId gave it). */
  resumeId?: string;
  pluginUrl?: string;
}

export interface OpencodeLaunchTap extends LaunchTap {
  signalFile: string;
}

/** Pure: the env (and, to resume, the args, shell-quoted) that load the tap for one run. */
export function opencodeTap(i: OpencodeTapInputs): OpencodeLaunchTap {
  const resume = i.resumeId && isOpencodeSessionId(i.resumeId) ? i.resumeId : undefined;
  return {
    args: resume ? opencodeResumeArgs(resume).map(shellQuote) : [],
    env: {
      [OPENCODE_SIGNALS_ENV]: i.signalFile,
      OPENCODE_CONFIG_CONTENT: opencodeConfigContent(i.configContent, i.pluginUrl ?? opencodePluginUrl()),
    },
    sessionId: resume,
    signalFile: i.signalFile,
  };
}
