// Shared plumbing for verbs: load the fleet (printing warnings), build the tmux handle.
import { loadConfig, type Fleet } from "../config/load.js";
import { Tmux } from "../tmux/tmux.js";
import { ensureStateDir, type Launcher } from "../fleet/launch.js";

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Ctx extends Launcher {
  io: Io;
}

export function openFleet(configPath: string, io: Io): Ctx {
  const fleet: Fleet = loadConfig(configPath, { envOverrides: true });
  for (const w of fleet.warnings) io.err(`warning: ${w}`);
  ensureStateDir(fleet);
  const tmux = new Tmux({ socket: fleet.tmuxSocket });
  return { fleet, tmux, io, say: io.out };
}
