// agents.toml → a validated, fully resolved fleet: presets merged, defaults applied, paths absolute.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import cron from "node-cron";
import type { z } from "zod";
import { ConfigError } from "../errors.js";
import { resolvePath } from "./paths.js";
export { defaultConfigPath, resolvePath } from "./paths.js";
import {
  AGENT_INHERITED_KEYS,
  configSchema,
  type ConfigFile,
  type WatchdogSettings,
  type AGENT_KINDS,
  type WATCH_MODES,
  type PROMPT_DELIVERIES,
  type BackendTable,
} from "./schema.js";
import { BACKEND_DEFAULTS, PRESETS } from "./presets.js";
import type { DetectRules } from "../detect/types.js";

export type AgentKind = (typeof AGENT_KINDS)[number];
export type WatchMode = (typeof WATCH_MODES)[number];
export type PromptDelivery = (typeof PROMPT_DELIVERIES)[number];

export interface Backend extends DetectRules {
  name: string;
  /** The built-in preset this backend starts from, when any (dialog answers are per CLI). */
  preset?: string;
  bin: string;
  flags: string;
  prompt_delivery: PromptDelivery;
  prompt_arg: string;
  process_name?: string;
  submit_key: string;
  stall_idle: number;
  footer_ui: boolean;
  log_grace: number;
  supports_resume: boolean;
  resume_flag: string;
  model_flag: string;
  model_env: boolean | string;
  remote_control: boolean;
  remote_control_flag: string;
  preamble: string;
  attach: string;
  server: string;
  connect_delay: number;
  answer_dialogs: boolean;
  preseed_trust: boolean;
  nudge_keys: string[];
  env: Record<string, string>;
}

export interface Wake {
  interval?: number;
  cron?: string;
  promptFile: string;
}

export interface Agent {
  name: string;
  session: string;
  kind: AgentKind;
  backendName: string;
  backend: Backend;
  model: string;
  role?: string;
  dir: string;
  enabled: boolean;
  watch: WatchMode;
  prompt?: string;
  promptFile?: string;
  resume: boolean;
  wake?: Wake;
  env: Record<string, string>;
}

export interface Service {
  name: string;
  session: string;
  command: string;
  dir: string;
  enabled: boolean;
  env: Record<string, string>;
}

export type LoopSettings = ConfigFile["loop"];

export interface Fleet {
  configPath: string;
  projectDir: string;
  logDir: string;
  stateDir: string;
  sessionPrefix: string;
  watchdogSession: string;
  tmuxSocket?: string;
  watchdog: WatchdogSettings;
  backends: Record<string, Backend>;
  /** Backends named in the config ([backend.X] tables or used by an agent): their process_name counts for mismatch healing. */
  declaredBackends: string[];
  agents: Agent[];
  services: Service[];
  loop: LoopSettings;
  warnings: string[];
}

export interface LoadOptions {
  /** Apply AGENT_MODEL_<name> / AGENT_BACKEND_<name> (one CLI invocation; never the watchdog). */
  envOverrides?: boolean;
  env?: NodeJS.ProcessEnv;
}

function formatPath(issuePath: readonly PropertyKey[], raw: Record<string, unknown>): string {
  let out = "";
  let node: unknown = raw;
  for (let i = 0; i < issuePath.length; i++) {
    const key = issuePath[i]!;
    const child = node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === "number") {
      const name = child && typeof child === "object" ? (child as { name?: unknown }).name : undefined;
      out += typeof name === "string" && name ? `[${key}](${name})` : `[${key}]`;
    } else {
      out += (out ? "." : "") + String(key);
    }
    node = child;
  }
  return out || "(top level)";
}

function cleanMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value" && "values" in issue) {
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) return "is required";
  return issue.message.replace(/^Invalid input: /, "");
}

function deleteAt(raw: Record<string, unknown>, p: readonly PropertyKey[], keys: string[]): void {
  let node: unknown = raw;
  for (const k of p) node = node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k] : undefined;
  if (node && typeof node === "object") for (const k of keys) delete (node as Record<string, unknown>)[k];
}

/** Validate, turning unknown keys into warnings (removed, then validated again) and the rest into errors. */
function validate(
  file: string,
  raw: Record<string, unknown>,
  /** Where the user actually wrote a key (an agent's inherited [defaults] value lives in defaults). */
  origin: (p: readonly PropertyKey[]) => readonly PropertyKey[] = (p) => p,
): { cfg: ConfigFile; warnings: string[] } {
  const warnings: string[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const r = configSchema.safeParse(raw);
    if (r.success) return { cfg: r.data, warnings };
    const unknown = r.error.issues.filter((i) => i.code === "unrecognized_keys");
    const errors = r.error.issues.filter((i) => i.code !== "unrecognized_keys");
    if (errors.length) {
      // A bad [defaults] value copied into every agent is one problem: one line, at its real key.
      throw new ConfigError([...new Set(errors.map((i) => `${file}: ${formatPath(origin(i.path), raw)}: ${cleanMessage(i)}`))]);
    }
    for (const i of unknown) {
      const keys = (i as { keys: string[] }).keys;
      for (const k of keys) warnings.push(`${file}: ${formatPath([...i.path, k], raw)}: unknown key (ignored)`);
      deleteAt(raw, i.path, keys);
    }
  }
  throw new ConfigError(`${file}: could not be validated`);
}

export function parseTomlFile(file: string, text: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
      throw new ConfigError(`${file}:${err.line}:${err.column}: TOML syntax error: ${first}`);
    }
    throw new ConfigError(`${file}: TOML syntax error: ${(err as Error).message}`);
  }
}

function buildBackend(name: string, table: BackendTable | undefined): Backend | undefined {
  const presetName = table?.preset ?? name;
  const preset = PRESETS[presetName];
  if (!preset && !table) return undefined;
  const merged = { ...BACKEND_DEFAULTS, ...(preset ?? {}), ...(table ?? {}) };
  const { preset: _p, env, bin, ...rest } = merged;
  if (preset) (rest as { preset?: string }).preset = presetName;
  // Without a process_name we do not know what the agent's process looks like: a shell in the
  // pane may be the agent itself (an exec backend's bash loop), so it must not read as "exited".
  if (!merged.process_name && merged.shell_commands === undefined) rest.shell_commands = [];
  return { ...rest, name, bin: bin ?? "", env: { ...(env ?? {}) } } as Backend;
}

export function loadConfig(configPath: string, opts: LoadOptions = {}): Fleet {
  const file = path.resolve(configPath);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT"
        ? `${file}: config file not found (create one with \`agents init\`, or pass --config PATH)`
        : `${file}: cannot read config: ${(err as Error).message}`,
    );
  }
  return loadConfigText(file, text, opts);
}

export function loadConfigText(file: string, text: string, opts: LoadOptions = {}): Fleet {
  const raw = parseTomlFile(file, text);
  // [defaults] keys an agent can inherit are merged in before validation, as the reference does.
  const defaultsRaw = raw.defaults && typeof raw.defaults === "object" ? (raw.defaults as Record<string, unknown>) : {};
  const inheritedKeys: Set<string>[] = [];
  if (Array.isArray(raw.agent)) {
    raw.agent = raw.agent.map((a: unknown, i: number) => {
      inheritedKeys[i] = new Set();
      if (!a || typeof a !== "object") return a;
      const inherited: Record<string, unknown> = {};
      for (const k of AGENT_INHERITED_KEYS) {
        if (k in defaultsRaw && k !== "env" && !(k in a)) {
          inherited[k] = defaultsRaw[k];
          inheritedKeys[i]!.add(k);
        }
      }
      return { ...inherited, ...(a as Record<string, unknown>) };
    });
  }
  const origin = (p: readonly PropertyKey[]): readonly PropertyKey[] =>
    p[0] === "agent" && typeof p[1] === "number" && inheritedKeys[p[1]]?.has(String(p[2])) ? ["defaults", ...p.slice(2)] : p;
  const { cfg, warnings } = validate(file, raw, origin);
  const env = opts.env ?? process.env;
  const errors: string[] = [];
  const err = (key: string, msg: string) => errors.push(`${file}: ${key}: ${msg}`);

  const d = cfg.defaults;
  const projectDir = resolvePath(path.dirname(file), d.project_dir ?? ".");
  const logDir = resolvePath(projectDir, d.log_dir);
  const prefix = d.session_prefix;

  const backends: Record<string, Backend> = {};
  for (const name of new Set([...Object.keys(PRESETS), ...Object.keys(cfg.backend)])) {
    const table = cfg.backend[name];
    if (table?.preset && !PRESETS[table.preset]) {
      err(`backend.${name}.preset`, `unknown preset "${table.preset}" (built-in: ${Object.keys(PRESETS).join(", ")})`);
      continue;
    }
    const b = buildBackend(name, table);
    if (b) backends[name] = b;
  }

  const seen = new Map<string, string>();
  const claim = (label: string, session: string, key: string) => {
    const prev = seen.get(session);
    if (prev) err(key, `tmux session "${session}" is already used by ${prev}`);
    else seen.set(session, label);
  };
  claim("the watchdog", prefix + "watchdog", "defaults.session_prefix");

  const names = new Set<string>();
  const agents: Agent[] = [];
  cfg.agent.forEach((a, i) => {
    const key = `agent[${i}](${a.name})`;
    const duplicate = names.has(a.name);
    if (duplicate) err(`${key}.name`, `duplicate agent name "${a.name}"`);
    const reserved = a.name === "watchdog";
    if (reserved) err(`${key}.name`, `"watchdog" is reserved for the watchdog session`);
    names.add(a.name);
    let backendName = a.backend;
    let model = a.model ?? "";
    let backendKey = inheritedKeys[i]?.has("backend") ? "defaults.backend" : `${key}.backend`;
    let backendSource = "";
    if (opts.envOverrides) {
      const envBackend = env[`AGENT_BACKEND_${a.name}`];
      if (envBackend) {
        backendName = envBackend;
        backendKey = `${key}.backend`;
        backendSource = ` from env AGENT_BACKEND_${a.name}`;
      }
      model = env[`AGENT_MODEL_${a.name}`] || model;
    }
    if (!backendName) {
      err(`${key}.backend`, "is required (set it on the agent or in [defaults])");
      return;
    }
    const backend = backends[backendName];
    if (!backend) {
      err(backendKey, `unknown backend "${backendName}"${backendSource} (known: ${Object.keys(backends).join(", ")})`);
      return;
    }
    if (!backend.bin) err(`backend.${backendName}.bin`, "is required (the command that starts the agent)");
    const session = a.session ?? prefix + a.name;
    // A duplicate or reserved name already has its line; its session clash is the same problem.
    if (!duplicate && !reserved) claim(`agent "${a.name}"`, session, `${key}.session`);
    const dir = resolvePath(projectDir, a.dir ?? ".");
    let promptFile: string | undefined;
    if (a.prompt_file) {
      promptFile = resolvePath(projectDir, a.prompt_file);
      if (!existsSync(promptFile)) err(`${key}.prompt_file`, `file not found: ${promptFile}`);
    }
    if (a.kind === "loop") {
      if (!a.role) err(`${key}.role`, "is required for a loop agent (it names prompts/<role>.md)");
      else {
        const rolePath = path.join(resolvePath(projectDir, cfg.loop.roles_dir), `${a.role}.md`);
        if (!existsSync(rolePath)) err(`${key}.role`, `role prompt not found: ${rolePath}`);
      }
    }
    let wake: Wake | undefined;
    if (a.wake) {
      const wf = resolvePath(projectDir, a.wake.prompt_file);
      if (!existsSync(wf)) err(`${key}.wake.prompt_file`, `file not found: ${wf}`);
      if (a.wake.cron !== undefined && !cron.validate(a.wake.cron)) {
        err(`${key}.wake.cron`, `invalid cron expression "${a.wake.cron}"`);
      }
      wake = {
        promptFile: wf,
        cron: a.wake.cron,
        interval: a.wake.cron === undefined ? (a.wake.interval ?? 3600) : undefined,
      };
    }
    agents.push({
      name: a.name,
      session,
      kind: a.kind,
      backendName,
      backend,
      model,
      role: a.role,
      dir,
      enabled: a.enabled ?? true,
      watch: a.watch ?? "none",
      prompt: a.prompt,
      promptFile,
      resume: a.resume ?? false,
      wake,
      env: { ...(d.env ?? {}), ...backend.env, ...(a.env ?? {}) },
    });
  });

  const services: Service[] = [];
  cfg.service.forEach((s, i) => {
    const key = `service[${i}](${s.name})`;
    const duplicate = names.has(s.name);
    if (duplicate) err(`${key}.name`, `duplicate name "${s.name}" (agents and services share names)`);
    names.add(s.name);
    const session = prefix + s.name;
    if (!duplicate) claim(`service "${s.name}"`, session, `${key}.name`);
    services.push({
      name: s.name,
      session,
      command: s.command,
      dir: resolvePath(projectDir, s.dir ?? "."),
      enabled: s.enabled ?? true,
      env: { ...(d.env ?? {}), ...(s.env ?? {}) },
    });
  });

  const loop = cfg.loop;
  if (loop.kickoff_template) {
    const t = resolvePath(projectDir, loop.kickoff_template);
    if (!existsSync(t)) err("loop.kickoff_template", `file not found: ${t}`);
  }
  const agentNames = new Set(agents.map((a) => a.name));
  if (loop.on_complete?.run && !agentNames.has(loop.on_complete.run)) {
    warnings.push(`${file}: loop.on_complete.run: no agent named "${loop.on_complete.run}"; nothing will run on completion`);
  }
  if (loop.handoff) {
    for (const k of ["claim_pings", "review_pings"] as const) {
      const target = loop.handoff[k];
      if (agents.some((a) => a.kind === "loop") && !agentNames.has(target)) {
        warnings.push(`${file}: loop.handoff.${k}: no agent named "${target}"; those pings go nowhere`);
      }
    }
  }

  if (errors.length) throw new ConfigError([...new Set(errors)]);

  const declared = new Set<string>([...Object.keys(cfg.backend), ...agents.map((a) => a.backendName)]);
  return {
    configPath: file,
    projectDir,
    logDir,
    stateDir: path.join(logDir, "state"),
    sessionPrefix: prefix,
    watchdogSession: prefix + "watchdog",
    tmuxSocket: env.AGENTS_TMUX_SOCKET || d.tmux_socket,
    watchdog: cfg.watchdog,
    backends,
    declaredBackends: [...declared],
    agents,
    services,
    loop,
    warnings,
  };
}
