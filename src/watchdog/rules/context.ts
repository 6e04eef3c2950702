// What every rule shares during one decide(): the inputs, the actions being collected, the
// deadlines rules learn about, and one way to set an agent's structured status.
import type { Agent, Fleet } from "../../config/load.js";
import type { Action, AgentRuntime, AgentState, AgentStatus, Deadline, Snapshot, WatchdogState } from "../types.js";

export interface Ctx {
  fleet: Fleet;
  snap: Snapshot;
  state: WatchdogState;
  actions: Action[];
  now: number;
  deadlines: Deadline[];
}

export const sec = (ms: number): number => Math.round(ms / 1000);
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function runtimeFor(state: WatchdogState, agent: Agent, now: number): AgentRuntime {
  return (state.agents[agent.name] ??= {
    lastActive: now,
    restarts: [],
    status: { state: "unknown", reason: "not observed yet", since: now },
  });
}

/** Set an agent's status; `since` carries over while the state stays the same. */
export function setStatus(
  ctx: Ctx,
  rt: AgentRuntime,
  state: AgentState,
  reason: string,
  extra: Partial<Pick<AgentStatus, "since" | "until" | "detail">> = {},
): void {
  const since = extra.since ?? (rt.status?.state === state ? rt.status.since : ctx.now);
  const next: AgentStatus = { state, reason, since };
  if (extra.until !== undefined) next.until = extra.until;
  if (extra.detail !== undefined) next.detail = extra.detail;
  rt.status = next;
}

/** A moment in the future when a rule will have something to do (ignored when not ahead of now). */
export function dueAt(ctx: Ctx, at: number, reason: string, heavy = false): void {
  if (Number.isFinite(at) && at > ctx.now) ctx.deadlines.push({ at, heavy, reason });
}

export function earliest(deadlines: Deadline[]): Deadline | undefined {
  let best: Deadline | undefined;
  for (const d of deadlines) if (!best || d.at < best.at || (d.at === best.at && d.heavy)) best = d;
  return best;
}

export const watchedAgents = (fleet: Fleet): Agent[] => fleet.agents.filter((a) => a.enabled && a.watch !== "none");
export const loopAgents = (fleet: Fleet): Agent[] => fleet.agents.filter((a) => a.enabled && a.kind === "loop");
