// What an agent is told when it starts: the kickoff prompt, and which model it runs.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Agent, Fleet } from "../config/load.js";
import { resolvePath } from "../config/paths.js";
import { renderText } from "./template.js";
export { agentModel } from "./model.js";

/** A loop agent's kickoff = the rendered kickoff template (for the given phase) followed by prompts/<role>.md. */
export function buildKickoff(fleet: Fleet, agent: Agent, phaseIndex: number): string {
  if (agent.kind === "loop") {
    const phase = fleet.loop.phases[phaseIndex];
    const fields = {
      phase_id: phase?.id ?? "",
      plan: phase?.plan ?? "",
      status: phase?.status ?? "",
      role: agent.role ?? "",
    };
    const tmpl = fleet.loop.kickoff_template;
    const preamble = tmpl ? renderText(readFileSync(resolvePath(fleet.projectDir, tmpl), "utf8"), fields) : "";
    const rolePath = path.join(resolvePath(fleet.projectDir, fleet.loop.roles_dir), `${agent.role}.md`);
    return preamble + readFileSync(rolePath, "utf8");
  }
  if (agent.promptFile) return readFileSync(agent.promptFile, "utf8");
  return agent.prompt ?? "";
}
