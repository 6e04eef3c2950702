// What an agent is told when it starts: the kickoff prompt, and which model it runs.
import path from "node:path";
import type { Agent, Fleet } from "../config/load.js";
import { resolvePath } from "../config/paths.js";
import { readRegularFile } from "../state/files.js";
import { renderText } from "./template.js";
export { agentModel } from "./model.js";

/**
 * A loop agent's kickoff = the rendered kickoff template (for the given phase) followed by
 * prompts/<role>.md. The prompt files are read as regular files only: one replaced by a FIFO since
 * the config was checked fails this start with a message instead of hanging it.
 */
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
    const preamble = tmpl ? renderText(readRegularFile(resolvePath(fleet.projectDir, tmpl)), fields) : "";
    const rolePath = path.join(resolvePath(fleet.projectDir, fleet.loop.roles_dir), `${agent.role}.md`);
    return preamble + readRegularFile(rolePath);
  }
  if (agent.promptFile) return readRegularFile(agent.promptFile);
  return agent.prompt ?? "";
}
