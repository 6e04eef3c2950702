// The data that flows through one watchdog tick: observe → decide → act.
import type { PaneInfo } from "../tmux/tmux.js";
import type { ScreenReading } from "../detect/screen.js";
import type { SignalReading } from "../signals/types.js";
export type { ScreenReading, SignalReading };
export {
  emptyState,
  type AccountHold,
  type AgentRuntime,
  type AgentState,
  type AgentStatus,
  type Evidence,
  type SignalSummary,
  type StuckMemory,
  type LimitHold,
  type WatchdogState,
} from "../state/watchdog-state.js";
import type { WatchdogState } from "../state/watchdog-state.js";

export interface GitReading {
  /** origin/<branch> head after fetch. */
  head?: string;
  /** Subjects of commits in (state sha .. head], oldest first; undefined when not computed. */
  subjects?: string[];
  /** Content hash of each inbox file on origin (undefined when absent). */
  inboxes: Record<string, string | undefined>;
  /** Epoch ms the reading completed: readings come from the background, so they have an age. */
  readAt?: number;
}

export interface Snapshot {
  now: number;
  heavy: boolean;
  /** Sessions that exist on the tmux server, keyed by session name. */
  panes: Map<string, PaneInfo>;
  /** Pane readings for the agents that needed one this tick. */
  screens: Map<string, ScreenReading>;
  /** A hash of each captured pane's text, by session: a changed screen is activity. */
  screenHashes: Map<string, string>;
  /** Each tapped agent's own record (issue 11), keyed by agent name; absent when it has none. */
  signals: Map<string, SignalReading>;
  /** Session log mtimes (epoch ms) for footer-UI agents. */
  logMtimes: Map<string, number>;
  phase: {
    /** The loop phase index, read once per tick: every rule and every start uses this one. */
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

export type Action =
  | {
      type: "start";
      agent: string;
      force: boolean;
      reason: string;
      restart: boolean;
      phase: number;
      /** Continue the pinned conversation (a heal whose cause is in resume_on); false: a new one. */
      resume?: boolean;
    }
  | { type: "kill"; agent: string; reason: string }
  | { type: "ping"; agent: string; text: string; purpose: "handoff" | "wake" | "nudge"; reason: string }
  | { type: "keys"; agent: string; keys: string[]; reason: string; /** Logged as (default "answered-dialog"). */ event?: string }
  | { type: "park"; agent: string; reason: string }
  | { type: "set-phase"; index: number; reason: string }
  | { type: "mark-complete"; reason: string }
  | { type: "clear-complete"; reason: string }
  | { type: "consume-trigger"; reason: string }
  | {
      type: "note";
      agent?: string;
      level: "info" | "warn";
      event: string;
      reason: string;
      /** Keep the agent's screen as it is now in a record file beside the event (detection-drift). */
      saveScreen?: boolean;
      /** Structured evidence logged with the event. */
      evidence?: Record<string, unknown>;
    };

/** The earliest moment decide knows something will be due, and whether healing must run then. */
export interface Deadline {
  at: number;
  /** Heal rules run only on heavy ticks: a restart backoff ending needs one. */
  heavy: boolean;
  reason: string;
}

export interface Decision {
  actions: Action[];
  state: WatchdogState;
  /** The next deadline after now, if decide knows one (the loop sleeps until it or the next tick). */
  deadline?: Deadline;
}
