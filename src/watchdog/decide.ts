// The watchdog's brain: a pure function of (fleet, snapshot, previous state) → actions + next state.
// No I/O and no clock of its own, so every rule is a table test.
import type { Agent, Fleet } from "../config/load.js";
import { dialogStep } from "./dialog.js";
import type { Action, AgentRuntime, Decision, LimitHold, Snapshot, WatchdogState } from "./types.js";

const sec = (ms: number) => Math.round(ms / 1000);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export const watchedAgents = (fleet: Fleet): Agent[] => fleet.agents.filter((a) => a.enabled && a.watch !== "none");
export const loopAgents = (fleet: Fleet): Agent[] => fleet.agents.filter((a) => a.enabled && a.kind === "loop");

export function limitNudge(agent: Agent): string {
  return agent.kind === "loop"
    ? "Watchdog: your usage-limit window should have reset. Resume your loop now: pull the latest, re-read this phase's status and review files, and continue where you stopped."
    : "Watchdog: your usage-limit window should have reset. Resume now: re-check where things stand and continue from where you stopped.";
}

export const CLAIM_PING =
  "Watchdog: your partner pushed a claim commit. Pull now and verify the claimed gate.";
export const REVIEW_PING =
  "Watchdog: your partner pushed a review commit. Pull now, read the review and act on it.";
export const inboxPing = (file: string) =>
  `Watchdog: your partner pushed ${file}. Pull, read it and act on it, then delete the file (commit and push) to mark it consumed.`;

function runtimeFor(state: WatchdogState, agent: Agent, now: number): AgentRuntime {
  return (state.agents[agent.name] ??= { lastActive: now, restarts: [], view: "-" });
}

interface Ctx {
  fleet: Fleet;
  snap: Snapshot;
  state: WatchdogState;
  actions: Action[];
  now: number;
}

/**
 * Restart policy as data (systemd's burst limit + backoff): a restart inside the window counts;
 * past the budget the agent is parked with a reason instead of being restarted forever.
 */
function requestRestart(ctx: Ctx, agent: Agent, rt: AgentRuntime, reason: string, force: boolean): void {
  const w = ctx.fleet.watchdog;
  const windowStart = ctx.now - w.restart_window * 1000;
  rt.restarts = rt.restarts.filter((t) => t > windowStart);
  if (rt.restarts.length >= w.restart_budget) {
    const why = `${rt.restarts.length} restarts in ${sec(w.restart_window * 1000)}s; last: ${reason}`;
    rt.parked = { reason: why, at: ctx.now };
    rt.view = `parked: ${why}`;
    ctx.actions.push({ type: "park", agent: agent.name, reason: why });
    return;
  }
  const last = rt.restarts[rt.restarts.length - 1];
  if (last !== undefined) {
    const backoff = Math.min(w.restart_backoff * 2 ** (rt.restarts.length - 1), w.restart_backoff_max) * 1000;
    if (ctx.now < last + backoff) {
      rt.view = `restarting in ${sec(last + backoff - ctx.now)}s (${reason})`;
      return;
    }
  }
  rt.restarts.push(ctx.now);
  rt.lastActive = ctx.now;
  rt.seenActivity = undefined;
  rt.hold = undefined;
  rt.view = `restarted: ${reason}`;
  ctx.actions.push({ type: "start", agent: agent.name, force, reason, restart: true });
}

function startHold(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const w = ctx.fleet.watchdog;
  const reading = ctx.snap.screens.get(agent.session);
  const at = reading?.reset?.at;
  const usable = at !== undefined && at > ctx.now - 3600_000 && at - ctx.now <= w.limit_max_hold * 1000;
  const hold: LimitHold = usable
    ? { since: ctx.now, until: Math.max(at!, ctx.now) + w.limit_reset_slack * 1000, reset: reading?.reset?.text, parsed: true, nudges: 0 }
    : { since: ctx.now, until: ctx.now + w.limit_probe_fallback * 1000, reset: reading?.reset?.text, parsed: false, nudges: 0 };
  rt.hold = hold;
  ctx.actions.push({
    type: "note",
    agent: agent.name,
    level: "info",
    event: "limit-hold",
    reason: usable
      ? `usage limit; banner says reset ${reading?.reset?.text}; holding until ${iso(hold.until)}`
      : `usage limit; reset time unknown; probing every ${w.limit_probe_fallback}s`,
  });
}

/** Usage limits: hold (never reboot) until the reset, then nudge. Returns true while held. */
function limitRule(ctx: Ctx, agent: Agent, rt: AgentRuntime): boolean {
  const reading = ctx.snap.screens.get(agent.session);
  if (!reading) return rt.hold !== undefined;
  const limited = reading.state === "limited";
  if (!rt.hold) {
    if (!limited) return false;
    startHold(ctx, agent, rt);
    rt.view = `limited until ${iso(rt.hold!.until)}`;
    return true;
  }
  if (reading.state === "working" || !limited) {
    ctx.actions.push({
      type: "note",
      agent: agent.name,
      level: "info",
      event: "limit-lifted",
      reason: reading.state === "working" ? "agent is working again" : "limit banner is gone",
    });
    rt.hold = undefined;
    rt.lastActive = ctx.now;
    return false;
  }
  if (ctx.now < rt.hold.until) {
    rt.view = `limited until ${iso(rt.hold.until)}`;
    return true;
  }
  rt.hold.nudges += 1;
  rt.hold.until = ctx.now + ctx.fleet.watchdog.limit_probe_fallback * 1000;
  rt.view = `limited; nudged ${rt.hold.nudges}x, next probe ${iso(rt.hold.until)}`;
  ctx.actions.push({
    type: "ping",
    agent: agent.name,
    purpose: "nudge",
    text: limitNudge(agent),
    reason: `limit hold ended (probe #${rt.hold.nudges})`,
  });
  return true;
}

function stallRule(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const reading = ctx.snap.screens.get(agent.session);
  if (!reading || reading.state === "working" || reading.state === "dialog") return;
  const grace = ctx.fleet.watchdog.stall_grace * 1000;
  if (reading.waitingUntil !== undefined) {
    if (ctx.now <= reading.waitingUntil + grace) {
      rt.view = `waiting until ${iso(reading.waitingUntil)}`;
      return;
    }
    requestRestart(ctx, agent, rt, `past its WAITING-UNTIL by ${sec(ctx.now - reading.waitingUntil)}s`, true);
    return;
  }
  const idle = ctx.now - rt.lastActive;
  if (idle < agent.backend.stall_idle * 1000) return;
  rt.view = "stalled";
  requestRestart(ctx, agent, rt, `idle ${sec(idle)}s with no WAITING-UNTIL marker`, true);
}

/** Activity bookkeeping: working with a pane that still changes (or a fresh log for footer UIs). */
function trackActivity(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const pane = ctx.snap.panes.get(agent.session);
  const reading = ctx.snap.screens.get(agent.session);
  if (!pane || !reading) return;
  if (reading.state === "working") {
    // A frozen screen that still says "working" is not progress: require the pane to have changed.
    if (rt.seenActivity === undefined || pane.activity > rt.seenActivity) rt.lastActive = ctx.now;
    rt.seenActivity = pane.activity;
  } else {
    rt.seenActivity = undefined;
  }
  if (agent.backend.footer_ui) {
    const mtime = ctx.snap.logMtimes.get(agent.session);
    if (mtime !== undefined && ctx.now - mtime <= agent.backend.log_grace * 1000) {
      rt.lastActive = Math.max(rt.lastActive, mtime);
    }
  }
}

function viewOf(ctx: Ctx, agent: Agent, rt: AgentRuntime): string {
  const reading = ctx.snap.screens.get(agent.session);
  if (!reading) return "running";
  switch (reading.state) {
    case "working":
      return "working";
    case "idle":
      return reading.waitingUntil !== undefined ? `waiting until ${iso(reading.waitingUntil)}` : `idle ${sec(ctx.now - rt.lastActive)}s`;
    case "dialog":
      return "needs attention: dialog";
    case "fatal":
      return `fatal: ${reading.line ?? ""}`.trim();
    case "exited":
      return "exited";
    case "limited":
      return "limited";
    default:
      return reading.waitingUntil !== undefined ? `waiting until ${iso(reading.waitingUntil)}` : `unknown ${sec(ctx.now - rt.lastActive)}s`;
  }
}

function isMismatch(ctx: Ctx, agent: Agent): string | undefined {
  const expected = agent.backend.process_name;
  const pane = ctx.snap.panes.get(agent.session);
  if (!expected || !pane) return undefined;
  const known = new Set(
    ctx.fleet.declaredBackends.map((n) => ctx.fleet.backends[n]?.process_name).filter((p): p is string => !!p),
  );
  // Only a definite other declared backend counts: a transient shell during start-up does not.
  if (!known.has(pane.command) || pane.command === expected) return undefined;
  return `running ${pane.command}, expected ${expected}`;
}

function healRule(ctx: Ctx, agent: Agent, rt: AgentRuntime, held: boolean): void {
  const pane = ctx.snap.panes.get(agent.session);
  if (!pane) {
    requestRestart(ctx, agent, rt, "session missing", false);
    return;
  }
  if (pane.dead) {
    requestRestart(ctx, agent, rt, `pane exited${pane.deadStatus !== undefined ? ` (status ${pane.deadStatus})` : ""}`, true);
    return;
  }
  const mismatch = isMismatch(ctx, agent);
  if (mismatch) {
    requestRestart(ctx, agent, rt, mismatch, true);
    return;
  }
  if (held) return;
  const reading = ctx.snap.screens.get(agent.session);
  if (reading?.state === "fatal") requestRestart(ctx, agent, rt, `fatal: ${reading.line ?? reading.rule}`, true);
  else if (reading?.state === "exited") requestRestart(ctx, agent, rt, `agent exited (pane is running ${pane.command})`, true);
}

function dialogRule(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const reading = ctx.snap.screens.get(agent.session);
  const onScreen = reading?.state === "dialog" && agent.backend.answer_dialogs ? reading.dialog : undefined;
  const step = dialogStep(rt.dialog, onScreen, ctx.now);
  rt.dialog = step.memory;
  if (!step.answer) return;
  ctx.actions.push({ type: "keys", agent: agent.name, keys: step.answer.keys, reason: `start-up dialog: chose "${step.answer.option}"` });
  rt.view = `answered dialog: ${step.answer.option}`;
}

function wakeRule(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const wake = agent.wake;
  if (!wake || ctx.snap.phase.sequenceComplete) return;
  rt.lastWake ??= ctx.now;
  const due = wake.cron !== undefined ? ctx.snap.cronDue.has(agent.name) : ctx.now - rt.lastWake >= (wake.interval ?? 3600) * 1000;
  if (!due) return;
  const reading = ctx.snap.screens.get(agent.session);
  // Busy or absent: try again next tick rather than interrupting.
  if (!ctx.snap.panes.has(agent.session) || !reading || reading.state === "working" || rt.hold) return;
  rt.lastWake = ctx.now;
  ctx.actions.push({ type: "ping", agent: agent.name, purpose: "wake", text: "", reason: "scheduled wake" });
}

function handoffRule(ctx: Ctx): void {
  const h = ctx.fleet.loop.handoff;
  const git = ctx.snap.git;
  if (!h || !git) return;
  if (git.error) {
    ctx.actions.push({ type: "note", level: "warn", event: "git-failed", reason: git.error });
    return;
  }
  const byName = new Map(ctx.fleet.agents.map((a) => [a.name, a]));
  const ping = (target: string, text: string, reason: string) => {
    if (byName.has(target)) ctx.actions.push({ type: "ping", agent: target, purpose: "handoff", text, reason });
  };
  if (git.head) {
    if (!ctx.state.handoff.sha) ctx.state.handoff.sha = git.head;
    else if (git.head !== ctx.state.handoff.sha && git.subjects) {
      const claim = new RegExp(h.claim_pattern, "im");
      const review = new RegExp(h.review_pattern, "im");
      const claims = git.subjects.filter((s) => claim.test(s));
      const reviews = git.subjects.filter((s) => review.test(s));
      if (claims.length) ping(h.claim_pings, CLAIM_PING, `claim commit: ${claims[claims.length - 1]}`);
      if (reviews.length) ping(h.review_pings, REVIEW_PING, `review commit: ${reviews[reviews.length - 1]}`);
      ctx.state.handoff.sha = git.head;
    }
  }
  h.inboxes.forEach((file, i) => {
    const target = i === 0 ? h.claim_pings : i === 1 ? h.review_pings : undefined;
    const hash = git.inboxes[file];
    if (hash === undefined) {
      delete ctx.state.handoff.inboxes[file];
      return;
    }
    if (ctx.state.handoff.inboxes[file] === hash) return;
    ctx.state.handoff.inboxes[file] = hash;
    if (target) ping(target, inboxPing(`${h.state_subdir}/${file}`), `inbox ${file} changed`);
  });
}

/** Returns true when it transitioned this tick (healing waits for the next heavy tick). */
function phaseRule(ctx: Ctx): boolean {
  const { fleet, snap } = ctx;
  const phases = fleet.loop.phases;
  const loops = loopAgents(fleet);
  if (!phases.length || !loops.length || !fleet.loop.auto_advance) return false;
  const { index, done, sequenceComplete, triggerPresent } = snap.phase;
  const current = phases[index]!;
  const startLoops = (reason: string) => {
    for (const a of loops) {
      const rt = runtimeFor(ctx.state, a, ctx.now);
      rt.lastActive = ctx.now;
      rt.hold = undefined;
      ctx.actions.push({ type: "start", agent: a.name, force: false, reason, restart: false });
    }
  };
  const stopLoops = (reason: string) => {
    for (const a of loops) if (snap.panes.has(a.session)) ctx.actions.push({ type: "kill", agent: a.name, reason });
  };
  if (!done) {
    if (sequenceComplete) ctx.actions.push({ type: "clear-complete", reason: `phase ${current.id} is not done` });
    return false;
  }
  const next = phases[index + 1];
  if (next) {
    const reason = `phase ${current.id} done; advancing to ${next.id}`;
    stopLoops(reason);
    ctx.actions.push({ type: "set-phase", index: index + 1, reason });
    if (sequenceComplete) ctx.actions.push({ type: "clear-complete", reason: `resuming into ${next.id}` });
    ctx.state.handoff = { inboxes: {} };
    startLoops(`phase ${next.id} kickoff`);
    return true;
  }
  let transitioned = false;
  if (!sequenceComplete) {
    const reason = `last phase ${current.id} done; sequence complete`;
    stopLoops(reason);
    ctx.actions.push({ type: "mark-complete", reason });
    transitioned = true;
  }
  const oc = fleet.loop.on_complete;
  if (triggerPresent && oc?.run && fleet.agents.some((a) => a.name === oc.run)) {
    ctx.actions.push({ type: "consume-trigger", reason: "sequence complete" });
    ctx.actions.push({ type: "start", agent: oc.run, force: true, reason: "on_complete task", restart: false });
    transitioned = true;
  }
  return transitioned;
}

export function decide(fleet: Fleet, snap: Snapshot, prev: WatchdogState): Decision {
  const state = structuredClone(prev);
  const ctx: Ctx = { fleet, snap, state, actions: [], now: snap.now };
  const live = new Set(fleet.agents.map((a) => a.name));
  for (const name of Object.keys(state.agents)) if (!live.has(name)) delete state.agents[name];

  if (loopAgents(fleet).length) handoffRule(ctx);

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
      rt.view = "stopped";
    } else {
      trackActivity(ctx, agent, rt);
      rt.view = viewOf(ctx, agent, rt);
    }
    if (agent.watch === "none" || rt.parked) {
      if (rt.parked) rt.view = `parked: ${rt.parked.reason}`;
      continue;
    }
    if (snap.phase.sequenceComplete && agent.kind === "loop") continue;
    if (!pane) continue;
    const isHeld = limitRule(ctx, agent, rt);
    held.set(agent.name, isHeld);
    if (!isHeld) {
      dialogRule(ctx, agent, rt);
      if (agent.watch === "heal+stall") stallRule(ctx, agent, rt);
    }
  }

  for (const agent of fleet.agents.filter((a) => a.enabled && a.wake)) wakeRule(ctx, agent, runtimeFor(state, agent, ctx.now));

  if (snap.heavy) {
    const advanced = phaseRule(ctx);
    if (!advanced) {
      const restarted = new Set(ctx.actions.filter((a) => a.type === "start").map((a) => (a as { agent: string }).agent));
      for (const agent of watchedAgents(fleet)) {
        const rt = runtimeFor(state, agent, ctx.now);
        if (rt.parked || restarted.has(agent.name)) continue;
        if (snap.phase.sequenceComplete && agent.kind === "loop") continue;
        healRule(ctx, agent, rt, held.get(agent.name) ?? false);
      }
    }
  }
  return { actions: ctx.actions, state };
}
