// SIGHUP reaches the watchdog when its tmux session or its whole tmux server goes away. Killing
// the session is how a user stops it; losing the server is a fault the watchdog exists to repair:
// it must outlive the server and bring the fleet back on a new one, not die with it.
import type { PaneInfo } from "../tmux/tmux.js";

export type HangupVerdict = "stop" | "survive";

/**
 * `panes`: what the server answers right after the hangup (empty when no server answers). No
 * server, or a server with no sessions left, means the server went down under us: survive. Any
 * other session still there means someone stopped just ours (or sent SIGHUP by hand): stop.
 */
export function onHangup(insideTmux: boolean, panes: PaneInfo[]): HangupVerdict {
  if (!insideTmux) return "stop";
  return panes.length === 0 ? "survive" : "stop";
}
