// The effects of `agents service install|remove`: files under the user's config dir (or
// ~/Library/LaunchAgents) and `systemctl --user`. Everything outside is injected (home, config
// home, PATH, platform, the command runner), so tests never touch the real ~/.config or systemctl.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { onPath } from "../proc/on-path.js";
import { runBounded } from "../proc/run.js";
import { mkdirp, writeFileAtomic } from "../state/files.js";
import { renderCronLine, renderLaunchdPlist, renderSystemdUnit, type ServiceSpec } from "./render.js";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Runner = (cmd: string, args: string[], timeoutMs: number) => Promise<CommandResult>;

/** Where and how the service is installed; `hostFor` builds the real one. */
export interface ServiceHost {
  platform: NodeJS.Platform;
  home: string;
  /** $XDG_CONFIG_HOME, else ~/.config. */
  configHome: string;
  /** Searched for systemctl (the PATH `install` runs with). */
  path: string;
  user: string;
  run: Runner;
}

/** A systemctl that hangs (a wedged user bus) must not hang `install`. */
export const SYSTEMCTL_TIMEOUT_MS = 15_000;

const defaultRunner: Runner = async (cmd, args, timeoutMs) => {
  const r = await runBounded(cmd, args, { timeoutMs });
  return { code: r.code, stdout: r.stdout, stderr: r.timedOut ? `timed out after ${timeoutMs / 1000}s` : r.error ?? r.stderr };
};

export function hostFor(env: NodeJS.ProcessEnv, run: Runner = defaultRunner): ServiceHost {
  const home = env.HOME || "/";
  const xdg = env.XDG_CONFIG_HOME;
  return {
    platform: process.platform,
    home,
    configHome: xdg && path.isAbsolute(xdg) ? xdg : path.join(home, ".config"),
    path: env.PATH ?? "",
    user: env.USER || env.LOGNAME || "$USER",
    run,
  };
}

export type Manager = "systemd" | "launchd" | "none";

/** A relative PATH entry names a different folder in every working directory: not one to trust. */
const absoluteDirs = (searchPath: string): string =>
  searchPath.split(path.delimiter).filter((d) => path.isAbsolute(d)).join(path.delimiter);

export function managerOf(host: ServiceHost): Manager {
  if (host.platform === "darwin") return "launchd";
  if (host.platform === "linux" && onPath("systemctl", absoluteDirs(host.path))) return "systemd";
  return "none";
}

/** The file a manager loads, and its text. */
export function serviceFile(host: ServiceHost, manager: Manager, spec: ServiceSpec): { file: string; text: string } | undefined {
  if (manager === "systemd") return { file: path.join(host.configHome, "systemd", "user", `${spec.name}.service`), text: renderSystemdUnit(spec) };
  if (manager === "launchd") return { file: path.join(host.home, "Library", "LaunchAgents", `${spec.label}.plist`), text: renderLaunchdPlist(spec) };
  return undefined;
}

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export interface Report {
  lines: string[];
  code: number;
}

const firstLine = (r: CommandResult) => (r.stderr || r.stdout).trim().split("\n")[0] || `exit ${r.code}`;

/** Run `systemctl --user <args>` in order; the first failure ends it (its line says why). */
async function systemctl(host: ServiceHost, steps: string[][]): Promise<string | undefined> {
  for (const args of steps) {
    const r = await host.run("systemctl", ["--user", ...args], SYSTEMCTL_TIMEOUT_MS);
    if (r.code !== 0) return `systemctl --user ${args.join(" ")}: ${firstLine(r)}`;
  }
  return undefined;
}

const lingerHint = (host: ServiceHost) =>
  `to start it at boot without logging in, enable lingering once: loginctl enable-linger ${host.user} (agents does not run this)`;

export async function install(host: ServiceHost, spec: ServiceSpec): Promise<Report> {
  const manager = managerOf(host);
  const target = serviceFile(host, manager, spec);
  if (!target) {
    return {
      code: 0,
      lines: [
        "no service manager found (no systemctl on PATH); nothing was installed.",
        "to start the fleet at boot, add this line to your crontab (crontab -e):",
        renderCronLine(spec),
      ],
    };
  }
  const lines: string[] = [];
  const old = readOr(target.file);
  if (old === target.text) {
    lines.push(`already installed, unchanged: ${target.file}`);
  } else {
    mkdirp(path.dirname(target.file));
    writeFileAtomic(target.file, target.text);
    lines.push(old === undefined ? `installed ${target.file}` : `rewrote ${target.file} (it differed from this install)`);
  }
  if (manager === "launchd") {
    lines.push(`load it now (and at every login): launchctl bootstrap gui/$(id -u) ${target.file}`);
    return { code: 0, lines };
  }
  const unit = `${spec.name}.service`;
  const failed = await systemctl(host, [["daemon-reload"], ["enable", unit]]);
  if (failed) {
    lines.push(
      `could not reach the systemd user manager (${failed}); the unit is written but not enabled.`,
      `to finish by hand, in your login session: systemctl --user daemon-reload && systemctl --user enable ${unit}`,
      `or, without systemd, this crontab line: ${renderCronLine(spec)}`,
    );
    return { code: 1, lines };
  }
  lines.push(
    `enabled ${unit}: it runs the fleet's watchdog at every login, bringing back missing agents (resuming their conversations).`,
    `start it now: systemctl --user start ${unit} (a watchdog already running for this fleet keeps the job; the unit then exits and takes over at the next boot)`,
    lingerHint(host),
  );
  return { code: 0, lines };
}

export async function remove(host: ServiceHost, spec: ServiceSpec): Promise<Report> {
  const manager = managerOf(host);
  const target = serviceFile(host, manager, spec);
  if (!target) {
    return { code: 0, lines: ["no service manager found (no systemctl on PATH); nothing to remove.", "if you added the @reboot line to your crontab, remove it with crontab -e."] };
  }
  if (readOr(target.file) === undefined) return { code: 0, lines: [`not installed (no ${target.file}); nothing to remove`] };
  const lines: string[] = [];
  let code = 0;
  if (manager === "systemd") {
    const unit = `${spec.name}.service`;
    // --now: the watchdog it runs stops too; the agents keep running (KillMode=process).
    const failed = await systemctl(host, [["disable", "--now", unit]]);
    if (failed) {
      lines.push(`could not reach the systemd user manager (${failed}); finish by hand: systemctl --user disable --now ${unit}`);
      code = 1;
    } else {
      lines.push(`disabled and stopped ${unit} (its watchdog stopped; the agents keep running: \`agents up\` supervises them again, \`agents down\` stops them)`);
    }
  } else {
    lines.push(`unload it if it is loaded: launchctl bootout gui/$(id -u)/${spec.label}`);
  }
  rmSync(target.file, { force: true });
  lines.push(`removed ${target.file}`);
  if (manager === "systemd" && code === 0) {
    const failed = await systemctl(host, [["daemon-reload"]]);
    if (failed) lines.push(`(${failed})`);
  }
  return { code, lines };
}
