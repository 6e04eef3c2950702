// A validated fleet cached per config file, for verbs that only read (status). Parsing TOML and
// validating with zod costs more than the rest of `agents status` together; the cache key covers
// everything the result depends on: the file's text, its path, the env overrides, and this build.
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Fleet } from "./load.js";
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

/** Changes whenever the code that turns a config into a fleet changes (a rebuild or an upgrade). */
function buildStamp(): string {
  return ["./load.js", "./schema.js", "./presets.js", "../detect/patterns.js"]
    .map((rel) => {
      try {
        return String(statSync(new URL(rel, import.meta.url)).mtimeMs);
      } catch {
        return "-";
      }
    })
    .join(",");
}

function envStamp(env: NodeJS.ProcessEnv): string {
  return Object.keys(env)
    .filter((k) => k.startsWith("AGENT_MODEL_") || k.startsWith("AGENT_BACKEND_") || k === "AGENTS_TMUX_SOCKET" || k === "HOME")
    .sort()
    .map((k) => `${k}=${env[k]}`)
    .join("\n");
}

export async function loadFleetCached(configPath: string): Promise<Fleet> {
  const file = path.resolve(configPath);
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    /* the full loader reports a missing file properly */
  }
  const cacheFile = path.join(cacheDir(), `${fnv1a(file)}-${path.basename(file).replace(/[^\w.-]/g, "_")}.json`);
  // The key is the material itself, compared in full: no hash collisions to reason about.
  const key = text === undefined ? undefined : [buildStamp(), file, envStamp(process.env), text].join("\0");
  if (key) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as { key: string; fleet: Fleet };
      if (cached.key === key) return cached.fleet;
    } catch {
      /* no cache yet */
    }
  }
  const { loadConfig } = await import("./load.js");
  const fleet = loadConfig(file, { envOverrides: true });
  if (key) {
    try {
      writeFileAtomic(cacheFile, JSON.stringify({ key, fleet }));
    } catch {
      /* an unwritable cache only costs speed */
    }
  }
  return fleet;
}
