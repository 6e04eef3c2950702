// The single source of truth for the shape of agents.toml: types, defaults and messages. Every
// default lives here (resolve.ts only merges); types.ts derives the loaded types from these schemas.
// Objects are strict so unknown keys surface; parse.ts turns those particular issues into warnings
// (configs evolve) and everything else into one-line errors.
import { z } from "zod";
import { longSeconds, positiveSeconds, seconds } from "./schema-units.js";
import { agentNotifySchema, notifySchema } from "./schema-notify.js";
export * from "./schema-notify.js";

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

const envTable = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

export const PROMPT_DELIVERIES = ["arg", "ping", "exec"] as const;
export const WATCH_MODES = ["none", "heal", "heal+stall"] as const;
export const AGENT_KINDS = ["loop", "persistent", "task", "orchestrator"] as const;
/**
 * Why the watchdog starts an agent again: `crash` (pane dead, exited to a shell, another process),
 * `fatal` (a fatal screen), `missing` (no session: killed, or gone while no watchdog ran), `stuck`,
 * `stall` (a stall reboot). A phase advance always starts fresh.
 */
export const RESTART_CAUSES = ["crash", "fatal", "missing", "stuck", "stall"] as const;
export type RestartCause = (typeof RESTART_CAUSES)[number];
/** Spellings of the one-shot kind that mean `task`. */
export const KIND_ALIASES: Record<string, (typeof AGENT_KINDS)[number]> = {
  oneshot: "task",
  "one-shot": "task",
  one_shot: "task",
};

/** Every backend field, each written once; a [backend.X] table may set any of them. */
const backendFields = {
  bin: z.string(),
  flags: z.string(),
  prompt_delivery: z.enum(PROMPT_DELIVERIES),
  /** How the kickoff is passed with prompt_delivery = "arg": {prompt} is the quoted prompt text. */
  prompt_arg: z.string(),
  process_name: z.string(),
  submit_key: z.string(),
  stall_idle: longSeconds,
  active_re: regexSource,
  idle_re: regexSource,
  limit_re: regexSource,
  fatal_re: regexSource,
  dialog_re: regexSource,
  /** Regex source: a row that starts a user turn (limit/fatal text above it is stale). */
  turn_re: regexSource,
  /** Regex source: a row that marks a finished turn. */
  done_re: regexSource,
  /** Keys sent before a usage-limit nudge, e.g. Escape to close a limit menu so the text reaches the input. */
  nudge_keys: z.array(z.string()),
  title_active_re: regexSource,
  status_rows: z.number().int().positive(),
  shell_commands: z.array(z.string()),
  footer_ui: z.boolean(),
  log_grace: seconds,
  supports_resume: z.boolean(),
  resume_flag: z.string(),
  model_flag: z.string(),
  model_env: z.union([z.boolean(), z.string()]),
  remote_control: z.boolean(),
  remote_control_flag: z.string(),
  preamble: z.string(),
  attach: z.string(),
  server: z.string(),
  connect_delay: seconds,
  /** Answer known start-up dialogs (folder trust, API key) by choosing "proceed" explicitly. */
  answer_dialogs: z.boolean(),
  /** Pre-seed the CLI's own config so it trusts the agent's folder (claude, codex). */
  preseed_trust: z.boolean(),
  /** Run the CLI's signal tap (claude, codex presets): its own record of state, limits, cost. */
  signals: z.boolean(),
  env: envTable,
};

/** A [backend.X] table: every field optional, since it is merged over a preset (presets.ts). */
export const backendSchema = z
  .strictObject({
    /** Preset to start from when the table's own name is not a preset. */
    preset: z.string(),
    ...backendFields,
  })
  .partial();
export type BackendTable = z.infer<typeof backendSchema>;

/**
 * The built-in value of every backend field that has one: what the field is when neither the
 * preset nor the [backend.X] table sets it. These are the only backend defaults.
 */
const backendDefaults = {
  flags: backendFields.flags.default(""),
  prompt_delivery: backendFields.prompt_delivery.default("arg"),
  prompt_arg: backendFields.prompt_arg.default("{prompt}"),
  submit_key: backendFields.submit_key.default("Enter"),
  stall_idle: backendFields.stall_idle.default(300),
  footer_ui: backendFields.footer_ui.default(false),
  log_grace: backendFields.log_grace.default(180),
  supports_resume: backendFields.supports_resume.default(false),
  resume_flag: backendFields.resume_flag.default("--resume '{id}'"),
  model_flag: backendFields.model_flag.default("--model '{model}'"),
  model_env: backendFields.model_env.default(false),
  remote_control: backendFields.remote_control.default(false),
  remote_control_flag: backendFields.remote_control_flag.default("--remote-control '{session}'"),
  preamble: backendFields.preamble.default(""),
  attach: backendFields.attach.default("{bin}"),
  server: backendFields.server.default(""),
  connect_delay: backendFields.connect_delay.default(12),
  answer_dialogs: backendFields.answer_dialogs.default(true),
  preseed_trust: backendFields.preseed_trust.default(false),
  nudge_keys: backendFields.nudge_keys.default(() => []),
  // On by default: a backend whose preset has no tap simply has nothing to turn on.
  signals: backendFields.signals.default(true),
};
export const BACKEND_DEFAULTS = z.object(backendDefaults).parse({});

/** A backend once preset, table and defaults are merged: what the rest of the code sees. */
export const resolvedBackendSchema = backendSchema
  .extend({
    name: z.string(),
    ...backendDefaults,
    /** Empty when neither preset nor table names one: an error for any backend an agent uses. */
    bin: backendFields.bin.default(""),
    env: backendFields.env.default(() => ({})),
  })
  // Without a process_name we do not know what the agent's process looks like: a shell in the
  // pane may be the agent itself (an exec backend's bash loop), so it must not read as "exited".
  .transform((b): typeof b => (b.process_name || b.shell_commands !== undefined ? b : { ...b, shell_commands: [] }));

/** A wake schedule: cron, or else an interval (hourly unless set). */
export const wakeSchema = z
  .strictObject({
    interval: longSeconds.optional(),
    cron: z.string().optional(),
    prompt_file: z.string(),
  })
  .superRefine((w, ctx) => {
    if (w.interval !== undefined && w.cron !== undefined) {
      ctx.addIssue({ code: "custom", message: "set either interval or cron, not both" });
    }
  })
  .transform(({ interval, cron, prompt_file: promptFile }) =>
    cron === undefined ? { promptFile, interval: interval ?? 3600 } : { promptFile, cron },
  );

/** Keys an agent may set itself or inherit from [defaults] (their defaults live in defaultsSchema). */
const inheritable = {
  backend: z.string(),
  model: z.string(),
  watch: z.enum(WATCH_MODES),
  dir: z.string(),
  enabled: z.boolean(),
  resume: z.boolean(),
  /** The restart causes that continue the pinned conversation instead of starting a new one. */
  resume_on: z.array(z.enum(RESTART_CAUSES)),
  /** Not inherited as a whole: merged defaults < backend < agent. */
  env: envTable,
  /** Agents with the same account share its usage limits (default: derived from the CLI's home). */
  account: z.string().min(1),
};

export const agentSchema = z.strictObject({
  ...z.object(inheritable).partial().shape,
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
  notify: agentNotifySchema.optional(),
});
export type AgentTable = z.infer<typeof agentSchema>;

/** A service inherits only [defaults].env (merged under its own). */
export const serviceSchema = z.strictObject({
  name: safeName,
  command: z.string().min(1),
  dir: z.string().default("."),
  enabled: z.boolean().default(true),
  env: envTable.default(() => ({})),
});
export type ServiceTable = z.infer<typeof serviceSchema>;

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
  /** Seconds one handoff reading (fetch + reads) may take before its git is killed. It runs in
   * the background, so this bounds how stale handoff news can get, never a tick. */
  fetch_timeout: positiveSeconds.max(3600, "must be at most 3600 seconds (1 hour)").default(60),
});

const onCompleteSchema = z.strictObject({
  run: z.string().optional(),
  trigger_file: z.string().default(".run-on-complete"),
});

export const loopSchema = z.strictObject({
  phases: z
    .array(phaseSchema)
    .superRefine((phases, ctx) => {
      const seen = new Set<string>();
      phases.forEach((p, i) => {
        if (seen.has(p.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate phase id "${p.id}"` });
        seen.add(p.id);
      });
    })
    .default([]),
  state_file: z.string().default("phase-idx"),
  kickoff_template: z.string().optional(),
  roles_dir: z.string().default("prompts"),
  done_marker: z.string().min(1).default("## DONE"),
  auto_advance: z.boolean().default(true),
  resume_phase: z.boolean().optional(),
  handoff: handoffSchema.optional(),
  on_complete: onCompleteSchema.optional(),
});

/** records_keep's bound: records hold a screen each (tens of KB each), so a thousand is plenty. */
export const RECORDS_KEEP_MAX = 1000;

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
  /** Screen and signal may disagree this long (a redraw, a hook in flight) before it is a detection-drift. */
  drift_after: seconds.default(10),
  /** A busy screen over a signal record that has not grown this long is `stuck`. */
  stuck_after: positiveSeconds.default(600),
  /** A reset time further away than this is not trusted; the fallback probe is used instead. */
  limit_max_hold: longSeconds.default(7 * 24 * 3600),
  /** At an account's reset its held agents are resumed one at a time, this many seconds apart. */
  account_resume_gap: seconds.default(30),
  /** Forensic records (the screen before a kill, restart or park) kept per agent, the newest. */
  records_keep: z.number().int().min(1, "must be at least 1").max(RECORDS_KEEP_MAX, `must be at most ${RECORDS_KEEP_MAX}`).default(20),
  /** Read panes over one tmux control-mode client (no process per read); false: a tmux process per read. */
  control_client: z.boolean().default(true),
});
export type WatchdogSettings = z.infer<typeof watchdogSchema>;

/** Below this a log_max_bytes would mean rotating at nearly every write. */
export const LOG_MAX_BYTES_MIN = 64 * 1024;
/** log_keep's upper bound; rotation also removes parts up to here that a larger log_keep left. */
export const LOG_KEEP_MAX = 20;

/** [defaults]: its agent keys' defaults are every agent's defaults (an agent inherits what it leaves out). */
export const defaultsSchema = z.strictObject({
  backend: inheritable.backend.optional(),
  model: inheritable.model.default(""),
  watch: inheritable.watch.default("none"),
  dir: inheritable.dir.default("."),
  enabled: inheritable.enabled.default(true),
  resume: inheritable.resume.default(false),
  resume_on: inheritable.resume_on.default((): RestartCause[] => ["crash", "fatal", "missing", "stuck"]),
  env: inheritable.env.default(() => ({})),
  account: inheritable.account.optional(),
  session_prefix: z.string({ error: "is required (e.g. session_prefix = \"myproj-\")" }).regex(/^[A-Za-z0-9_-]{1,40}$/, "must be 1-40 letters, digits, '-' or '_'"),
  log_dir: z.string({ error: "is required (e.g. log_dir = \".agents-state\")" }).min(1),
  project_dir: z.string().default("."),
  tmux_socket: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a plain socket name").optional(),
  /** A session log is rotated before it reaches this many bytes (the watchdog checks sizes). */
  log_max_bytes: z.number().int().min(LOG_MAX_BYTES_MIN, `must be at least ${LOG_MAX_BYTES_MIN} (64 KiB)`).default(50 * 1024 * 1024),
  /** Rotated parts kept per session log (`<log>.1` newest). */
  log_keep: z.number().int().min(1).max(LOG_KEEP_MAX).default(3),
});

export type DefaultsTable = z.infer<typeof defaultsSchema>;

export const configSchema = z.strictObject({
  defaults: defaultsSchema,
  watchdog: watchdogSchema.default(watchdogSchema.parse({})),
  backend: z.record(safeName, backendSchema).default({}),
  agent: z.array(agentSchema).default([]),
  service: z.array(serviceSchema).default([]),
  loop: loopSchema.default(loopSchema.parse({})),
  notify: notifySchema.optional(),
});
export type ConfigFile = z.infer<typeof configSchema>;
