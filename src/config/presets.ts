// Built-in backends. A [backend.X] table in agents.toml is merged over the preset of the same name
// (or over `preset = "..."`), field by field, so a user can change one regex and keep the rest.
// A field neither sets takes its default from the schema (schema.ts, backendDefaults).
import { fileURLToPath } from "node:url";
import { BUILTIN_DETECT } from "../detect/patterns.js";
import type { BackendTable } from "./schema.js";
import { shellQuote } from "../tmux/tmux.js";

/** The dependency-free fake agent shipped with the package (used by the demo fleet and tests). */
export const DEMO_AGENT_PATH = fileURLToPath(new URL("../../demo/agent.sh", import.meta.url));

export const PRESETS: Record<string, BackendTable> = {
  demo: {
    bin: `bash ${shellQuote(DEMO_AGENT_PATH)}`,
    prompt_delivery: "arg",
    model_flag: "--model {model}",
    submit_key: "Enter",
    stall_idle: 120,
    connect_delay: 1,
    ...BUILTIN_DETECT.demo,
    // The demo agent *is* a bash script: its pane command is bash, which is not "exited to a shell".
    shell_commands: [],
    // Only its last line is live: a "working..." line printed just before it obeyed a command
    // (say /limit) must not read as busy forever once it has gone quiet.
    status_rows: 1,
  },
  claude: {
    bin: "claude",
    prompt_delivery: "arg",
    process_name: "claude",
    submit_key: "Enter",
    stall_idle: 300,
    supports_resume: true,
    resume_flag: "--resume {id}",
    model_flag: "--model {model}",
    remote_control_flag: "--remote-control {session}",
    preseed_trust: true,
    connect_delay: 8,
    ...BUILTIN_DETECT.claude,
    // Its limit screen can hold a menu ("What do you want to do?"); Escape closes it first.
    nudge_keys: ["Escape"],
  },
  codex: {
    bin: "codex",
    // Without it Codex hands the session to a shared `app-server` daemon that outlives the TUI
    // (and `agents down`), and that was started with the first agent's env and cwd, not this one's.
    flags: "--no-daemon",
    prompt_delivery: "arg",
    process_name: "node",
    submit_key: "Enter",
    stall_idle: 300,
    supports_resume: true,
    resume_flag: "resume {id}",
    model_flag: "--model {model}",
    preseed_trust: true,
    connect_delay: 8,
    ...BUILTIN_DETECT.codex,
    // Its limit screen can hold a menu ("What do you want to do?"); Escape closes it first.
    nudge_keys: ["Escape"],
  },
  opencode: {
    bin: "opencode",
    prompt_delivery: "arg",
    prompt_arg: "--prompt {prompt}",
    process_name: "opencode",
    submit_key: "Enter",
    stall_idle: 300,
    footer_ui: true,
    log_grace: 180,
    supports_resume: true,
    resume_flag: "--session {id}",
    model_flag: "--model {model}",
    connect_delay: 8,
    ...BUILTIN_DETECT.opencode,
  },
  gemini: {
    bin: "gemini",
    prompt_delivery: "arg",
    prompt_arg: "--prompt-interactive {prompt}",
    process_name: "node",
    submit_key: "Enter",
    stall_idle: 300,
    model_flag: "--model {model}",
    connect_delay: 8,
    ...BUILTIN_DETECT.gemini,
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);
