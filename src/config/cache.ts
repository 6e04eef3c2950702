// A validated fleet cached per config file, for verbs that only read (status). Parsing TOML and
// validating with zod costs more than the rest of `agents status` together; the cache key covers
// everything the result depends on: the file's bytes, its path, the env overrides, and this build.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Fleet } from "./load.js";
import { writeFileAtomic } from "../state/files.js";

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

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
  const cacheFile = path.join(cacheDir(), `${sha1(file).slice(0, 20)}.json`);
  const key = text === undefined ? undefined : sha1([buildStamp(), file, text, envStamp(process.env)].join("\0"));
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
