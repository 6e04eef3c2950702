// The data that flows through one watchdog tick: observe → decide → act.
import type { PaneInfo } from "../tmux/tmux.js";
import type { ScreenReading } from "../detect/screen.js";
import type { DialogMemory } from "./dialog.js";
export type { ScreenReading };

export interface GitReading {
  /** origin/<branch> head after fetch. */
  head?: string;
  /** Subjects of commits in (state sha .. head], oldest first; undefined when not computed. */
  subjects?: string[];
  /** Content hash of each inbox file on origin (undefined when absent). */
  inboxes: Record<string, string | undefined>;
  error?: string;
}

export interface Snapshot {
  now: number;
  heavy: boolean;
  /** Sessions that exist on the tmux server, keyed by session name. */
  panes: Map<string, PaneInfo>;
  /** Pane readings for the agents that needed one this tick. */
  screens: Map<string, ScreenReading>;
  /** Session log mtimes (epoch ms) for footer-UI agents. */
  logMtimes: Map<string, number>;
  phase: {
    index: number;
    done: boolean;
    sequenceComplete: boolean;
    triggerPresent: boolean;
  };
  git?: GitReading;
  /** Agents whose cron wake fired since their last wake. */
  cronDue: Set<string>;
  /** Agents with a parked marker file, name → reason (`agents up <name>` removes it to unpark). */
  parkedMarkers: Map<string, string>;
}

export interface LimitHold {
  since: number;
  until: number;
  /** The reset time as printed, when one was parsed. */
  reset?: string;
  parsed: boolean;
  nudges: number;
}

export interface AgentRuntime {
  /** Last time the agent was seen doing something (working with a changing pane, or started). */
  lastActive: number;
  /** Pane activity (epoch s) last time we saw it working. */
  seenActivity?: number;
  hold?: LimitHold;
  /** Restart times (epoch ms) inside the restart window. */
  restarts: number[];
  parked?: { reason: string; at: number };
  lastWake?: number;
  /** What status shows: working / idle / waiting until T / limited until T / stalled / parked: reason ... */
  view: string;
  /** A known dialog on screen: answered only once seen on two readings (a TUI still drawing it drops keys). */
  dialog?: DialogMemory;
}

export interface WatchdogState {
  version: 1;
  agents: Record<string, AgentRuntime>;
  handoff: { sha?: string; inboxes: Record<string, string> };
  heartbeat?: number;
  pid?: number;
  startedAt?: number;
  configError?: string;
  lastTickMs?: number;
}

export const emptyState = (): WatchdogState => ({ version: 1, agents: {}, handoff: { inboxes: {} } });

export type Action =
  | { type: "start"; agent: string; force: boolean; reason: string; restart: boolean }
  | { type: "kill"; agent: string; reason: string }
  | { type: "ping"; agent: string; text: string; purpose: "handoff" | "wake" | "nudge"; reason: string }
  | { type: "keys"; agent: string; keys: string[]; reason: string }
  | { type: "park"; agent: string; reason: string }
  | { type: "set-phase"; index: number; reason: string }
  | { type: "mark-complete"; reason: string }
  | { type: "clear-complete"; reason: string }
  | { type: "consume-trigger"; reason: string }
  | { type: "note"; agent?: string; level: "info" | "warn"; event: string; reason: string };

export interface Decision {
  actions: Action[];
  state: WatchdogState;
}
