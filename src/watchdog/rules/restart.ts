// Restart policy as data (systemd's burst limit + backoff): a restart inside the window counts;
// past the budget the agent is parked with a reason instead of being restarted forever.
import type { Agent } from "../../config/load.js";
import type { RestartCause } from "../../config/schema.js";
import { resumeDiedAtOnce } from "../../fleet/conversation.js";
import type { AgentRuntime } from "../types.js";
import { type Ctx, dueAt, sec, setStatus } from "./context.js";

/** A heal continues the conversation when its cause is one of the agent's resume_on; a stall reboot does not by default. */
export const resumesOn = (agent: Agent, cause: RestartCause): boolean => agent.resume_on.includes(cause);

/** The causes that mean the CLI itself went away (not a stall or stuck the watchdog ended). */
const DIED: ReadonlySet<RestartCause> = new Set(["crash", "missing", "fatal"]);

/**
 * A resumed start whose CLI died at once failed to resume: say so once, with the conversation's
 * id, and mark it so the next start is a new conversation. Checked when the death is first seen,
 * before any backoff delays the restart itself.
 */
function noteResumeFailure(ctx: Ctx, agent: Agent, rt: AgentRuntime, reason: string, cause: RestartCause): void {
  const last = rt.lastStart;
  if (!last || last.failed || !DIED.has(cause) || !resumeDiedAtOnce(last, ctx.now, ctx.fleet.watchdog.signal_interval * 1000)) return;
  last.failed = true;
  const id = ctx.snap.signals.get(agent.name)?.sessionId ?? rt.signal?.sessionId;
  ctx.actions.push({
    type: "note",
    agent: agent.name,
    level: "warn",
    event: "resume-failed",
    // lastStart records the wish to resume; the start itself may have found nothing to resume.
    reason: `the start ${sec(ctx.now - last.at)}s ago, asked to resume${id ? ` (conversation ${id})` : ""}, died at once (${reason}); the next start is a new conversation`,
  });
}

export function requestRestart(ctx: Ctx, agent: Agent, rt: AgentRuntime, reason: string, force: boolean, cause: RestartCause): void {
  noteResumeFailure(ctx, agent, rt, reason, cause);
  const w = ctx.fleet.watchdog;
  const windowStart = ctx.now - w.restart_window * 1000;
  rt.restarts = rt.restarts.filter((t) => t > windowStart);
  if (rt.restarts.length >= w.restart_budget) {
    const why = `${rt.restarts.length} restarts in ${sec(w.restart_window * 1000)}s; last: ${reason}`;
    rt.parked = { reason: why, at: ctx.now };
    setStatus(ctx, rt, "parked", why);
    ctx.actions.push({ type: "park", agent: agent.name, reason: why });
    return;
  }
  const last = rt.restarts[rt.restarts.length - 1];
  if (last !== undefined) {
    const backoff = Math.min(w.restart_backoff * 2 ** (rt.restarts.length - 1), w.restart_backoff_max) * 1000;
    if (ctx.now < last + backoff) {
      setStatus(ctx, rt, "restarting", `backing off before restart ${rt.restarts.length + 1} (${reason})`, { until: last + backoff });
      dueAt(ctx, last + backoff, `${agent.name}: restart backoff ends`, true);
      return;
    }
  }
  rt.restarts.push(ctx.now);
  rt.lastActive = ctx.now;
  rt.seenActivity = undefined;
  rt.hold = undefined;
  rt.stuck = undefined;
  rt.drift = undefined;
  rt.screenHash = undefined;
  // After a resume that died at once, a new conversation (then resuming is allowed again).
  const resume = resumesOn(agent, cause) && !rt.lastStart?.failed;
  rt.lastStart = { at: ctx.now, resume };
  setStatus(ctx, rt, "restarting", reason, { since: ctx.now });
  ctx.actions.push({ type: "start", agent: agent.name, force, reason, restart: true, phase: ctx.snap.phase.index, resume });
}
