// A validated fleet cached per config file, for verbs that only read (status). Parsing TOML and
// validating with zod costs more than the rest of `agents status` together; the cache key covers
// everything the result depends on: the file's text, its path, the env overrides, this build, and
// what is on disk at every path the file checks named (a prompt file deleted since, or no longer
// readable, is an error). Both files are read only when they are regular files (state/regular-file.ts).
import { statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkPath, type PathCheck, type PathKind } from "./checks.js";
import type { Fleet } from "./types.js";
import { readRegularFile, writeFileAtomic } from "../state/files.js";

/** FNV-1a, enough to name a cache file; loading node:crypto would cost status more than it saves. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "agents", "fleets");
}

/** Every module that turns a config into a fleet: a change to one (a rebuild, an upgrade) changes the stamp. */
const LOADER_MODULES = [
  "./load.js",
  "./parse.js",
  "./resolve.js",
  "./checks.js",
  "./schema.js",
  "./presets.js",
  "./paths.js",
  "./account.js",
  "../state/regular-file.js",
  "../detect/patterns.js",
  "../fleet/command.js",
  "../fleet/template.js",
  "../fleet/shell-scan.js",
  "../fleet/shell-context.js",
];

function buildStamp(): string {
  return LOADER_MODULES.map((rel) => {
    try {
      return String(statSync(new URL(rel, import.meta.url)).mtimeMs);
    } catch {
      return "-";
    }
  }).join(",");
}

/** What a derived account is read from (account.ts). */
const ACCOUNT_ENV = new Set(["HOME", "CLAUDE_CONFIG_DIR", "CODEX_HOME", "XDG_DATA_HOME"]);

function envStamp(env: NodeJS.ProcessEnv): string {
  return Object.keys(env)
    .filter((k) => k.startsWith("AGENT_MODEL_") || k.startsWith("AGENT_BACKEND_") || k === "AGENTS_TMUX_SOCKET" || ACCOUNT_ENV.has(k))
    .sort()
    .map((k) => `${k}=${env[k]}`)
    .join("\n");
}

interface CacheEntry {
  key: string;
  /** Each check and the kind of what was at its path when the fleet passed it. */
  paths: [PathCheck, PathKind][];
  fleet: Fleet;
}

export function cacheFileFor(file: string): string {
  return path.join(cacheDir(), `${fnv1a(file)}-${path.basename(file).replace(/[^\w.-]/g, "_")}.json`);
}

export async function loadFleetCached(configPath: string): Promise<Fleet> {
  const file = path.resolve(configPath);
  let text: string | undefined;
  try {
    text = readRegularFile(file);
  } catch {
    /* the full loader reports a missing file (or a FIFO, a directory) properly */
  }
  const cacheFile = cacheFileFor(file);
  // The key is the material itself, compared in full: no hash collisions to reason about.
  const key = text === undefined ? undefined : [buildStamp(), file, envStamp(process.env), text].join("\0");
  if (key) {
    try {
      const cached = JSON.parse(readRegularFile(cacheFile)) as CacheEntry;
      // Every check again (a stat and an access each): the paths must still be what they were when
      // the fleet passed, and still pass (a file made unreadable since is a problem to report).
      const holds = ([check, kind]: [PathCheck, PathKind]) => {
        const now = checkPath(check);
        return now.kind === kind && now.problem === undefined;
      };
      if (cached.key === key && cached.paths.every(holds)) return cached.fleet;
    } catch {
      /* no cache yet, or an older format */
    }
  }
  const { loadConfig, loadFleet } = await import("./load.js");
  if (text === undefined || key === undefined) return loadConfig(file, { envOverrides: true });
  const { fleet, checks } = loadFleet(file, text, { envOverrides: true });
  const now = checks.map((c) => checkPath(c));
  // Check again for the entry, and keep it only if those checks pass too: a file removed between
  // the check and now must not be recorded as "absent, and fine".
  if (now.every((r) => r.problem === undefined)) {
    const entry: CacheEntry = { key, paths: checks.map((c, i) => [c, now[i]!.kind]), fleet };
    try {
      // Its dir is made by mkdirp (state/mkdirp.ts): an XDG_CACHE_HOME under /proc costs speed, not a hang.
      writeFileAtomic(cacheFile, JSON.stringify(entry));
    } catch {
      /* an unwritable cache only costs speed */
    }
  }
  return fleet;
}
