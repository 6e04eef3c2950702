// An agent that looks busy forever (a spinner over a hung API stream, Codex's "Reconnecting…",
// Claude's retry loop) while its own record has not grown for stuck_after is `stuck`. Rebooting
// at once would lose the turn; the steps escalate, each given STUCK_STEP_MS to help: interrupt
// (Escape), then a nudge, then a restart into the same conversation. Needs a tap: without a
// record there is no second witness to say the busy screen is hollow. A tool call the record says
// is still running (toolSince) is given TOOL_GRACE_FACTOR × stuck_after before the steps begin.
import type { Agent } from "../../config/load.js";
import type { AgentRuntime } from "../types.js";
import { type Ctx, dueAt, sec, setStatus } from "./context.js";
import { describeScreen, describeSignal, launchSignal, type Weighed } from "./evidence.js";
import { requestRestart } from "./restart.js";

/** How long each step gets before the next one. */
export const STUCK_STEP_MS = 90_000;
/**
 * A tool call the record says is running (a build, a test suite) keeps a quiet record from
 * counting as stuck for up to this many stuck_after from the call's start; past that the steps
 * may begin (a hung tool is stuck too).
 */
export const TOOL_GRACE_FACTOR = 4;

export function stuckNudge(): string {
  return "Watchdog: you have shown as busy for a long time with no progress. If a request is hung, stop it and continue your task from where you were.";
}

/** Returns true while the agent is stuck (the stall rule then leaves it to these steps). */
export function stuckRule(ctx: Ctx, agent: Agent, rt: AgentRuntime, w: Weighed): boolean {
  const sig = launchSignal(ctx.snap, agent);
  const pane = ctx.snap.panes.get(agent.session);
  const screenBusy = w.screen?.state === "working";
  const after = ctx.fleet.watchdog.stuck_after * 1000;
  if (!sig || !pane || !screenBusy) return clear(ctx, agent, rt, screenBusy ? "no record" : "the screen is no longer busy");
  // A record from before this launch's pane does not date this run's silence: the launch does.
  const grew = Math.max(sig.grewAt, pane.created * 1000);
  if (rt.stuck && grew > rt.stuck.since) return clear(ctx, agent, rt, "its record grew again (or it was relaunched)");
  // A tool call begun in this launch and still running: quiet is expected, up to the grace.
  const tool = sig.toolSince !== undefined && sig.toolSince >= pane.created * 1000 ? sig.toolSince : undefined;
  const toolUntil = tool !== undefined ? tool + TOOL_GRACE_FACTOR * after : undefined;
  if (!rt.stuck && (ctx.now - grew < after || (toolUntil !== undefined && ctx.now < toolUntil))) {
    const at = Math.max(grew + after, toolUntil ?? 0);
    dueAt(ctx, at, `${agent.name}: ${at === toolUntil ? "tool call grace" : "stuck_after"} reached`);
    return false;
  }
  const toolNote = tool !== undefined ? `; a tool call running for ${sec(ctx.now - tool)}s (over ${TOOL_GRACE_FACTOR} × stuck_after)` : "";
  const evidence = `screen ${describeScreen(w.screen)}; record ${describeSignal(sig, ctx.now) ?? sig.source} last grew ${sec(ctx.now - grew)}s ago${toolNote}`;
  if (!rt.stuck) {
    rt.stuck = { since: ctx.now, step: 1, at: ctx.now };
    setStatus(ctx, rt, "stuck", `busy with no progress for ${sec(ctx.now - grew)}s; interrupted`, { since: ctx.now });
    ctx.actions.push({ type: "keys", agent: agent.name, keys: ["Escape"], event: "stuck-interrupt", reason: `stuck (step 1/3: interrupt): ${evidence}` });
    dueAt(ctx, ctx.now + STUCK_STEP_MS, `${agent.name}: stuck step 2`);
    return true;
  }
  const s = rt.stuck;
  if (ctx.now - s.at < STUCK_STEP_MS) {
    setStatus(ctx, rt, "stuck", `busy with no progress; ${s.step === 1 ? "interrupted" : "nudged"}, waiting to see it help`, { since: s.since, until: s.at + STUCK_STEP_MS });
    dueAt(ctx, s.at + STUCK_STEP_MS, `${agent.name}: stuck step ${s.step + 1}`);
    return true;
  }
  if (s.step === 1) {
    Object.assign(s, { step: 2, at: ctx.now });
    setStatus(ctx, rt, "stuck", `busy with no progress for ${sec(ctx.now - grew)}s; nudged`, { since: s.since, until: ctx.now + STUCK_STEP_MS });
    ctx.actions.push({ type: "ping", agent: agent.name, purpose: "nudge", text: stuckNudge(), reason: `stuck (step 2/3: nudge): ${evidence}` });
    dueAt(ctx, ctx.now + STUCK_STEP_MS, `${agent.name}: stuck step 3`);
    return true;
  }
  const before = ctx.actions.length;
  requestRestart(ctx, agent, rt, `stuck (step 3/3: restart): ${evidence}`, true, "stuck");
  // Started (or parked): the steps are over. Backing off: try again when the backoff ends.
  if (ctx.actions.slice(before).some((a) => a.type === "start" || a.type === "park")) rt.stuck = undefined;
  return true;
}

function clear(ctx: Ctx, agent: Agent, rt: AgentRuntime, why: string): false {
  if (rt.stuck) {
    ctx.actions.push({ type: "note", agent: agent.name, level: "info", event: "stuck-cleared", reason: `after step ${rt.stuck.step}: ${why}` });
    rt.stuck = undefined;
  }
  return false;
}
