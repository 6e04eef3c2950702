// What `agents service` writes, as text: the systemd user unit, the launchd agent and the cron
// `@reboot` line. Pure: every path and value comes in a ServiceSpec (install.ts gathers them), so
// the same spec renders the same bytes, which is what makes install idempotent.
import { createHash } from "node:crypto";
import path from "node:path";
import { UserError } from "../errors.js";

/** Everything a rendering needs; no field is read from the environment here. */
export interface ServiceSpec {
  /** `agents-<project>-<hash of the config path>`: the unit's name without `.service`. */
  name: string;
  /** The launchd label (reverse-DNS, unique per fleet like `name`). */
  label: string;
  configPath: string;
  projectDir: string;
  /** The node that ran `install` (absolute), pinned for the bin script through AGENTS_NODE. */
  node: string;
  /** bin/agents, absolute. */
  bin: string;
  /** Captured at install time: PATH (the agents' CLIs live on it), locale, tmux socket overrides. */
  env: Record<string, string>;
  /** Optional environment file the user may create for secrets (systemd only; `-`: may be absent). */
  envFile: string;
  /** Where launchd and cron send the command's output (systemd has the journal). */
  logFile: string;
}

/** Environment worth carrying into the service: the user manager's own PATH is minimal. */
export const CAPTURED_ENV = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMUX_TMPDIR", "AGENTS_TMUX_SOCKET"] as const;

export function captureEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of CAPTURED_ENV) {
    const v = env[k];
    if (v) out[k] = v;
  }
  // Shell profiles that prepend on every nested shell repeat entries; the first one wins anyway.
  if (out.PATH) out.PATH = [...new Set(out.PATH.split(":"))].join(":");
  return out;
}

/**
 * A stable, safe name per fleet: the project folder's name for people, a hash of the config's
 * absolute path so two fleets (or two configs in one folder) never share a unit.
 */
export function serviceName(configPath: string, projectDir: string): string {
  const slug =
    path
      .basename(projectDir)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 32) || "fleet";
  const hash = createHash("sha256").update(path.resolve(configPath)).digest("hex").slice(0, 8);
  return `agents-${slug}-${hash}`;
}

export const launchdLabel = (name: string): string => `com.agents-fleet.${name}`;

/** The command every service manager runs: boot what the watchdog will not, then supervise. */
export function serviceArgv(spec: Pick<ServiceSpec, "bin" | "configPath">): string[] {
  return [spec.bin, "service", "run", "--config", spec.configPath];
}

/** A unit file is line-based: a newline (or NUL) in any value would end the setting early. */
function oneLine(what: string, value: string): string {
  if (/[\n\r\0]/.test(value)) throw new UserError(`${what} contains a line break; a service cannot be written for it: ${JSON.stringify(value)}`);
  return value;
}

/** systemd resolves `%` specifiers everywhere: a literal % is %%. */
const specifiers = (s: string): string => s.replace(/%/g, "%%");

/** One word of an Exec= line: `$` expands there too, and quoting keeps spaces in one word. */
export function systemdWord(s: string): string {
  const v = specifiers(oneLine("an ExecStart word", s)).replace(/\$/g, "$$$$");
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(v) ? v : `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `Environment="K=V"`: quoted as one assignment, so spaces and quotes in V survive. */
function systemdEnv(k: string, v: string): string {
  const kv = specifiers(oneLine(`environment ${k}`, `${k}=${v}`));
  return `Environment="${kv.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * The systemd user unit. The watchdog runs in the foreground as the unit's main process (it heals
 * every missing watched agent, resuming per resume_on), so systemd sees it die and restarts it.
 * KillMode=process: stopping or restarting the unit stops only that process; the tmux server it
 * started (the agents, and any session of the user's on that server) lives in the unit's cgroup
 * and must survive both. No ExecStop: SIGTERM is how the watchdog stops cleanly, and stopping the
 * service stops supervision, never the agents (that is `agents down`). Exit 2 is a config the
 * user must fix: restarting cannot help.
 */
export function renderSystemdUnit(spec: ServiceSpec): string {
  const env = { ...spec.env, AGENTS_NODE: spec.node };
  return [
    `# Written by \`agents service install\` for ${oneLine("the config path", spec.configPath)}.`,
    "# `agents service remove` disables and deletes it. Stopping it stops supervision only;",
    "# `agents down` stops the agents.",
    "[Unit]",
    `Description=${specifiers(`agents fleet ${path.basename(spec.projectDir)} (${spec.configPath})`)}`,
    "StartLimitIntervalSec=600",
    "StartLimitBurst=5",
    "",
    "[Service]",
    "Type=simple",
    `WorkingDirectory=${specifiers(oneLine("the project dir", spec.projectDir))}`,
    ...Object.entries(env).map(([k, v]) => systemdEnv(k, v)),
    `EnvironmentFile=-${specifiers(oneLine("the environment file", spec.envFile))}`,
    `ExecStart=${serviceArgv(spec).map(systemdWord).join(" ")}`,
    "Restart=on-failure",
    "RestartSec=10",
    "RestartPreventExitStatus=2",
    "KillMode=process",
    "TimeoutStopSec=30",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}

const xml = (s: string): string =>
  oneLine("a launchd value", s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The launchd agent: RunAtLoad starts it at login; KeepAlive restarts it only after a failure
 * (SuccessfulExit false: `agents down` stopping the watchdog is a success and stays stopped).
 * AbandonProcessGroup keeps launchd from killing what the job leaves behind (KillMode=process).
 */
export function renderLaunchdPlist(spec: ServiceSpec): string {
  const env = { ...spec.env, AGENTS_NODE: spec.node };
  const str = (s: string) => `<string>${xml(s)}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    `  <key>Label</key>${str(spec.label)}`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...serviceArgv(spec).map((a) => `    ${str(a)}`),
    "  </array>",
    `  <key>WorkingDirectory</key>${str(spec.projectDir)}`,
    "  <key>EnvironmentVariables</key>",
    "  <dict>",
    ...Object.entries(env).map(([k, v]) => `    <key>${xml(k)}</key>${str(v)}`),
    "  </dict>",
    "  <key>RunAtLoad</key><true/>",
    "  <key>KeepAlive</key>",
    "  <dict>",
    "    <key>SuccessfulExit</key><false/>",
    "  </dict>",
    "  <key>ThrottleInterval</key><integer>10</integer>",
    "  <key>AbandonProcessGroup</key><true/>",
    `  <key>StandardOutPath</key>${str(spec.logFile)}`,
    `  <key>StandardErrorPath</key>${str(spec.logFile)}`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

/** POSIX single quotes; cron hands the line to /bin/sh. */
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The crontab line for a machine without a service manager. cron turns an unescaped `%` into a
 * newline, so every `%` is escaped. Nothing restarts it if it dies: that is what a service adds.
 */
export function renderCronLine(spec: ServiceSpec): string {
  const env = { ...spec.env, AGENTS_NODE: spec.node };
  const assigns = Object.entries(env).map(([k, v]) => `${k}=${shq(oneLine(`environment ${k}`, v))}`);
  const cmd = [
    `cd ${shq(oneLine("the project dir", spec.projectDir))}`,
    "&&",
    "env",
    ...assigns,
    ...serviceArgv(spec).map((a) => shq(oneLine("an argument", a))),
    ">>",
    shq(oneLine("the log file", spec.logFile)),
    "2>&1",
  ].join(" ");
  return `@reboot ${cmd.replace(/%/g, "\\%")}`;
}
