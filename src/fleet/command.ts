// Pure: the shell command line (and environment) that starts one agent, per prompt delivery.
import type { Agent, Backend } from "../config/load.js";
import { shellQuote } from "../tmux/tmux.js";
import { renderShell, templateProblems, type SlotKind } from "./template.js";

export interface LaunchInputs {
  kickoffFile: string;
  model: string;
  resumeId?: string;
  /** Continue the conversation `resumeId` names (default: the agent's `resume`); the caller decides per start. */
  resume?: boolean;
  /** Already-quoted words a signal tap adds right after the binary (its `--settings`, a pinned id). */
  tapArgs?: string[];
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

/**
 * Every backend field that is a command template, and the slots buildLaunch fills in it. The loader
 * checks these templates against the same table (backendTemplateProblems), so a template that
 * loads is one buildLaunch can fill safely.
 */
export const TEMPLATE_SLOTS = {
  /** Only with prompt_delivery = "exec"; otherwise bin is a plain command. */
  bin: { kickoff: "value", session: "name", model: "value" },
  attach: { bin: "raw", server: "value", dir: "value" },
  model_flag: { model: "value" },
  resume_flag: { id: "value" },
  remote_control_flag: { session: "name" },
  prompt_arg: { prompt: "raw" },
} as const satisfies Record<string, Record<string, SlotKind>>;

type TemplateField = keyof typeof TEMPLATE_SLOTS;

/** `[field, problem]` for every template of the backend that cannot be filled safely. */
export function backendTemplateProblems(b: Backend): [TemplateField, string][] {
  const fields = (Object.keys(TEMPLATE_SLOTS) as TemplateField[]).filter((f) => f !== "bin" || b.prompt_delivery === "exec");
  return fields.flatMap((f) => templateProblems(b[f], TEMPLATE_SLOTS[f]).map((p): [TemplateField, string] => [f, p]));
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
  // Every session can read these; a template slot inside a nested shell's script reads them too.
  const env: Record<string, string> = { ...agent.env, AGENT_SESSION: agent.session, AGENT_MODEL: model, AGENT_KICKOFF: kickoffFile };
  const prompt = `"$(cat ${shellQuote(kickoffFile)})"`;
  const fill = (field: TemplateField, values: Record<string, string>): string => {
    const r = renderShell(b[field], values, TEMPLATE_SLOTS[field]);
    Object.assign(env, r.env);
    return r.text;
  };

  if (b.prompt_delivery === "exec") {
    // The user's own script: it may be a list of commands, so it is run as written.
    const command = withPath(fill("bin", { kickoff: kickoffFile, session: agent.session, model }), env);
    return { command, env };
  }

  if (b.prompt_delivery === "ping") {
    const attach = fill("attach", { server: b.server, dir: agent.dir, bin: b.bin });
    const command = withPath(b.preamble ? `${b.preamble}; ${execIfSimple(attach)}` : execIfSimple(attach), env);
    return {
      command,
      env: { ...env, ...modelEnv(b, model) },
      ping: { text: kickoffPointer(kickoffFile), delayMs: b.connect_delay * 1000, submitKey: b.submit_key },
    };
  }

  const parts = [b.bin, ...(inputs.tapArgs ?? [])];
  if (resumeId && (inputs.resume ?? agent.resume) && b.supports_resume) parts.push(fill("resume_flag", { id: resumeId }));
  if (b.remote_control) parts.push(fill("remote_control_flag", { session: agent.session }));
  if (model) parts.push(fill("model_flag", { model }));
  if (b.flags) parts.push(b.flags);
  parts.push(fill("prompt_arg", { prompt }));
  return { command: withPath(execIfSimple(parts.filter(Boolean).join(" ")), env), env };
}

/**
 * tmux runs a session's command with `sh -c`, and dash (Debian's sh) stays the pane's process
 * rather than exec'ing the last command: the pane would show `sh`, which reads as "the agent
 * exited to a shell". `exec` makes the CLI the pane's process. Only for one simple command: a
 * list (`a && b`, `a; b`, a pipe) must run as written.
 */
export function execIfSimple(command: string): string {
  return /[;&|\n]|^\s*exec\s/.test(command) ? command : `exec ${command}`;
}

/**
 * The command without what buildLaunch wraps around it for tmux (`export PATH=…;`, `exec`), for a
 * caller that runs it under its own wrapper (`exec env -i … <command>` in the live selftest, which
 * sets PATH itself).
 */
export function bareCommand(command: string): string {
  return command.replace(/^export PATH=(?:'[^']*'|[^\s;]+); /, "").replace(/^exec /, "");
}

/**
 * tmux starts the command with the client's PATH whatever `new-session -e PATH=` says (tmux 3.3):
 * an agent's own PATH must be set in the command line to find its CLI.
 */
function withPath(command: string, env: Record<string, string>): string {
  return env.PATH ? `export PATH=${shellQuote(env.PATH)}; ${command}` : command;
}
