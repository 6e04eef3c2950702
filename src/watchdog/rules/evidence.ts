// Two witnesses per agent (issue 11): the screen, read by regexes, and the CLI's own record (its
// signal tap). Fresh structured state wins; the screen is the fallback (no tap, a tap gone quiet)
// and a cross-check: a disagreement that lasts longer than drift_after is logged, never silently
// settled. The chosen state is handed to the other rules as an "effective" screen reading, so
// holds, stalls and heals all act on the best evidence without each knowing about signals.
import type { Agent } from "../../config/load.js";
import type { AgentRuntime, Evidence, ScreenReading, SignalReading, Snapshot } from "../types.js";
import { type Ctx, dueAt, iso, sec } from "./context.js";

/** States a record keeps saying until the next record: true however old they are. */
const SETTLED = new Set(["idle", "limited"]);
/** Screen states the record can speak to; the others (fatal, dialog, exited) only the screen sees. */
const COMPARABLE = new Set(["working", "idle", "limited", "unknown"]);
/** Records written just before this launch's pane existed belong to the previous run. */
const LAUNCH_SLACK_MS = 5_000;

/** How long a "working" record counts as fresh: a turn with no hook or statusLine for this long
 * (a long think) falls back to the screen. */
export function freshWindowMs(signalInterval: number): number {
  return Math.max(60_000, 2 * signalInterval * 1000);
}

export interface Weighed {
  screen?: ScreenReading;
  /** The record, when it belongs to this launch and says a state. */
  signal?: SignalReading;
  fresh: boolean;
  chosen: Evidence["chosen"];
  /** What the rules should act on (the screen with its state replaced when the signal won). */
  effective?: ScreenReading;
  /** Both speak to the same thing and say different things. */
  disagree: boolean;
}

/** The record, if it is this launch's (the pane's creation is the launch). */
export function launchSignal(snap: Snapshot, agent: Agent): SignalReading | undefined {
  const sig = snap.signals.get(agent.name);
  const pane = snap.panes.get(agent.session);
  if (!sig || !pane || sig.at < pane.created * 1000 - LAUNCH_SLACK_MS) return undefined;
  return sig;
}

/**
 * Pure: weigh the two readings of one agent. A "working" record is believed while the record or
 * the screen keeps moving (Codex writes nothing to its rollout while it streams a reply, but its
 * screen moves); once both have been still for the fresh window, the screen decides.
 */
export function weigh(snap: Snapshot, agent: Agent, signalInterval: number, screenMovedAt = 0): Weighed {
  const screen = snap.screens.get(agent.session);
  const sig = launchSignal(snap, agent);
  const signal = sig?.state ? sig : undefined;
  const lastSign = signal ? Math.max(signal.at, signal.grewAt, signal.state === "working" ? screenMovedAt : 0) : 0;
  const fresh = !!signal && (SETTLED.has(signal.state!) || snap.now - lastSign <= freshWindowMs(signalInterval));
  if (!screen) return { signal, fresh, chosen: "none", disagree: false };
  // A limit menu on screen may read as a dialog: the record saying "limited" is what it is (and
  // a held agent is never typed into, so the menu's countdown is left alone).
  const limitMenu = fresh && signal!.state === "limited" && screen.state === "dialog";
  const comparable = COMPARABLE.has(screen.state) || limitMenu;
  const disagree = fresh && comparable && screen.state !== "unknown" && screen.state !== signal!.state;
  if (!fresh || !comparable) return { screen, signal, fresh, chosen: "screen", effective: screen, disagree };
  const effective: ScreenReading = { ...screen, state: signal!.state!, rule: `signal:${signal!.source}` };
  if (signal!.state === "limited") {
    const at = signal!.limit?.resetsAt;
    effective.reset = at !== undefined ? { text: iso(at), at } : screen.reset;
  } else {
    delete effective.reset;
  }
  return { screen, signal, fresh, chosen: "signal", effective, disagree };
}

export function describeScreen(r: ScreenReading | undefined): string | undefined {
  return r && `${r.state} (${r.rule}${r.line ? `: ${r.line.trim().slice(0, 80)}` : ""})`;
}

export function describeSignal(s: SignalReading | undefined, now: number): string | undefined {
  if (!s?.state) return undefined;
  const reset = s.limit?.resetsAt !== undefined ? `, resets ${iso(s.limit.resetsAt)}` : "";
  return `${s.state} (${s.source}, ${sec(now - s.at)}s old${reset})`;
}

export function evidenceOf(w: Weighed, now: number): Evidence {
  return { screen: describeScreen(w.screen), signal: describeSignal(w.signal, now), chosen: w.chosen };
}

/** Keep what `status` shows from the record: the conversation, cost and context. */
export function summarize(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const s = launchSignal(ctx.snap, agent) ?? ctx.snap.signals.get(agent.name);
  if (!s) return;
  rt.signal = { source: s.source, at: s.at, sessionId: s.sessionId, costUsd: s.costUsd, contextPct: s.contextPct, tokens: s.tokens };
  if (s.rateLimits?.length) rt.signal.rateLimits = s.rateLimits;
}

/**
 * Screen and record disagreeing: remember since when; past drift_after log one detection-drift
 * with both readings (act saves the screen beside it). Agreement ends the episode.
 */
export function driftRule(ctx: Ctx, agent: Agent, rt: AgentRuntime, w: Weighed): void {
  if (!w.disagree) {
    rt.drift = undefined;
    return;
  }
  rt.drift ??= { since: ctx.now, noted: false };
  const after = ctx.fleet.watchdog.drift_after * 1000;
  if (rt.drift.noted) return;
  if (ctx.now - rt.drift.since < after) {
    dueAt(ctx, rt.drift.since + after, `${agent.name}: drift_after passes`);
    return;
  }
  rt.drift.noted = true;
  const ev = evidenceOf(w, ctx.now);
  ctx.actions.push({
    type: "note",
    agent: agent.name,
    level: "warn",
    event: "detection-drift",
    reason: `screen says ${ev.screen}; signal says ${ev.signal}; for ${sec(ctx.now - rt.drift.since)}s (acting on the ${w.chosen})`,
    saveScreen: true,
    evidence: { ...ev },
  });
}
