// One snapshot of the world per tick: one batched tmux query for every session, pane text only
// where the pane changed since we last read it, git and state files only when a rule needs them.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { execa } from "execa";
import type { Agent, Fleet } from "../config/load.js";
import type { PaneInfo, Tmux } from "../tmux/tmux.js";
import { readScreen } from "../detect/screen.js";
import { sessionLogFile } from "../state/paths.js";
import { readParked } from "../state/parked.js";
import { handoffRepo, onCompleteTriggered, phaseDone, readPhaseIndex, sequenceComplete } from "../state/phase.js";
import type { GitReading, ScreenReading, Snapshot, WatchdogState } from "./types.js";

interface CacheEntry {
  key: string;
  reading: ScreenReading;
}

export interface ObserveOptions {
  now: number;
  heavy: boolean;
  cronDue: Set<string>;
}

export class Observer {
  private cache = new Map<string, CacheEntry>();
  /** How many pane captures the last observe() made (benchmarks and tests read this). */
  lastCaptures = 0;

  constructor(private readonly tmux: Tmux) {}

  /**
   * Pane text is re-read only when tmux says the window changed since the capture we hold. tmux's
   * activity clock has 1 s resolution, so a capture taken in the same second as the last change
   * is not trusted to be final.
   */
  private async reading(agent: Agent, pane: PaneInfo, now: number): Promise<ScreenReading | undefined> {
    const key = `${pane.pid}|${pane.activity}|${pane.title}|${pane.command}|${pane.dead}`;
    const hit = this.cache.get(agent.session);
    if (hit && hit.key === key && hit.reading.capturedAt >= (pane.activity + 1) * 1000) return hit.reading;
    const text = await this.tmux.capture(agent.session);
    this.lastCaptures++;
    if (text === undefined) return undefined;
    const reading = readScreen(agent.backend, pane, text, now);
    this.cache.set(agent.session, { key, reading });
    return reading;
  }

  forget(session: string): void {
    this.cache.delete(session);
  }

  async observe(fleet: Fleet, state: WatchdogState, opts: ObserveOptions): Promise<Snapshot> {
    const { now, heavy } = opts;
    this.lastCaptures = 0;
    const all = await this.tmux.listPanes();
    const panes = new Map(all.map((p) => [p.session, p]));
    const complete = sequenceComplete(fleet);
    const screens = new Map<string, ScreenReading>();
    const logMtimes = new Map<string, number>();
    const needed = fleet.agents.filter(
      (a) => a.enabled && panes.has(a.session) && (heavy || a.watch !== "none" || a.wake !== undefined),
    );
    await Promise.all(
      needed.map(async (a) => {
        const r = await this.reading(a, panes.get(a.session)!, now);
        if (r) screens.set(a.session, r);
        if (a.backend.footer_ui) {
          try {
            logMtimes.set(a.session, statSync(sessionLogFile(fleet, a.session)).mtimeMs);
          } catch {
            /* no log yet */
          }
        }
      }),
    );
    for (const session of this.cache.keys()) if (!panes.has(session)) this.cache.delete(session);

    const index = readPhaseIndex(fleet);
    const phase = {
      index,
      done: heavy ? phaseDone(fleet, fleet.loop.phases[index]) : false,
      sequenceComplete: complete,
      triggerPresent: heavy && onCompleteTriggered(fleet),
    };
    const parkedMarkers = new Map([...readParked(fleet)].map(([name, m]) => [name, m.reason]));
    const hasLoops = fleet.agents.some((a) => a.enabled && a.kind === "loop");
    const git = fleet.loop.handoff && hasLoops ? await readGit(fleet, state) : undefined;
    return { now, heavy, panes, screens, logMtimes, phase, git, cronDue: opts.cronDue, parkedMarkers };
  }
}

async function git(repo: string, args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  const r = await execa("git", ["-C", repo, ...args], { reject: false, stdin: "ignore", timeout: 60_000 });
  return { ok: r.exitCode === 0, out: r.stdout, err: r.stderr || r.shortMessage || "" };
}

export async function readGit(fleet: Fleet, state: WatchdogState): Promise<GitReading> {
  const h = fleet.loop.handoff!;
  const repo = handoffRepo(fleet);
  const ref = `origin/${h.branch}`;
  const fetch = await git(repo, ["fetch", "-q", "origin"]);
  if (!fetch.ok) return { inboxes: {}, error: `git fetch in ${repo} failed: ${fetch.err.trim().split("\n")[0]}` };
  const head = await git(repo, ["rev-parse", "--verify", "-q", ref]);
  if (!head.ok) return { inboxes: {}, error: `${ref} not found in ${repo}` };
  const sha = head.out.trim();
  const reading: GitReading = { head: sha, inboxes: {} };
  const prev = state.handoff.sha;
  if (prev && prev !== sha) {
    const log = await git(repo, ["log", "--reverse", "--format=%s", `${prev}..${sha}`]);
    // A rewritten history (force push) loses the old sha: judge the newest commit alone.
    const fallback = await (log.ok ? undefined : git(repo, ["log", "-1", "--format=%s", sha]));
    const text: string = log.ok ? log.out : (fallback?.out ?? "");
    reading.subjects = text.split("\n").filter(Boolean);
  }
  // Inbox files on origin can only change with its head: an unchanged head needs no `git show`.
  if (prev === sha) {
    for (const file of h.inboxes) reading.inboxes[file] = state.handoff.inboxes[file];
    return reading;
  }
  for (const file of h.inboxes) {
    let content: string | undefined;
    for (const loc of [`${ref}:${h.state_subdir}/${file}`, `${ref}:${file}`]) {
      const r = await git(repo, ["show", loc]);
      if (r.ok) {
        content = r.out;
        break;
      }
    }
    reading.inboxes[file] = content ? createHash("sha256").update(content).digest("hex") : undefined;
  }
  return reading;
}
