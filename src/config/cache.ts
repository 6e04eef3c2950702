// A validated fleet cached per config file, for verbs that only read (status). Parsing TOML and
// validating with zod costs more than the rest of `agents status` together; the cache key covers
// everything the result depends on: the file's text, its path, the env overrides, this build, and
// what is on disk at every path the file checks named (a prompt file deleted since is an error).
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathKind, pathProblem, type PathKind } from "./checks.js";
import type { Fleet } from "./types.js";
import { writeFileAtomic } from "../state/files.js";

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
  "../detect/patterns.js",
  "../fleet/command.js",
  "../fleet/template.js",
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

function envStamp(env: NodeJS.ProcessEnv): string {
  return Object.keys(env)
    .filter((k) => k.startsWith("AGENT_MODEL_") || k.startsWith("AGENT_BACKEND_") || k === "AGENTS_TMUX_SOCKET" || k === "HOME")
    .sort()
    .map((k) => `${k}=${env[k]}`)
    .join("\n");
}

interface CacheEntry {
  key: string;
  /** Each checked path and what was there when the fleet passed its checks. */
  paths: [string, PathKind][];
  fleet: Fleet;
}

export function cacheFileFor(file: string): string {
  return path.join(cacheDir(), `${fnv1a(file)}-${path.basename(file).replace(/[^\w.-]/g, "_")}.json`);
}

export async function loadFleetCached(configPath: string): Promise<Fleet> {
  const file = path.resolve(configPath);
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    /* the full loader reports a missing file properly */
  }
  const cacheFile = cacheFileFor(file);
  // The key is the material itself, compared in full: no hash collisions to reason about.
  const key = text === undefined ? undefined : [buildStamp(), file, envStamp(process.env), text].join("\0");
  if (key) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as CacheEntry;
      // A stat per checked path: the files must still be what they were when the fleet passed.
      if (cached.key === key && cached.paths.every(([p, kind]) => pathKind(p) === kind)) return cached.fleet;
    } catch {
      /* no cache yet, or an older format */
    }
  }
  const { loadConfig, loadFleet } = await import("./load.js");
  if (text === undefined || key === undefined) return loadConfig(file, { envOverrides: true });
  const { fleet, checks } = loadFleet(file, text, { envOverrides: true });
  const kinds = checks.map((c) => pathKind(c.path));
  // Stat again for the entry, and keep it only if those stats pass too: a file removed between the
  // check and now must not be recorded as "absent, and fine".
  if (checks.every((c, i) => pathProblem(c, kinds[i]!) === undefined)) {
    const entry: CacheEntry = { key, paths: checks.map((c, i) => [c.path, kinds[i]!]), fleet };
    try {
      writeFileAtomic(cacheFile, JSON.stringify(entry));
    } catch {
      /* an unwritable cache only costs speed */
    }
  }
  return fleet;
}
