// Before an agent starts, mark its folder as trusted in the CLI's own config, so an unattended
// start never stops at "Do you trust this folder?" (whose default answer exits the CLI).
// Only the one trust entry is ever added; everything else in the user's files is left as it was.
import { existsSync, realpathSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import type { Agent } from "../config/load.js";
import { NotRegularFile, readRegularFile, writeFileAtomic } from "../state/files.js";

export type PreseedKind = "claude" | "codex";

/** Which CLI an agent's backend runs: by backend name, else by the program its `bin` starts. */
export function preseedKind(agent: Agent): PreseedKind | undefined {
  const names = [agent.backend.name, agent.backendName];
  const first = agent.backend.bin.trim().split(/\s+/).find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? "";
  names.push(path.basename(first.replace(/^['"]|['"]$/g, "")));
  for (const n of names) {
    if (n === "claude" || n === "claude-code") return "claude";
    if (n === "codex") return "codex";
  }
  return undefined;
}

/** The agent's session sees its own env over the supervisor's, so look there first. */
function envOf(agent: Agent, key: string): string | undefined {
  const v = agent.env[key] ?? process.env[key];
  return v ? v : undefined;
}

function homeOf(agent: Agent): string {
  return envOf(agent, "HOME") ?? os.homedir();
}

/** Where Claude Code keeps `.claude.json` for this agent. */
export function claudeConfigFile(agent: Agent): string {
  // CLAUDE_CONFIG_DIR moves .claude.json into that folder instead of HOME.
  const dir = envOf(agent, "CLAUDE_CONFIG_DIR") ?? homeOf(agent);
  return path.join(dir, ".claude.json");
}

/** Where Codex keeps `config.toml` for this agent. */
export function codexConfigFile(agent: Agent): string {
  const dir = envOf(agent, "CODEX_HOME") ?? path.join(homeOf(agent), ".codex");
  return path.join(dir, "config.toml");
}

export async function prepareAgentHome(agent: Agent): Promise<void> {
  if (!agent.backend.preseed_trust) return;
  const kind = preseedKind(agent);
  if (!kind) return;
  for (const dir of trustKeys(agent.dir)) {
    if (kind === "claude") trustClaude(claudeConfigFile(agent), dir);
    else trustCodex(codexConfigFile(agent), dir);
  }
}

/**
 * The dir as configured and, when a symlink is on the way (macOS /tmp, a linked workspace), as the
 * CLI will see it: the process's cwd is the physical path, and that is what the CLI looks up.
 */
export function trustKeys(dir: string): string[] {
  const logical = path.resolve(dir);
  let physical = logical;
  try {
    physical = realpathSync(logical);
  } catch {
    // not created yet: launching creates it, with no symlink in between
  }
  return physical === logical ? [logical] : [logical, physical];
}

/**
 * Set projects[dir].hasTrustDialogAccepted in Claude Code's config. A missing file is left missing:
 * the first run needs the user's own login and onboarding, which we must not fake. A file we
 * cannot parse (or that is not a regular file) is left alone too: rewriting it would destroy the
 * user's settings.
 */
export function trustClaude(file: string, dir: string): boolean {
  if (!existsSync(file)) return false;
  const text = readIfRegular(file);
  if (text === undefined) return false;
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch {
    return false;
  }
  if (!isObject(cfg)) return false;
  const projects = cfg.projects;
  if (projects !== undefined && !isObject(projects)) return false;
  const entry = projects?.[dir];
  if (entry !== undefined && !isObject(entry)) return false;
  if (entry?.hasTrustDialogAccepted === true) return false;
  const next = { ...cfg, projects: { ...(projects ?? {}), [dir]: { ...(entry ?? {}), hasTrustDialogAccepted: true } } };
  // Claude Code writes this file with two-space indentation; keep the user's diff small.
  writeKeepingMode(file, JSON.stringify(next, null, 2) + (text.endsWith("\n") ? "\n" : ""));
  return true;
}

/**
 * Append `[projects."<dir>"] trust_level = "trusted"` to Codex's config.toml unless the project
 * already has a trust level. Appended as text, not re-serialised, so the user's comments and
 * layout survive. An unparsable file is left alone (Codex would refuse it anyway, and the error
 * it prints is more useful than our edit).
 */
export function trustCodex(file: string, dir: string): boolean {
  // No Codex folder at all means Codex was never set up here; its first run needs the user.
  if (!existsSync(path.dirname(file))) return false;
  const text = existsSync(file) ? readIfRegular(file) : "";
  if (text === undefined) return false;
  let cfg: Record<string, unknown>;
  try {
    cfg = parseToml(text) as Record<string, unknown>;
  } catch {
    return false;
  }
  const projects = cfg.projects;
  if (projects !== undefined && !isObject(projects)) return false;
  const entry = projects?.[dir];
  if (entry !== undefined) {
    // The user already decided about this folder (maybe "untrusted"): respect it. A table that
    // exists without trust_level can't be reopened by appending a second header (TOML forbids
    // defining a table twice), so leave it too.
    return false;
  }
  const sep = text === "" || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
  const block = `${sep}[projects.${tomlKey(dir)}]\ntrust_level = "trusted"\n`;
  writeKeepingMode(file, text + block);
  return true;
}

/** A TOML basic-string key: paths may hold quotes, backslashes or control characters. */
export function tomlKey(s: string): string {
  return `"${s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === "\\") return "\\\\";
    if (c === '"') return '\\"';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  })}"`;
}

/**
 * The file's text; undefined when something other than a regular file is there (not ours to
 * edit, and a FIFO must not hang a start). Other errors (EACCES) reach the caller as before.
 */
function readIfRegular(file: string): string | undefined {
  try {
    return readRegularFile(file);
  } catch (err) {
    if (err instanceof NotRegularFile) return undefined;
    throw err;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}


/**
 * Temp file + rename, so the CLI (which may be starting in another session right now) reads
 * either the old file or the new one, never half of one. The temp file gets the old file's mode
 * before any content is written: .claude.json holds account details and is often 0600.
 */
function writeKeepingMode(link: string, content: string): void {
  // Dotfile managers symlink these files; replace the file the link points at, not the link.
  const file = existsSync(link) ? realpathSync(link) : link;
  writeFileAtomic(file, content, { mode: existsSync(file) ? statSync(file).mode & 0o777 : 0o600 });
}
