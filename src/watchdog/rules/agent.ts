// Per-agent rules: what the agent is doing (its status), usage-limit holds, stalls, crashes and
// start-up dialogs. Each pushes actions with a reason and names the deadlines it knows.
import type { Agent } from "../../config/load.js";
import type { AgentRuntime, LimitHold } from "../types.js";
import { DIALOG_REANSWER_MS, dialogStep } from "../dialog.js";
import { type Ctx, dueAt, iso, sec, setStatus } from "./context.js";
import { requestRestart } from "./restart.js";
import { launchSignal } from "./evidence.js";

export function limitNudge(agent: Agent): string {
  return agent.kind === "loop"
    ? "Watchdog: your usage-limit window should have reset. Resume your loop now: pull the latest, re-read this phase's status and review files, and continue where you stopped."
    : "Watchdog: your usage-limit window should have reset. Resume now: re-check where things stand and continue from where you stopped.";
}

/** What the screen says the agent is doing (rules below may refine it). */
export function observedStatus(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const reading = ctx.snap.screens.get(agent.session);
  if (!reading) {
    // Not read this tick (an unwatched agent on a signal tick): keep what we last knew.
    return;
  }
  const waiting = reading.waitingUntil;
  switch (reading.state) {
    case "working":
      return setStatus(ctx, rt, "working", `screen: ${reading.rule}`);
    case "dialog": {
      const reason = reading.dialog ? `start-up dialog (${reading.dialog.option})` : "a dialog needs a human";
      // One the watchdog will not answer waits for a person: said once as it appears (notify: dialog).
      const human = !reading.dialog || !agent.backend.answer_dialogs;
      if (human && !(rt.status?.state === "dialog" && rt.status.reason === reason)) {
        const why = reading.dialog ? `${reason}; answer_dialogs is off` : `${reason}${reading.line ? `: ${reading.line}` : ""}`;
        ctx.actions.push({ type: "note", agent: agent.name, level: "warn", event: "dialog-needs-human", reason: why });
      }
      return setStatus(ctx, rt, "dialog", reason, { detail: reading.line });
    }
    case "fatal":
      return setStatus(ctx, rt, "fatal", `fatal screen (${reading.rule})`, { detail: reading.line });
    case "exited":
      return setStatus(ctx, rt, "exited", reading.dead ? "pane exited" : "agent exited to a shell");
    case "limited":
      return setStatus(ctx, rt, "limited", `usage limit${reading.reset ? `; resets ${reading.reset.text}` : ""}`);
    default:
      if (waiting !== undefined) return setStatus(ctx, rt, "waiting", `WAITING-UNTIL ${iso(waiting)}`, { until: waiting });
      if (reading.state === "idle") return setStatus(ctx, rt, "idle", "at its prompt", { since: rt.lastActive });
      return setStatus(ctx, rt, "unknown", "no rule matched the screen", { since: rt.lastActive });
  }
}

/** The tap's record behind an effective reading, when the signal decided it. */
function signalBehind(ctx: Ctx, agent: Agent, reading: { rule: string } | undefined) {
  return reading?.rule.startsWith("signal:") ? launchSignal(ctx.snap, agent) : undefined;
}

function holdReason(hold: LimitHold): string {
  if (!hold.parsed) return "usage limit; reset time unknown, probing";
  const from = hold.source && hold.source !== "screen" ? ` (${hold.source} record)` : "";
  return `usage limit; resets ${hold.reset}${from}${hold.autoContinue ? "; the CLI continues by itself then" : ""}`;
}

function startHold(ctx: Ctx, agent: Agent, rt: AgentRuntime): LimitHold {
  const w = ctx.fleet.watchdog;
  const reading = ctx.snap.screens.get(agent.session);
  const at = reading?.reset?.at;
  const usable = at !== undefined && at > ctx.now - 3600_000 && at - ctx.now <= w.limit_max_hold * 1000;
  const sig = signalBehind(ctx, agent, reading);
  const hold: LimitHold = usable
    ? { since: ctx.now, until: Math.max(at!, ctx.now) + w.limit_reset_slack * 1000, reset: reading?.reset?.text, parsed: true, nudges: 0 }
    : { since: ctx.now, until: ctx.now + w.limit_probe_fallback * 1000, reset: reading?.reset?.text, parsed: false, nudges: 0 };
  hold.source = sig?.source ?? "screen";
  if (sig?.limit?.autoContinue) hold.autoContinue = true;
  rt.hold = hold;
  ctx.actions.push({
    type: "note",
    agent: agent.name,
    level: "info",
    event: "limit-hold",
    reason: usable
      ? `usage limit; ${sig ? `${sig.source} record says` : "banner says"} reset ${reading?.reset?.text}${hold.autoContinue ? " and the CLI offers to continue then" : ""}; holding until ${iso(hold.until)}`
      : `usage limit; reset time unknown; probing every ${w.limit_probe_fallback}s`,
  });
  return hold;
}

/** A hold begun from the screen's wording takes the record's exact reset once the record has one. */
function refineHold(ctx: Ctx, agent: Agent, hold: LimitHold): void {
  const reading = ctx.snap.screens.get(agent.session);
  const sig = signalBehind(ctx, agent, reading);
  const at = reading?.reset?.at;
  if (!sig || at === undefined || hold.nudges > 0) return;
  if (sig.limit?.autoContinue) hold.autoContinue = true;
  const until = Math.max(at, hold.since) + ctx.fleet.watchdog.limit_reset_slack * 1000;
  if (hold.source === sig.source && hold.until === until) return;
  if (at - ctx.now > ctx.fleet.watchdog.limit_max_hold * 1000) return;
  Object.assign(hold, { until, reset: reading?.reset?.text, parsed: true, source: sig.source });
}

function holdStatus(ctx: Ctx, agent: Agent, rt: AgentRuntime, hold: LimitHold, reason: string): void {
  setStatus(ctx, rt, "limited", reason, { since: hold.since, until: hold.until });
  dueAt(ctx, hold.until, `${agent.name}: limit hold ends`);
}

/** Usage limits: hold (never reboot) until the reset, then nudge. Returns true while held. */
export function limitRule(ctx: Ctx, agent: Agent, rt: AgentRuntime): boolean {
  const reading = ctx.snap.screens.get(agent.session);
  if (!reading) {
    if (rt.hold) holdStatus(ctx, agent, rt, rt.hold, rt.status.reason);
    return rt.hold !== undefined;
  }
  const limited = reading.state === "limited";
  if (!rt.hold) {
    if (!limited) return false;
    const hold = startHold(ctx, agent, rt);
    holdStatus(ctx, agent, rt, hold, holdReason(hold));
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
  refineHold(ctx, agent, rt.hold);
  if (ctx.now < rt.hold.until) {
    holdStatus(ctx, agent, rt, rt.hold, holdReason(rt.hold));
    return true;
  }
  rt.hold.nudges += 1;
  rt.hold.until = ctx.now + ctx.fleet.watchdog.limit_probe_fallback * 1000;
  holdStatus(ctx, agent, rt, rt.hold, `usage limit; nudged ${rt.hold.nudges}x, probing again`);
  ctx.actions.push({
    type: "ping",
    agent: agent.name,
    purpose: "nudge",
    text: limitNudge(agent),
    reason: rt.hold.autoContinue
      ? `still not working at reset + slack although the CLI offered to continue (probe #${rt.hold.nudges})`
      : `limit hold ended (probe #${rt.hold.nudges})`,
  });
  return true;
}

export function stallRule(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const reading = ctx.snap.screens.get(agent.session);
  if (!reading || reading.state === "working" || reading.state === "dialog") return;
  const grace = ctx.fleet.watchdog.stall_grace * 1000;
  if (reading.waitingUntil !== undefined) {
    if (ctx.now <= reading.waitingUntil + grace) {
      dueAt(ctx, reading.waitingUntil + grace + 1, `${agent.name}: WAITING-UNTIL + stall_grace passes`);
      return;
    }
    requestRestart(ctx, agent, rt, `past its WAITING-UNTIL by ${sec(ctx.now - reading.waitingUntil)}s`, true, "stall");
    return;
  }
  const idle = ctx.now - rt.lastActive;
  const limit = agent.backend.stall_idle * 1000;
  if (idle < limit) {
    dueAt(ctx, rt.lastActive + limit, `${agent.name}: stall_idle reached`);
    return;
  }
  const why = `idle ${sec(idle)}s with no WAITING-UNTIL marker`;
  setStatus(ctx, rt, "stalled", why);
  requestRestart(ctx, agent, rt, why, true, "stall");
}

/**
 * Activity bookkeeping: working with a pane that still changes, a screen whose text changed since
 * the last capture (whatever the regexes make of it: a user backend's active_re can miss a
 * streaming reply), a record that grew, or a fresh log for footer UIs.
 */
export function trackActivity(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const pane = ctx.snap.panes.get(agent.session);
  const grew = launchSignal(ctx.snap, agent)?.grewAt;
  if (grew !== undefined && grew > rt.lastActive) rt.lastActive = Math.min(grew, ctx.now);
  const reading = ctx.snap.screens.get(agent.session);
  if (!pane || !reading) return;
  const hash = ctx.snap.screenHashes.get(agent.session);
  if (hash !== undefined) {
    // Unless the agent's own record says it is at rest: then what moves is a clock in a status
    // line, not work (the record would have grown for work).
    const atRest = reading.rule.startsWith("signal:") && reading.state !== "working";
    if (rt.screenHash !== undefined && hash !== rt.screenHash && !atRest) rt.lastActive = ctx.now;
    rt.screenHash = hash;
  }
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

export function healRule(ctx: Ctx, agent: Agent, rt: AgentRuntime, held: boolean): void {
  const pane = ctx.snap.panes.get(agent.session);
  if (!pane) {
    requestRestart(ctx, agent, rt, "session missing", false, "missing");
    return;
  }
  if (pane.dead) {
    const how = pane.deadStatus !== undefined ? ` (status ${pane.deadStatus})` : pane.deadSignal !== undefined ? ` (signal ${pane.deadSignal})` : "";
    requestRestart(ctx, agent, rt, `pane exited${how}`, true, "crash");
    return;
  }
  const mismatch = isMismatch(ctx, agent);
  if (mismatch) {
    requestRestart(ctx, agent, rt, mismatch, true, "crash");
    return;
  }
  if (held) return;
  const reading = ctx.snap.screens.get(agent.session);
  if (reading?.state === "fatal") requestRestart(ctx, agent, rt, `fatal: ${reading.line ?? reading.rule}`, true, "fatal");
  else if (reading?.state === "exited") requestRestart(ctx, agent, rt, `agent exited (pane is running ${pane.command})`, true, "crash");
}

export function dialogRule(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const reading = ctx.snap.screens.get(agent.session);
  const onScreen = reading?.state === "dialog" && agent.backend.answer_dialogs ? reading.dialog : undefined;
  const step = dialogStep(rt.dialog, onScreen, ctx.now);
  rt.dialog = step.memory;
  if (!step.answer) {
    // Seen once: look again soon rather than a whole signal interval later.
    const m = step.memory;
    if (m) dueAt(ctx, m.answeredAt !== undefined ? m.answeredAt + DIALOG_REANSWER_MS : ctx.now + 2000, `${agent.name}: dialog re-check`);
    return;
  }
  ctx.actions.push({ type: "keys", agent: agent.name, keys: step.answer.keys, reason: `start-up dialog: chose "${step.answer.option}"` });
  setStatus(ctx, rt, "dialog", `answered start-up dialog: ${step.answer.option}`);
}
