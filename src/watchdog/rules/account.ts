// Accounts (issue 11 item 4): agents that share a login share its usage limits. When one of them
// reports its window exhausted with a reset time, the whole account is held until that reset +
// limit_reset_slack: no nudges, no restarts or heals, no wakes, no phase-advance or on_complete
// start into it. At the reset its agents are resumed one at a time, account_resume_gap apart.
import type { Agent } from "../../config/load.js";
import type { AccountHold, AgentRuntime } from "../types.js";
import { type Ctx, dueAt, iso, setStatus } from "./context.js";
import { limitNudge } from "./agent.js";

/** The agents an account's hold covers: enabled, watched (an unwatched agent is never nudged), not parked nor done. */
const members = (ctx: Ctx, id: string): Agent[] =>
  ctx.fleet.agents.filter((a) => a.account === id && a.enabled && a.watch !== "none" && supervised(ctx, a));

const supervised = (ctx: Ctx, a: Agent): boolean =>
  !ctx.state.agents[a.name]?.parked && !ctx.snap.parkedMarkers.has(a.name) && !(ctx.snap.phase.sequenceComplete && a.kind === "loop");

/** A limit on screen (or in the record) with a reset still ahead that the watchdog trusts. */
function limitReset(ctx: Ctx, agent: Agent): number | undefined {
  if (agent.watch === "none" || !agent.enabled || !ctx.snap.panes.has(agent.session)) return undefined;
  const reading = ctx.snap.screens.get(agent.session);
  const at = reading?.state === "limited" ? reading.reset?.at : undefined;
  if (at === undefined || at <= ctx.now || at - ctx.now > ctx.fleet.watchdog.limit_max_hold * 1000) return undefined;
  return at;
}

/**
 * Before the per-agent rules: open or extend account holds from this tick's readings, resume the
 * agents of accounts whose reset has come (one per account_resume_gap), and return the names of
 * the agents still held.
 */
export function accountRule(ctx: Ctx): Set<string> {
  const w = ctx.fleet.watchdog;
  const ids = new Set(ctx.fleet.agents.map((a) => a.account));
  if (ctx.state.accounts) for (const id of Object.keys(ctx.state.accounts)) if (!ids.has(id)) delete ctx.state.accounts[id];
  for (const agent of ctx.fleet.agents) {
    const at = limitReset(ctx, agent);
    if (at === undefined) continue;
    const until = at + w.limit_reset_slack * 1000;
    const accounts = (ctx.state.accounts ??= {});
    const prev = accounts[agent.account];
    if (prev && !prev.resumeQueue && prev.until >= until) continue;
    const reading = ctx.snap.screens.get(agent.session);
    const from = reading?.rule.startsWith("signal:") ? ` (${reading.rule.slice("signal:".length)} record)` : "";
    const reason = `usage limit; resets ${reading?.reset?.text ?? iso(at)}${from}`;
    accounts[agent.account] = { since: prev && !prev.resumeQueue ? prev.since : ctx.now, until, agent: agent.name, reason };
    const others = members(ctx, agent.account).filter((a) => a.name !== agent.name);
    // Alone in its account, the agent's own limit-hold note says it all.
    if (others.length) ctx.actions.push({
      type: "note",
      agent: agent.name,
      level: "info",
      event: "account-hold",
      reason: `account ${agent.account} limited by ${agent.name}: ${reason}; holding ${others.map((a) => a.name).join(", ")} too until ${iso(until)}`,
    });
  }
  const held = new Set<string>();
  for (const [id, hold] of Object.entries(ctx.state.accounts ?? {})) {
    const agents = members(ctx, id);
    if (ctx.now < hold.until) {
      for (const a of agents) {
        const own = ctx.state.agents[a.name]?.hold;
        // A member limited itself keeps its own hold (the limit rule's), nudged no earlier than the account's reset.
        if (own) own.until = Math.max(own.until, hold.until);
        else if (!selfLimited(ctx, a)) held.add(a.name);
      }
      dueAt(ctx, hold.until, `account ${id}: limit hold ends`);
      continue;
    }
    if (!hold.resumeQueue) {
      // The reporter first: it knows the window best and the others follow its lead.
      const order = [...agents.filter((a) => a.name === hold.agent), ...agents.filter((a) => a.name !== hold.agent)];
      hold.resumeQueue = order.map((a) => a.name);
    }
    resume(ctx, id, hold);
    if (hold.resumeQueue.length) for (const n of hold.resumeQueue) held.add(n);
    else {
      delete ctx.state.accounts![id];
      ctx.actions.push({ type: "note", level: "info", event: "account-resumed", reason: `account ${id}: every agent resumed` });
    }
  }
  if (ctx.state.accounts && !Object.keys(ctx.state.accounts).length) delete ctx.state.accounts;
  return held;
}

function resume(ctx: Ctx, id: string, hold: AccountHold): void {
  const gap = ctx.fleet.watchdog.account_resume_gap * 1000;
  const queue = hold.resumeQueue!;
  while (queue.length) {
    if (hold.lastResumeAt !== undefined && ctx.now < hold.lastResumeAt + gap) {
      dueAt(ctx, hold.lastResumeAt + gap, `account ${id}: next resume`);
      return;
    }
    const name = queue.shift()!;
    const agent = members(ctx, id).find((a) => a.name === name);
    if (!agent) continue;
    const rt = ctx.state.agents[name];
    const reading = ctx.snap.screens.get(agent.session);
    if (!ctx.snap.panes.has(agent.session)) {
      // Missing: released to healing, which restarts it on its next heavy tick.
      hold.lastResumeAt = ctx.now;
      ctx.actions.push({ type: "note", agent: name, level: "info", event: "account-resume", reason: `account ${id} reset; released to healing (no tmux session)` });
      continue;
    }
    if (reading?.state === "working") continue;
    hold.lastResumeAt = ctx.now;
    // Limited itself: its own hold's limit rule nudges it (and probes again if that does not take).
    if (rt?.hold || selfLimited(ctx, agent)) continue;
    if (rt) rt.lastActive = ctx.now;
    ctx.actions.push({ type: "ping", agent: name, purpose: "nudge", text: limitNudge(agent), reason: `account ${id} reset (limited by ${hold.agent}); resuming one at a time` });
  }
}

function selfLimited(ctx: Ctx, agent: Agent): boolean {
  return ctx.snap.panes.has(agent.session) && ctx.snap.screens.get(agent.session)?.state === "limited";
}

/** The status of an agent its account holds (every rule that could type into it or restart it is skipped). */
export function accountHoldStatus(ctx: Ctx, agent: Agent, rt: AgentRuntime): void {
  const hold = ctx.state.accounts?.[agent.account];
  if (!hold) return;
  const missing = ctx.snap.panes.has(agent.session) ? "" : "; no tmux session: restarted after the reset";
  if (ctx.now < hold.until) {
    setStatus(ctx, rt, "limited", `account ${agent.account} limited by ${hold.agent}: ${hold.reason}${missing}`, { since: hold.since, until: hold.until });
    return;
  }
  const ahead = hold.resumeQueue?.indexOf(agent.name) ?? 0;
  const gap = ctx.fleet.watchdog.account_resume_gap * 1000;
  const next = (hold.lastResumeAt ?? ctx.now) + gap * (ahead + 1);
  setStatus(ctx, rt, "limited", `account ${agent.account} reset; resuming one at a time (${ahead} ahead)${missing}`, { since: hold.since, until: next });
}

/** Whether the agent's account is held (before its reset or while it resumes): nothing is started into it. */
export function accountHolds(ctx: Ctx, agent: Agent): boolean {
  const hold = ctx.state.accounts?.[agent.account];
  return !!hold && (ctx.now < hold.until || !!hold.resumeQueue?.length);
}
