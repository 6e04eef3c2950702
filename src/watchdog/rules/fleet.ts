// Fleet-wide rules: scheduled wakes, handoff pings between partners, and phase advance.
import type { Agent } from "../../config/load.js";
import type { AgentRuntime } from "../types.js";
import { type Ctx, dueAt, loopAgents, runtimeFor } from "./context.js";

export const CLAIM_PING = "Watchdog: your partner pushed a claim commit. Pull now and verify the claimed gate.";
export const REVIEW_PING = "Watchdog: your partner pushed a review commit. Pull now, read the review and act on it.";
export const inboxPing = (file: string): string =>
  `Watchdog: your partner pushed ${file}. Pull, read it and act on it, then delete the file (commit and push) to mark it consumed.`;

export function wakeRule(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const wake = agent.wake;
  if (!wake || ctx.snap.phase.sequenceComplete) return;
  rt.lastWake ??= ctx.now;
  const interval = wake.cron === undefined ? wake.interval * 1000 : undefined;
  const due = interval === undefined ? ctx.snap.cronDue.has(agent.name) : ctx.now - rt.lastWake >= interval;
  if (!due) {
    if (interval !== undefined) dueAt(ctx, rt.lastWake + interval, `${agent.name}: wake`);
    return;
  }
  const reading = ctx.snap.screens.get(agent.session);
  // Busy or absent: try again next tick rather than interrupting.
  if (!ctx.snap.panes.has(agent.session) || !reading || reading.state === "working" || rt.hold) return;
  rt.lastWake = ctx.now;
  ctx.actions.push({ type: "ping", agent: agent.name, purpose: "wake", text: "", reason: "scheduled wake" });
}

export function handoffRule(ctx: Ctx): void {
  const h = ctx.fleet.loop.handoff;
  const git = ctx.snap.git;
  if (!h || !git) return;
  // Failures are the background reader's to report (once per condition); a snapshot only ever
  // carries the last good reading.
  const byName = new Set(ctx.fleet.agents.map((a) => a.name));
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

function waitsFor(ctx: Ctx, agent: Agent, why: string): void {
  const rt = runtimeFor(ctx.state, agent, ctx.now);
  if (!rt.status.reason.includes(why)) rt.status.reason += `; ${why}`;
}

/** Returns true when it transitioned this tick (healing waits for the next heavy tick). */
export function phaseRule(ctx: Ctx, accountHeld: (agent: Agent) => boolean = () => false): boolean {
  const { fleet, snap } = ctx;
  const phases = fleet.loop.phases;
  const loops = loopAgents(fleet);
  if (!phases.length || !loops.length || !fleet.loop.auto_advance) return false;
  const { index, done, sequenceComplete, triggerPresent } = snap.phase;
  const current = phases[index]!;
  const startLoops = (reason: string, phase: number) => {
    for (const a of loops) {
      const rt = runtimeFor(ctx.state, a, ctx.now);
      rt.lastActive = ctx.now;
      rt.hold = undefined;
      // A new phase is new work: a new conversation, whatever resume_on says.
      ctx.actions.push({ type: "start", agent: a.name, force: false, reason, restart: false, phase, resume: false });
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
  // No loop is started into a limited account: the advance waits for its reset.
  const waiting = loops.filter(accountHeld);
  if (next && waiting.length) {
    for (const a of waiting) waitsFor(ctx, a, `phase ${current.id} done: advance to ${next.id} waits for the account's reset`);
    return false;
  }
  if (next) {
    const reason = `phase ${current.id} done; advancing to ${next.id}`;
    stopLoops(reason);
    ctx.actions.push({ type: "set-phase", index: index + 1, reason });
    if (sequenceComplete) ctx.actions.push({ type: "clear-complete", reason: `resuming into ${next.id}` });
    ctx.state.handoff = { inboxes: {} };
    startLoops(`phase ${next.id} kickoff`, index + 1);
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
  const ocAgent = fleet.agents.find((a) => a.name === oc?.run);
  if (triggerPresent && ocAgent && accountHeld(ocAgent)) {
    waitsFor(ctx, ocAgent, "on_complete task waits for the account's reset");
  } else if (triggerPresent && oc?.run && fleet.agents.some((a) => a.name === oc.run)) {
    ctx.actions.push({ type: "consume-trigger", reason: "sequence complete" });
    ctx.actions.push({ type: "start", agent: oc.run, force: true, reason: "on_complete task", restart: false, phase: index, resume: false });
    transitioned = true;
  }
  return transitioned;
}
