// Path rules of agents.toml, kept free of heavy imports so fast verbs (status) can use them.
import os from "node:os";
import path from "node:path";

export function defaultConfigPath(cwd = process.cwd()): string {
  return path.resolve(cwd, "agents.toml");
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p;
}

/** Resolve a config path against the project dir (absolute and ~ paths stand as written). */
export function resolvePath(base: string, p: string): string {
  return path.resolve(base, expandHome(p));
}
