// Which session the watchdog's control client attaches to. Only one the fleet owns: the
// watchdog's own session when there is one (`agents up` runs the watchdog in it), else a hidden
// one-pane session made for the purpose, `<watchdog session>+ctl` (a '+' no agent name can
// have), whose only process waits for the watchdog's pid to end, so a crashed watchdog leaves
// nothing behind. No session is made while the server is down: a client must not start a server.
import type { Fleet } from "../config/load.js";
import { ControlTransport, type TransportMode } from "../tmux/control-transport.js";
import { SpawnTransport, Tmux, tmuxEnv, type TmuxTransport } from "../tmux/tmux.js";

export const hiddenSessionName = (watchdogSession: string): string => `${watchdogSession}+ctl`;

/** The hidden session's command: alive exactly as long as `pid` (tail --pid, or a slow poll). */
export function waitForPidCommand(pid: number): string {
  return `tail --pid=${pid} -f /dev/null 2>/dev/null || while kill -0 ${pid} 2>/dev/null; do sleep 30; done`;
}

export function sessionProvider(spawn: TmuxTransport, watchdogSession: string, pid = process.pid): () => Promise<string | undefined> {
  const hidden = hiddenSessionName(watchdogSession);
  return async () => {
    const ls = await spawn.run(["list-sessions", "-F", "#{session_name}"]);
    if (ls.code !== 0) return undefined;
    const names = new Set(ls.stdout.split("\n"));
    if (names.has(watchdogSession)) return watchdogSession;
    if (!names.has(hidden)) {
      const r = await spawn.run(["new-session", "-d", "-s", hidden, "-x", "20", "-y", "5", waitForPidCommand(pid)]);
      if (r.code !== 0) throw new Error(`could not make session ${hidden}: ${r.stderr.trim()}`);
    }
    return hidden;
  };
}

export interface WatchdogTmuxHooks {
  onTopology?: () => void;
  onSwitch?: (mode: TransportMode, reason: string) => void;
}

/**
 * The watchdog's tmux: reads over a control client unless `[watchdog] control_client = false` or
 * `persistent` is false (one tick, `--once`: a client would cost more than it saves).
 */
export function watchdogTmux(fleet: Fleet, hooks: WatchdogTmuxHooks, persistent = true): { tmux: Tmux; control?: ControlTransport } {
  const socket = fleet.tmuxSocket;
  if (!fleet.watchdog.control_client || !persistent) return { tmux: new Tmux({ socket }) };
  const bin = "tmux";
  const baseArgs = socket ? ["-L", socket] : [];
  const spawn = new SpawnTransport(bin, baseArgs);
  const control = new ControlTransport({
    bin,
    baseArgs,
    env: tmuxEnv(),
    spawn,
    session: sessionProvider(spawn, fleet.watchdogSession),
    onTopology: hooks.onTopology,
    onSwitch: hooks.onSwitch,
  });
  return { tmux: new Tmux({ socket, transport: control }), control };
}
