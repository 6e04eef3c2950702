// Which model an agent runs in a given phase (kept tiny: `status` imports it).
import type { Agent, Fleet } from "../config/load.js";

/** Per-phase model overrides (phases[i].models[role]) win over the agent's own model. */
export function agentModel(fleet: Fleet, agent: Agent, phaseIndex: number): string {
  if (agent.role) {
    const override = fleet.loop.phases[phaseIndex]?.models?.[agent.role];
    if (override) return override;
  }
  return agent.model;
}
