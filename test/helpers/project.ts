// Temp projects for config and fleet tests: an agents.toml plus whatever files it names, in a dir
// removed when the test file finishes (test/helpers/tmp.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfig, type Fleet, type LoadOptions } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";
import { tempDir } from "./tmp.js";

export interface TempProject {
  dir: string;
  /** Absolute path of the project's agents.toml. */
  file: string;
  write(rel: string, text: string): string;
  load(opts?: LoadOptions): Fleet;
  /** The ConfigError lines the config produces (fails the test if it loads). */
  errors(opts?: LoadOptions): string[];
}

/** The minimum every config needs, with the demo backend so agents need no backend table. */
export const MINIMAL = `[defaults]
session_prefix = "t-"
log_dir = ".state"
backend = "demo"
`;

export function project(toml: string, files: Record<string, string> = {}, configRel = "agents.toml"): TempProject {
  const dir = tempDir("cfg");
  const write = (rel: string, text: string): string => {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  const file = write(configRel, toml);
  const load = (opts: LoadOptions = {}) => loadConfig(file, { env: {}, ...opts });
  return {
    dir,
    file,
    write,
    load,
    errors(opts) {
      try {
        load(opts);
      } catch (err) {
        if (err instanceof ConfigError) return err.lines;
        throw err;
      }
      throw new Error("expected a ConfigError, but the config loaded");
    },
  };
}
