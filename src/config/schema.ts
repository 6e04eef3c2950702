// The single source of truth for the shape of agents.toml: types, defaults and messages.
// Objects are strict so unknown keys surface; load.ts turns those particular issues into warnings
// (configs evolve) and everything else into one-line errors.
import { z } from "zod";

/** Safe as a tmux session name and a file name: tmux rewrites '.' and ':' and a shell needs no quoting. */
export const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const nameMessage = "must be 1-64 letters, digits, '-' or '_' (it becomes a tmux session and file name)";
export const safeName = z.string().regex(NAME_RE, nameMessage);

const regexSource = z.string().superRefine((src, ctx) => {
  try {
    new RegExp(src, "i");
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `bad regex ${JSON.stringify(src)}: ${(err as Error).message}` });
  }
});

const seconds = z.number().nonnegative();
const positiveSeconds = z.number().positive();
const envTable = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

export const PROMPT_DELIVERIES = ["arg", "ping", "exec"] as const;
export const WATCH_MODES = ["none", "heal", "heal+stall"] as const;
export const AGENT_KINDS = ["loop", "persistent", "task", "orchestrator"] as const;
/** Spellings of the one-shot kind that mean `task`. */
export const KIND_ALIASES: Record<string, (typeof AGENT_KINDS)[number]> = {
  oneshot: "task",
  "one-shot": "task",
  one_shot: "task",
};

export const backendSchema = z.strictObject({
  /** Preset to start from when the table's own name is not a preset. */
  preset: z.string().optional(),
  bin: z.string().optional(),
  flags: z.string().optional(),
  prompt_delivery: z.enum(PROMPT_DELIVERIES).optional(),
  /** How the kickoff is passed with prompt_delivery = "arg": {prompt} is the quoted prompt text. */
  prompt_arg: z.string().optional(),
  process_name: z.string().optional(),
  submit_key: z.string().optional(),
  stall_idle: positiveSeconds.optional(),
  active_re: regexSource.optional(),
  idle_re: regexSource.optional(),
  limit_re: regexSource.optional(),
  fatal_re: regexSource.optional(),
  dialog_re: regexSource.optional(),
  /** Regex source: a row that starts a user turn (limit/fatal text above it is stale). */
  turn_re: regexSource.optional(),
  /** Regex source: a row that marks a finished turn. */
  done_re: regexSource.optional(),
  /** Keys sent before a usage-limit nudge, e.g. Escape to close a limit menu so the text reaches the input. */
  nudge_keys: z.array(z.string()).optional(),
  title_active_re: regexSource.optional(),
  status_rows: z.number().int().positive().optional(),
  shell_commands: z.array(z.string()).optional(),
  footer_ui: z.boolean().optional(),
  log_grace: seconds.optional(),
  supports_resume: z.boolean().optional(),
  resume_flag: z.string().optional(),
  model_flag: z.string().optional(),
  model_env: z.union([z.boolean(), z.string()]).optional(),
  remote_control: z.boolean().optional(),
  remote_control_flag: z.string().optional(),
  preamble: z.string().optional(),
  attach: z.string().optional(),
  server: z.string().optional(),
  connect_delay: seconds.optional(),
  /** Answer known start-up dialogs (folder trust, API key) by choosing "proceed" explicitly. */
  answer_dialogs: z.boolean().optional(),
  /** Pre-seed the CLI's own config so it trusts the agent's folder (claude, codex). */
  preseed_trust: z.boolean().optional(),
  env: envTable.optional(),
});
export type BackendTable = z.infer<typeof backendSchema>;

const wakeSchema = z
  .strictObject({
    interval: positiveSeconds.optional(),
    cron: z.string().optional(),
    prompt_file: z.string(),
  })
  .superRefine((w, ctx) => {
    if (w.interval !== undefined && w.cron !== undefined) {
      ctx.addIssue({ code: "custom", message: "set either interval or cron, not both" });
    }
  });

/** Keys an agent may set itself or inherit from [defaults]. */
const agentCommon = {
  backend: z.string().optional(),
  model: z.string().optional(),
  watch: z.enum(WATCH_MODES).optional(),
  dir: z.string().optional(),
  enabled: z.boolean().optional(),
  resume: z.boolean().optional(),
  env: envTable.optional(),
};
export const AGENT_INHERITED_KEYS = Object.keys(agentCommon) as (keyof typeof agentCommon)[];

export const agentSchema = z.strictObject({
  ...agentCommon,
  name: safeName,
  kind: z
    .string()
    .transform((k) => KIND_ALIASES[k] ?? k)
    .pipe(z.enum(AGENT_KINDS))
    .default("persistent"),
  role: safeName.optional(),
  session: safeName.optional(),
  prompt: z.string().optional(),
  prompt_file: z.string().optional(),
  wake: wakeSchema.optional(),
});
export type AgentTable = z.infer<typeof agentSchema>;

export const serviceSchema = z.strictObject({
  name: safeName,
  command: z.string().min(1),
  dir: z.string().optional(),
  enabled: z.boolean().optional(),
  env: envTable.optional(),
});

const phaseSchema = z.strictObject({
  id: z.string().min(1),
  plan: z.string().default(""),
  status: z.string().min(1),
  models: z.record(z.string(), z.string()).optional(),
});

const handoffSchema = z.strictObject({
  repo: z.string().optional(),
  state_subdir: z.string().default("machine-docs"),
  claim_pattern: regexSource.default("^claim"),
  review_pattern: regexSource.default("^review"),
  claim_pings: z.string().default("adversary"),
  review_pings: z.string().default("builder"),
  /** [0] pings claim_pings' agent, [1] pings review_pings' agent (reference order). */
  inboxes: z.array(z.string()).default([]),
  /** Branch on origin whose commits are watched. */
  branch: z.string().default("main"),
});

const onCompleteSchema = z.strictObject({
  run: z.string().optional(),
  trigger_file: z.string().default(".run-on-complete"),
});

export const loopSchema = z.strictObject({
  phases: z.array(phaseSchema).default([]),
  state_file: z.string().default("phase-idx"),
  kickoff_template: z.string().optional(),
  roles_dir: z.string().default("prompts"),
  done_marker: z.string().min(1).default("## DONE"),
  auto_advance: z.boolean().default(true),
  resume_phase: z.boolean().optional(),
  handoff: handoffSchema.optional(),
  on_complete: onCompleteSchema.optional(),
});

export const watchdogSchema = z.strictObject({
  signal_interval: positiveSeconds.default(30),
  heavy_interval: positiveSeconds.default(300),
  stall_grace: seconds.default(180),
  limit_probe_fallback: positiveSeconds.default(300),
  limit_reset_slack: seconds.default(45),
  /** Restarts allowed per agent within restart_window before it is parked. */
  restart_budget: z.number().int().positive().default(5),
  restart_window: positiveSeconds.default(600),
  /** First wait between restarts of the same agent; doubles per restart inside the window. */
  restart_backoff: seconds.default(5),
  restart_backoff_max: seconds.default(120),
  /** Seconds a typed ping may take to leave the input line before it is given up on. */
  ping_timeout: positiveSeconds.default(10),
  /** A reset time further away than this is not trusted; the fallback probe is used instead. */
  limit_max_hold: positiveSeconds.default(7 * 24 * 3600),
});
export type WatchdogSettings = z.infer<typeof watchdogSchema>;

export const defaultsSchema = z.strictObject({
  ...agentCommon,
  session_prefix: z.string({ error: "is required (e.g. session_prefix = \"myproj-\")" }).regex(/^[A-Za-z0-9_-]{1,40}$/, "must be 1-40 letters, digits, '-' or '_'"),
  log_dir: z.string({ error: "is required (e.g. log_dir = \".agents-state\")" }).min(1),
  project_dir: z.string().optional(),
  tmux_socket: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a plain socket name").optional(),
});

export const configSchema = z.strictObject({
  defaults: defaultsSchema,
  watchdog: watchdogSchema.default(watchdogSchema.parse({})),
  backend: z.record(safeName, backendSchema).default({}),
  agent: z.array(agentSchema).default([]),
  service: z.array(serviceSchema).default([]),
  loop: loopSchema.default(loopSchema.parse({})),
});
export type ConfigFile = z.infer<typeof configSchema>;
