// What verbs share: the output streams, loading the fleet (printing its warnings), the tmux handle,
// and checking member names. Light on purpose: the full config loader (zod) is imported only by
// verbs that validate the config, never on `status`'s cached path.
import type { Fleet } from "../config/load.js";
import { loadFleetCached } from "../config/cache.js";
import type { Launcher } from "../fleet/launch.js";
import { UserError } from "../errors.js";
import { Tmux } from "../tmux/tmux.js";

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Ctx extends Launcher {
  io: Io;
}

function contextFor(fleet: Fleet, io: Io): Ctx {
  for (const w of fleet.warnings) io.err(`warning: ${w}`);
  return { fleet, tmux: new Tmux({ socket: fleet.tmuxSocket }), io, say: io.out };
}

/** Load and validate the config (env overrides applied). Creates nothing on disk. */
export async function openFleet(configPath: string, io: Io): Promise<Ctx> {
  const { loadConfig } = await import("../config/load.js");
  return contextFor(loadConfig(configPath, { envOverrides: true }), io);
}

/** For verbs that only read: the validated copy cached per config file (see config/cache.ts). */
export async function openFleetCached(configPath: string, io: Io): Promise<Ctx> {
  return contextFor(await loadFleetCached(configPath), io);
}

/** Names given to up/down must be this config's agents, services or "watchdog". */
export function checkNames(fleet: Fleet, names: string[]): void {
  const known = new Set(["watchdog", ...fleet.agents.map((a) => a.name), ...fleet.services.map((s) => s.name)]);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length) {
    throw new UserError(`${fleet.configPath}: no agent or service named ${bad.map((b) => `"${b}"`).join(", ")} (known: ${[...known].join(", ")})`);
  }
}

