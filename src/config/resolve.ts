// A validated ConfigFile → a Fleet: presets merged under [backend.X] tables, [defaults] inherited,
// one-off env overrides applied, paths made absolute, names and sessions cross-checked.
// Pure: no disk and no process.env. What only the disk can confirm (prompt files exist, dirs are
// dirs) comes back as PathChecks for checks.ts. Defaults live in the schema, not here.
import path from "node:path";
import cron from "node-cron";
import { backendTemplateProblems } from "../fleet/command.js";
import type { PathCheck } from "./checks.js";
import { resolvePath } from "./paths.js";
import { deriveAccount } from "./account.js";
import { PRESETS } from "./presets.js";
import { resolvedBackendSchema, type BackendTable, type ConfigFile } from "./schema.js";
import type { Agent, Backend, Fleet, Service } from "./types.js";

export interface ResolveOptions {
  /** Where AGENTS_TMUX_SOCKET and, with envOverrides, AGENT_MODEL_<name> / AGENT_BACKEND_<name> are read. */
  env: NodeJS.ProcessEnv;
  envOverrides?: boolean;
}

export interface Resolved {
  /** Usable only when `errors` is empty (an agent with a bad backend is left out of it). */
  fleet: Fleet;
  /** `<file>: <key>: <problem>` lines, each once. */
  errors: string[];
  /** The paths the fleet names and what each must be on disk (checks.ts). */
  checks: PathCheck[];
}

/** defaults < preset (the table's `preset`, else the preset of its own name) < the table. */
function buildBackend(name: string, table: BackendTable | undefined): Backend | undefined {
  const presetName = table?.preset ?? name;
  const preset = PRESETS[presetName];
  if (!preset && !table) return undefined;
  const { preset: _named, ...own } = table ?? {};
  return resolvedBackendSchema.parse({ ...preset, ...own, name, ...(preset ? { preset: presetName } : {}) });
}

export function resolveConfig(file: string, cfg: ConfigFile, opts: ResolveOptions): Resolved {
  const { env } = opts;
  const errors: string[] = [];
  const warnings: string[] = [];
  const checks: PathCheck[] = [];
  const err = (key: string, msg: string) => errors.push(`${file}: ${key}: ${msg}`);
  const need = (key: string, p: string, want: PathCheck["want"], more: Pick<PathCheck, "missing" | "writesInside"> = {}) =>
    checks.push({ key, path: p, want, ...more });

  const d = cfg.defaults;
  const projectDir = resolvePath(path.dirname(file), d.project_dir);
  const logDir = resolvePath(projectDir, d.log_dir);
  need("defaults.log_dir", logDir, "dir", { writesInside: true });
  const prefix = d.session_prefix;

  const backends: Record<string, Backend> = {};
  for (const name of new Set([...Object.keys(PRESETS), ...Object.keys(cfg.backend)])) {
    const table = cfg.backend[name];
    if (table?.preset && !PRESETS[table.preset]) {
      err(`backend.${name}.preset`, `unknown preset "${table.preset}" (built-in: ${Object.keys(PRESETS).join(", ")})`);
      continue;
    }
    const b = buildBackend(name, table);
    if (!b) continue;
    backends[name] = b;
    // A command template that would splice a value where a second shell may parse it.
    for (const [field, problem] of backendTemplateProblems(b)) err(`backend.${name}.${field}`, problem);
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
    let backendName = a.backend ?? d.backend;
    let model = a.model ?? d.model;
    // A value inherited from [defaults] is reported where the user wrote it.
    let backendKey = a.backend === undefined && d.backend !== undefined ? "defaults.backend" : `${key}.backend`;
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
    const dir = resolvePath(projectDir, a.dir ?? d.dir);
    need(a.dir === undefined ? "defaults.dir" : `${key}.dir`, dir, "dir");
    const promptFile = a.prompt_file === undefined ? undefined : resolvePath(projectDir, a.prompt_file);
    if (promptFile) need(`${key}.prompt_file`, promptFile, "file");
    if (a.kind === "loop") {
      if (!a.role) err(`${key}.role`, "is required for a loop agent (it names prompts/<role>.md)");
      else need(`${key}.role`, path.join(resolvePath(projectDir, cfg.loop.roles_dir), `${a.role}.md`), "file", { missing: "role prompt not found" });
    }
    const wake = a.wake && { ...a.wake, promptFile: resolvePath(projectDir, a.wake.promptFile) };
    if (wake) need(`${key}.wake.prompt_file`, wake.promptFile, "file");
    if (wake?.cron !== undefined && !cron.validate(wake.cron)) err(`${key}.wake.cron`, `invalid cron expression "${wake.cron}"`);
    agents.push({
      name: a.name,
      session,
      kind: a.kind,
      backendName,
      backend,
      model,
      role: a.role,
      dir,
      enabled: a.enabled ?? d.enabled,
      watch: a.watch ?? d.watch,
      prompt: a.prompt,
      promptFile,
      resume: a.resume ?? d.resume,
      resume_on: a.resume_on ?? d.resume_on,
      wake,
      env: { ...d.env, ...backend.env, ...a.env },
      account: a.account ?? d.account ?? deriveAccount(backend, { ...d.env, ...backend.env, ...a.env }, env),
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
    const dir = resolvePath(projectDir, s.dir);
    need(`${key}.dir`, dir, "dir");
    services.push({ ...s, session, dir, env: { ...d.env, ...s.env } });
  });

  const loop = cfg.loop;
  if (loop.kickoff_template) need("loop.kickoff_template", resolvePath(projectDir, loop.kickoff_template), "file");
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

  const notify = cfg.notify && {
    ...cfg.notify,
    agents: Object.fromEntries(cfg.agent.flatMap((a) => (a.notify ? [[a.name, a.notify]] : []))),
  };
  if (notify?.digest !== undefined && !cron.validate(notify.digest)) err("notify.digest", `invalid cron expression "${notify.digest}"`);
  const declared = new Set<string>([...Object.keys(cfg.backend), ...agents.map((a) => a.backendName)]);
  const fleet: Fleet = {
    configPath: file,
    projectDir,
    logDir,
    sessionPrefix: prefix,
    watchdogSession: prefix + "watchdog",
    tmuxSocket: env.AGENTS_TMUX_SOCKET || d.tmux_socket,
    logMaxBytes: d.log_max_bytes,
    logKeep: d.log_keep,
    watchdog: cfg.watchdog,
    backends,
    declaredBackends: [...declared],
    agents,
    services,
    loop,
    warnings,
    ...(notify ? { notify } : {}),
  };
  return { fleet, errors: [...new Set(errors)], checks };
}
