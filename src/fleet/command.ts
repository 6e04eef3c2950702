// Pure: the shell command line (and environment) that starts one agent, per prompt delivery.
import type { Agent, Backend } from "../config/load.js";
import { shellQuote } from "../tmux/tmux.js";
import { renderShell } from "./template.js";

export interface LaunchInputs {
  kickoffFile: string;
  model: string;
  resumeId?: string;
}

export interface LaunchPlan {
  command: string;
  env: Record<string, string>;
  /** For `ping` delivery: what to type once the TUI is up, and after how long. */
  ping?: { text: string; delayMs: number; submitKey: string };
}

/** The sentence typed into a `ping` backend: tell the TUI where its kickoff is. */
export function kickoffPointer(kickoffFile: string): string {
  return `Read your kickoff instructions in the file ${kickoffFile} (for example with: cat ${shellQuote(kickoffFile)}) and then carry them out.`;
}

function modelEnv(backend: Backend, model: string): Record<string, string> {
  if (!model || !backend.model_env) return {};
  // `true` keeps the reference's meaning: opencode reads its model from inline config JSON.
  if (backend.model_env === true) return { OPENCODE_CONFIG_CONTENT: JSON.stringify({ model }) };
  return { [backend.model_env]: model };
}

export function buildLaunch(agent: Agent, inputs: LaunchInputs): LaunchPlan {
  const b = agent.backend;
  const { kickoffFile, model, resumeId } = inputs;
  const env = { ...agent.env };
  const prompt = `"$(cat ${shellQuote(kickoffFile)})"`;

  if (b.prompt_delivery === "exec") {
    const command = renderShell(b.bin, { kickoff: kickoffFile, session: agent.session, model });
    return { command, env };
  }

  if (b.prompt_delivery === "ping") {
    const attach = renderShell(b.attach, { server: b.server, dir: agent.dir }, { bin: b.bin });
    const command = b.preamble ? `${b.preamble}; ${attach}` : attach;
    return {
      command,
      env: { ...env, ...modelEnv(b, model) },
      ping: { text: kickoffPointer(kickoffFile), delayMs: b.connect_delay * 1000, submitKey: b.submit_key },
    };
  }

  const parts = [b.bin];
  if (resumeId && agent.resume && b.supports_resume) parts.push(renderShell(b.resume_flag, { id: resumeId }));
  if (b.remote_control) parts.push(renderShell(b.remote_control_flag, { session: agent.session }));
  if (model) parts.push(renderShell(b.model_flag, { model }));
  if (b.flags) parts.push(b.flags);
  parts.push(renderShell(b.prompt_arg, {}, { prompt }));
  return { command: parts.filter(Boolean).join(" "), env };
}
