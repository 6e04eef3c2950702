// The watchdog's brain: a pure function of (fleet, snapshot, previous state) → actions, next
// state and the next deadline it knows of. No I/O and no clock of its own: every rule is a table test.
import type { Fleet } from "../config/load.js";
import type { Decision, Snapshot, WatchdogState } from "./types.js";
import { type Ctx, earliest, loopAgents, runtimeFor, setStatus, watchedAgents } from "./rules/context.js";
import { dialogRule, healRule, limitRule, observedStatus, stallRule, trackActivity } from "./rules/agent.js";
import { handoffRule, phaseRule, wakeRule } from "./rules/fleet.js";
import { stuckRule } from "./rules/stuck.js";
import { accountHoldStatus, accountHolds, accountRule } from "./rules/account.js";
import { driftRule, evidenceOf, summarize, weigh, type Weighed } from "./rules/evidence.js";

export { watchedAgents, loopAgents } from "./rules/context.js";
export { limitNudge } from "./rules/agent.js";
export { CLAIM_PING, REVIEW_PING, inboxPing } from "./rules/fleet.js";

export function decide(fleet: Fleet, snap: Snapshot, prev: WatchdogState): Decision {
  const state = structuredClone(prev);
  // Every rule below reads the screen map: give it the best evidence (the record's state when fresh).
  const weighed = new Map<string, Weighed>();
  const screens = new Map(snap.screens);
  for (const agent of fleet.agents.filter((a) => a.enabled)) {
    const rt = state.agents[agent.name];
    const hash = snap.screenHashes.get(agent.session);
    if (rt && hash !== undefined && rt.screenHash !== undefined && hash !== rt.screenHash) rt.screenMovedAt = snap.now;
    const w = weigh(snap, agent, fleet.watchdog.signal_interval, rt?.screenMovedAt);
    weighed.set(agent.name, w);
    if (w.effective) screens.set(agent.session, w.effective);
  }
  const ctx: Ctx = { fleet, snap: { ...snap, screens }, state, actions: [], now: snap.now, deadlines: [] };
  const live = new Set(fleet.agents.map((a) => a.name));
  for (const name of Object.keys(state.agents)) if (!live.has(name)) delete state.agents[name];

  if (loopAgents(fleet).length) handoffRule(ctx);
  // A limited account holds every agent of it (issue 11 item 4): none of the rules below touch them.
  const accountHeld = accountRule(ctx);

  const held = new Map<string, boolean>();
  for (const agent of fleet.agents.filter((a) => a.enabled)) {
    const rt = runtimeFor(state, agent, ctx.now);
    const pane = snap.panes.get(agent.session);
    const marker = snap.parkedMarkers.get(agent.name);
    if (marker !== undefined && !rt.parked) rt.parked = { reason: marker, at: ctx.now };
    if (rt.parked && marker === undefined) {
      // `agents up <name>` removed the marker: a fresh budget.
      rt.parked = undefined;
      rt.restarts = [];
      ctx.actions.push({ type: "note", agent: agent.name, level: "info", event: "unparked", reason: "parked marker removed" });
    }
    if (!pane) {
      rt.hold = undefined;
      rt.seenActivity = undefined;
      setStatus(ctx, rt, "missing", "no tmux session");
    } else {
      trackActivity(ctx, agent, rt);
      observedStatus(ctx, agent, rt);
      driftRule(ctx, agent, rt, weighed.get(agent.name)!);
    }
    summarize(ctx, agent, rt);
    if (rt.parked) {
      setStatus(ctx, rt, "parked", rt.parked.reason, { since: rt.parked.at });
      continue;
    }
    if (snap.phase.sequenceComplete && agent.kind === "loop") {
      if (!pane) setStatus(ctx, rt, "done", "phase sequence complete");
      continue;
    }
    if (accountHeld.has(agent.name)) {
      accountHoldStatus(ctx, agent, rt);
      held.set(agent.name, true);
      continue;
    }
    if (agent.watch === "none" || !pane) continue;
    const isHeld = limitRule(ctx, agent, rt);
    held.set(agent.name, isHeld);
    if (!isHeld) {
      dialogRule(ctx, agent, rt);
      if (agent.watch === "heal+stall" && !stuckRule(ctx, agent, rt, weighed.get(agent.name)!)) stallRule(ctx, agent, rt);
    }
  }

  for (const agent of fleet.agents.filter((a) => a.enabled && a.wake && !accountHeld.has(a.name))) wakeRule(ctx, agent, runtimeFor(state, agent, ctx.now));

  if (snap.heavy) {
    const advanced = phaseRule(ctx, (a) => accountHeld.has(a.name) || accountHolds(ctx, a));
    if (!advanced) {
      const restarted = new Set(ctx.actions.flatMap((a) => (a.type === "start" ? [a.agent] : [])));
      for (const agent of watchedAgents(fleet)) {
        const rt = runtimeFor(state, agent, ctx.now);
        if (rt.parked || restarted.has(agent.name) || accountHeld.has(agent.name)) continue;
        if (snap.phase.sequenceComplete && agent.kind === "loop") continue;
        healRule(ctx, agent, rt, held.get(agent.name) ?? false);
      }
    }
  }
  // Last, so that whichever rule set the status, it carries both readings.
  for (const [name, w] of weighed) {
    const rt = state.agents[name];
    if (!rt) continue;
    if (w.screen || w.signal) rt.status.evidence = evidenceOf(w, ctx.now);
    if (rt.drift?.noted) rt.status.drift = true;
  }
  return { actions: ctx.actions, state, deadline: earliest(ctx.deadlines) };
}
