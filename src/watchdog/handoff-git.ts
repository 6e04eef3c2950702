// One reading of the handoff repo: fetch origin, then what origin/<branch> holds (its head, the
// commits since a base, a hash of each inbox file). Every git call is bounded, and the reading as a
// whole gets one deadline (`fetch_timeout`): a remote that accepts the connection and never
// answers costs at most that, and its git and remote helper are killed with it (runBounded).
import { createHash } from "node:crypto";
import type { Fleet } from "../config/load.js";
import { runBounded, type BoundedResult } from "../proc/run.js";
import { handoffRepo } from "../state/phase.js";

export interface Commit {
  sha: string;
  subject: string;
}

/** What origin held at one moment; kept by the reader until a newer one completes. */
export interface HandoffRead {
  /** Epoch ms the reading completed. */
  at: number;
  /** origin/<branch> after the fetch. */
  head: string;
  /** The sha `commits` were listed from (the handoff sha the watchdog had when it asked). */
  base?: string;
  /** Commits in (base..head], oldest first; after a rewrite that lost base, the head alone. */
  commits?: Commit[];
  /** Content hash of each inbox file on origin (undefined when absent or empty). */
  inboxes: Record<string, string | undefined>;
}

export type HandoffOutcome = { read: HandoffRead } | { error: string } | { aborted: true };

// No credential prompt can ever be answered here: fail instead of waiting for one.
const gitEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GIT_TERMINAL_PROMPT: "0" });

/**
 * Read the handoff repo. `previous` is the last completed reading: an unchanged head means
 * unchanged inbox files, so they are not read again.
 */
export async function readHandoff(
  fleet: Fleet,
  base: string | undefined,
  previous: HandoffRead | undefined,
  opts: { timeoutMs: number; signal?: AbortSignal; now?: () => number },
): Promise<HandoffOutcome> {
  const h = fleet.loop.handoff!;
  const repo = handoffRepo(fleet);
  const ref = `origin/${h.branch}`;
  const deadline = Date.now() + opts.timeoutMs;
  const env = gitEnv();
  const git = (args: string[]): Promise<BoundedResult> =>
    runBounded("git", ["-C", repo, ...args], { timeoutMs: Math.max(1, deadline - Date.now()), env, signal: opts.signal });
  /** Why a git call failed, in one line; undefined when it did not. */
  const failure = (r: BoundedResult, what: string): string | undefined => {
    if (r.timedOut) return `${what} in ${repo} timed out after ${opts.timeoutMs / 1000}s (fetch_timeout)`;
    if (r.code === 0) return undefined;
    return `${what} in ${repo} failed: ${(r.error ?? r.stderr).trim().split("\n")[0] ?? ""}`.trimEnd();
  };

  const fetch = await git(["fetch", "-q", "origin"]);
  if (fetch.aborted) return { aborted: true };
  const fetchFailed = failure(fetch, "git fetch");
  if (fetchFailed) return { error: fetchFailed };
  const rev = await git(["rev-parse", "--verify", "-q", ref]);
  if (rev.aborted) return { aborted: true };
  if (rev.timedOut) return { error: failure(rev, "git rev-parse")! };
  if (rev.code !== 0) return { error: `${ref} not found in ${repo}` };
  const head = rev.stdout.trim();

  let commits: Commit[] | undefined;
  if (base && base !== head) {
    const log = await git(["log", "--reverse", "--format=%H%x09%s", `${base}..${head}`]);
    // A rewritten history (force push) loses the base: judge the newest commit alone.
    const r = log.code === 0 ? log : await git(["log", "-1", "--format=%H%x09%s", head]);
    if (r.aborted) return { aborted: true };
    const failed = failure(r, "git log");
    if (failed) return { error: failed };
    commits = r.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf("\t");
        return { sha: line.slice(0, tab), subject: line.slice(tab + 1) };
      });
  }

  const inboxes: Record<string, string | undefined> = {};
  for (const file of h.inboxes) {
    // Inbox files on origin change only with its head.
    if (previous?.head === head && file in previous.inboxes) {
      inboxes[file] = previous.inboxes[file];
      continue;
    }
    let content: string | undefined;
    for (const loc of [`${ref}:${h.state_subdir}/${file}`, `${ref}:${file}`]) {
      const r = await git(["show", loc]);
      if (r.aborted) return { aborted: true };
      if (r.timedOut) return { error: failure(r, "git show")! };
      if (r.code === 0) {
        content = r.stdout;
        break;
      }
    }
    inboxes[file] = content ? createHash("sha256").update(content).digest("hex") : undefined;
  }
  return { read: { at: (opts.now ?? Date.now)(), head, base, commits, inboxes } };
}
