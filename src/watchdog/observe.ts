// One snapshot of the world per tick: one batched tmux query for every session, pane text only
// where the pane changed since we last read it, state files only when a rule needs them, and the
// handoff repo as last read in the background (git-reader.ts): a tick never waits on the network.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import type { Agent, Fleet } from "../config/load.js";
import type { PaneInfo, Tmux } from "../tmux/tmux.js";
import { readScreen } from "../detect/screen.js";
import { sessionLogFile } from "../state/paths.js";
import { readParked } from "../state/parked.js";
import { onCompleteTriggered, phaseDone, readPhaseIndex, sequenceComplete } from "../state/phase.js";
import { GitReader } from "./git-reader.js";
import { SignalReader } from "./signal-reader.js";
import { captureDue, FLOW_CAPTURE_MS, TITLE_FLOW_CAPTURE_MS, type StreamState } from "./change-feed.js";
import { compileRules } from "../detect/classify.js";
import type { SignalReading } from "../signals/types.js";
import type { GitReading, ScreenReading, Snapshot, WatchdogState } from "./types.js";

interface CacheEntry {
  key: string;
  reading: ScreenReading;
  /** Of the captured text: decide counts a changed screen as activity whatever the regexes say. */
  hash: string;
  pid: number;
  command: string;
}

/** Who knows when a pane last printed (change-feed.ts); undefined: nobody, capture on tmux's word. */
export interface WriteClock {
  readonly watching: boolean;
  lastWriteOf(session: string): number | undefined;
  /** What the pane's new output said (change-feed.ts): how long to let it settle, a line to act on. */
  streamOf?(session: string): StreamState | undefined;
}

export interface ObserveOptions {
  now: number;
  heavy: boolean;
  cronDue: Set<string>;
  /** Wait for the handoff reading this tick asks for (`--once`: one tick, so it must see it). */
  awaitGit?: boolean;
  /** The handoff refs moved (a file event): read the repo now, whatever the last reading's age. */
  gitNow?: boolean;
  /** false: a newly dead, missing or fatal agent does not make the tick heavy (default: it does). */
  escalate?: boolean;
}

export class Observer {
  private cache = new Map<string, CacheEntry>();
  readonly signals = new SignalReader();
  /** How many pane captures the last observe() made (benchmarks and tests read this). */
  lastCaptures = 0;
  /** How many changed panes the last observe() did not capture because their output still flows. */
  lastDeferred = 0;
  /** Agents (by session) that needed healing at the last observe: a new one makes a tick heavy. */
  private needHeal = new Set<string>();

  constructor(
    private readonly tmux: Tmux,
    readonly git: GitReader = new GitReader(),
    private readonly writes?: WriteClock,
  ) {}

  /** Stop the background handoff reader (a reading in flight is killed). */
  close(): Promise<void> {
    return this.git.stop();
  }

  /**
   * Pane text is re-read only when tmux says the window changed since the capture we hold. tmux's
   * activity clock has 1 s resolution, so a capture taken in the same second as the last change
   * is not trusted to be final.
   */
  private async reading(agent: Agent, pane: PaneInfo, now: number): Promise<CacheEntry | undefined> {
    const key = `${pane.pid}|${pane.activity}|${pane.title}|${pane.command}|${pane.dead}`;
    const hit = this.cache.get(agent.session);
    if (hit && hit.key === key && hit.reading.capturedAt >= (pane.activity + 1) * 1000) return hit;
    // Output still flowing into the pane of an agent last seen working is activity by itself: keep
    // the reading and show decide a moved screen; the text is read once it settles (after longer
    // quiet when its output was plain, at once when it printed a limit, fatal or dialog line), or
    // every FLOW_CAPTURE_MS (TITLE_FLOW_CAPTURE_MS while its title spinner says working).
    const lastWrite = this.writes?.watching ? this.writes.lastWriteOf(agent.session) : undefined;
    const spinning = !!compileRules(agent.backend).titleActive?.test(pane.title);
    const maxAge = spinning ? TITLE_FLOW_CAPTURE_MS : FLOW_CAPTURE_MS;
    const same = hit && !pane.dead && hit.pid === pane.pid && hit.command === pane.command && hit.reading.state === "working";
    const stream = lastWrite === undefined ? undefined : this.writes?.streamOf?.(agent.session);
    if (hit && same && !captureDue(now, lastWrite, hit.reading.capturedAt, maxAge, stream)) {
      this.lastDeferred++;
      return { ...hit, hash: `${hit.hash}~${key}` };
    }
    const text = await this.tmux.capture(agent.session);
    this.lastCaptures++;
    if (text === undefined) return undefined;
    const reading = readScreen(agent.backend, pane, text, now);
    const entry = { key, reading, hash: createHash("sha1").update(text).digest("base64"), pid: pane.pid, command: pane.command };
    this.cache.set(agent.session, entry);
    return entry;
  }

  forget(session: string): void {
    this.cache.delete(session);
  }

  async observe(fleet: Fleet, state: WatchdogState, opts: ObserveOptions): Promise<Snapshot> {
    const { now } = opts;
    let heavy = opts.heavy;
    this.lastCaptures = 0;
    this.lastDeferred = 0;
    const all = await this.tmux.listPanes();
    const panes = new Map(all.map((p) => [p.session, p]));
    const complete = sequenceComplete(fleet);
    const screens = new Map<string, ScreenReading>();
    const screenHashes = new Map<string, string>();
    const signals = new Map<string, SignalReading>();
    const logMtimes = new Map<string, number>();
    const needed = fleet.agents.filter(
      (a) => a.enabled && panes.has(a.session) && (heavy || a.watch !== "none" || a.wake !== undefined),
    );
    await Promise.all(
      needed.map(async (a) => {
        const pane = panes.get(a.session)!;
        const r = await this.reading(a, pane, now);
        if (r) {
          screens.set(a.session, r.reading);
          screenHashes.set(a.session, r.hash);
        }
        const sig = this.signals.read(fleet, a, pane, now);
        if (sig) signals.set(a.name, sig);
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
    this.signals.keep(new Set(fleet.agents.map((a) => a.name)));

    // A pane that newly died, vanished or shows a fatal screen makes this tick heavy, so it is
    // healed now rather than at the next heavy tick (minutes away): reactions ride on wake-ups.
    // Keyed by what is wrong and with which process: a missing agent that comes back showing a fatal
    // screen (no tick in between, when its output flowed plain) is new.
    const needHeal = new Set<string>();
    for (const a of fleet.agents) {
      if (!a.enabled || a.watch === "none") continue;
      const pane = panes.get(a.session);
      const state = screens.get(a.session)?.state;
      const why = !pane ? "missing" : pane.dead ? "dead" : state === "fatal" || state === "exited" ? state : undefined;
      if (why) needHeal.add(`${a.session}|${pane?.pid ?? ""}|${why}`);
    }
    const escalate = [...needHeal].some((s) => !this.needHeal.has(s));
    this.needHeal = needHeal;
    if (escalate && opts.escalate !== false) heavy = true;

    const index = readPhaseIndex(fleet);
    const phase = {
      index,
      done: heavy ? phaseDone(fleet, fleet.loop.phases[index]) : false,
      sequenceComplete: complete,
      triggerPresent: heavy && onCompleteTriggered(fleet),
    };
    const parkedMarkers = new Map([...readParked(fleet)].map(([name, m]) => [name, m.reason]));
    const hasLoops = fleet.agents.some((a) => a.enabled && a.kind === "loop");
    let git: GitReading | undefined;
    if (fleet.loop.handoff && hasLoops) {
      // Heavy ticks always ask; others at most once per signal interval (deadline wakes are frequent).
      this.git.request(fleet, state.handoff.sha, { force: heavy || !!opts.gitNow, minGapMs: fleet.watchdog.signal_interval * 1000 });
      if (opts.awaitGit) await this.git.settled();
      git = this.git.reading(state.handoff.sha);
    }
    return { now, heavy, panes, screens, screenHashes, signals, logMtimes, phase, git, cronDue: opts.cronDue, parkedMarkers };
  }
}
