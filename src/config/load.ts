// agents.toml → a validated, fully resolved fleet, in three steps: parse.ts (TOML + schema → one-line
// errors, unknown keys → warnings), resolve.ts (pure: defaults, presets, [defaults], env overrides)
// and checks.ts (the files and dirs it names, on disk). Every problem of the last two is reported.
import path from "node:path";
import { ConfigError } from "../errors.js";
import { runChecks, type PathCheck } from "./checks.js";
import { parseConfig } from "./parse.js";
import { resolveConfig } from "./resolve.js";
import type { Fleet, LoadOptions } from "./types.js";
import { NotRegularFile, readRegularFile } from "../state/files.js";

export { defaultConfigPath, resolvePath } from "./paths.js";
export { parseTomlFile } from "./parse.js";
export type {
  Agent,
  AgentKind,
  Backend,
  Fleet,
  LoadOptions,
  LoopSettings,
  PromptDelivery,
  Service,
  Wake,
  WatchMode,
} from "./types.js";

/** The fleet and the disk checks it passed (the status cache re-checks those paths on a hit). */
export function loadFleet(file: string, text: string, opts: LoadOptions = {}): { fleet: Fleet; checks: PathCheck[] } {
  const { cfg, warnings } = parseConfig(file, text);
  const { fleet, errors, checks } = resolveConfig(file, cfg, { env: opts.env ?? process.env, envOverrides: opts.envOverrides });
  const all = [...new Set([...errors, ...runChecks(file, checks)])];
  if (all.length) throw new ConfigError(all);
  return { fleet: { ...fleet, warnings: [...warnings, ...fleet.warnings] }, checks };
}

export function loadConfigText(file: string, text: string, opts: LoadOptions = {}): Fleet {
  return loadFleet(file, text, opts).fleet;
}

export function loadConfig(configPath: string, opts: LoadOptions = {}): Fleet {
  const file = path.resolve(configPath);
  return loadConfigText(file, readConfigText(file), opts);
}

/** The config's text: a regular file only (a FIFO, a directory or a device is one line, never a hang). */
function readConfigText(file: string): string {
  try {
    return readRegularFile(file);
  } catch (err) {
    if (err instanceof NotRegularFile) throw new ConfigError(`${file}: is ${err.what}; a config must be a regular file`);
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT"
        ? `${file}: config file not found (create one with \`agents init\`, or pass --config PATH)`
        : `${file}: cannot read config: ${(err as Error).message}`,
    );
  }
}
