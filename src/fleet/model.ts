// Which model an agent runs right now (kept tiny: `status` imports it).
import type { Agent, Fleet } from "../config/load.js";
import { currentPhase } from "../state/phase.js";

/** Per-phase model overrides (phases[i].models[role]) win over the agent's own model. */
export function agentModel(fleet: Fleet, agent: Agent): string {
  if (agent.role) {
    const override = currentPhase(fleet)?.models?.[agent.role];
    if (override) return override;
  }
  return agent.model;
}
