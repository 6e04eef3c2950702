// The files that move when the handoff branch gets a commit, to watch instead of polling: the
// branch's ref (loose, or in packed-refs) in the handoff repo, and in its origin when origin is a
// repository on this machine (agents push there). A remote origin has no file to watch: its news
// still comes from the background reading every signal tick.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Fleet } from "../config/load.js";
import { runBounded } from "../proc/run.js";
import { handoffRepo } from "../state/phase.js";

const GIT_TIMEOUT_MS = 5_000;

/** Pure: the directory of a local origin's git data from its URL, or undefined for a remote one. */
export function localOriginPath(url: string, repo: string): string | undefined {
  if (url.startsWith("file://")) return url.slice("file://".length);
  // scp-like (host:path) and scheme URLs are remote; a path is local.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) || /^[^/]*:/.test(url)) return undefined;
  return path.resolve(repo, url);
}

function refFiles(gitDir: string, branch: string): string[] {
  return [path.join(gitDir, "refs", "heads", branch), path.join(gitDir, "packed-refs")];
}

export async function handoffRefPaths(fleet: Fleet): Promise<string[]> {
  const h = fleet.loop.handoff;
  if (!h) return [];
  const repo = handoffRepo(fleet);
  const git = (args: string[]) => runBounded("git", ["-C", repo, ...args], { timeoutMs: GIT_TIMEOUT_MS, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
  const out: string[] = [];
  const dir = await git(["rev-parse", "--absolute-git-dir"]);
  if (dir.code === 0) out.push(...refFiles(dir.stdout.trim(), h.branch));
  const url = await git(["config", "--get", "remote.origin.url"]);
  const origin = url.code === 0 ? localOriginPath(url.stdout.trim(), repo) : undefined;
  if (origin) {
    // A bare repository holds its refs itself; a working clone under .git.
    const gitDir = existsSync(path.join(origin, "refs")) && existsSync(path.join(origin, "HEAD")) ? origin : path.join(origin, ".git");
    out.push(...refFiles(gitDir, h.branch));
  }
  return out;
}
