// The watchdog's persisted memory and its file format. The watchdog writes it after a tick when
// it changed, or every 2 s (watchdog/state-writes.ts); `status` reads it. A file that does not
// parse is never silently replaced: the watchdog keeps it aside as <file>.corrupt-<time> for a
// human, logs it, and starts from an empty memory.
import { renameSync, statSync } from "node:fs";
import { readTextOr, writeJsonAtomic } from "./files.js";
import { watchdogStateFile, type PathFleet } from "./paths.js";

/** The closed set of states an agent can be in, as `status` shows them. */
export const AGENT_STATES = [
  "working",
  "idle",
  "waiting",
  "limited",
  "stalled",
  "stuck",
  "restarting",
  "parked",
  "dialog",
  "fatal",
  "exited",
  "missing",
  "unknown",
  "done",
] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** One agent's status: what it is doing, why we think so, since when, and until when if known. */
export interface AgentStatus {
  state: AgentState;
  /** One human line: "idle 312s with no WAITING-UNTIL marker", "usage limit; resets 7:50pm". */
  reason: string;
  /** Epoch ms this state began. */
  since: number;
  /** Epoch ms it is expected to end (hold end, backoff end, WAITING-UNTIL), when known. */
  until?: number;
  /** Extra evidence (the fatal line, the dialog option). */
  detail?: string;
  /** What each source said this tick and which one the state came from (issue 11). */
  evidence?: Evidence;
  /** Screen and signal have disagreed for longer than drift_after (a detection-drift was logged). */
  drift?: boolean;
}

/** The two readings behind a status: "working (active_re)", "idle (claude, 12s old)". */
export interface Evidence {
  screen?: string;
  signal?: string;
  chosen: "screen" | "signal" | "none";
}

/** What the agent's own record says besides its state: for `status` (cost, context, conversation). */
export interface SignalSummary {
  source: string;
  /** Epoch ms of the newest record. */
  at: number;
  sessionId?: string;
  costUsd?: number;
  contextPct?: number;
  tokens?: { input?: number; output?: number; total?: number };
  /** The login's usage windows (used %, reset), for the account line of `status`. */
  rateLimits?: { name: string; usedPct?: number; resetsAt?: number; windowMinutes?: number }[];
}

/** A busy screen over a record that stopped growing: the steps taken so far. */
export interface StuckMemory {
  since: number;
  /** 1 interrupted, 2 nudged, 3 restarted. */
  step: number;
  /** When the last step was taken. */
  at: number;
}

export interface LimitHold {
  since: number;
  until: number;
  /** The reset time as printed, when one was parsed. */
  reset?: string;
  parsed: boolean;
  nudges: number;
  /** Where the reset came from: a tap's record ("claude", "codex") or the screen's wording. */
  source?: string;
  /** The CLI said it continues by itself at the reset (Claude's offer): only nudge if it does not. */
  autoContinue?: boolean;
}

/** A known dialog on screen: answered only once seen on two readings (a TUI still drawing it drops keys). */
export interface DialogMemory {
  option: string;
  seen: number;
  answeredAt?: number;
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
  status: AgentStatus;
  dialog?: DialogMemory;
  /** Hash of the last captured screen: a changed screen is activity, whatever the regexes say. */
  screenHash?: string;
  /** Epoch ms the captured screen last changed: a "working" record stays believed while it moves. */
  screenMovedAt?: number;
  /** Since when screen and signal disagree, and whether that was logged. */
  drift?: { since: number; noted: boolean };
  signal?: SignalSummary;
  stuck?: StuckMemory;
  /**
   * The watchdog's last start of this agent: when, and whether it was to resume the conversation;
   * `failed` once that resume died at once (the next start is then a new conversation).
   */
  lastStart?: { at: number; resume: boolean; failed?: boolean };
}

/**
 * A login's usage limit (issue 11 item 4): when one agent of an account reports its window
 * exhausted, every agent of the account is held until the reset, then resumed one at a time.
 */
export interface AccountHold {
  /** Epoch ms the hold began and when it ends (the reset + limit_reset_slack). */
  since: number;
  until: number;
  /** The agent that reported the limit. */
  agent: string;
  /** Its reason ("usage limit; resets …"). */
  reason: string;
  /** After the reset: the agents still to resume, in order. */
  resumeQueue?: string[];
  /** When the last one was resumed (the next waits account_resume_gap). */
  lastResumeAt?: number;
}

export interface WatchdogState {
  version: 1;
  agents: Record<string, AgentRuntime>;
  /** Accounts held for a usage limit, by account id (absent in files from before accounts). */
  accounts?: Record<string, AccountHold>;
  handoff: { sha?: string; inboxes: Record<string, string> };
  heartbeat?: number;
  pid?: number;
  startedAt?: number;
  configError?: string;
  lastTickMs?: number;
  /** Set when the tmux server that ran the watchdog's session died and it carried on outside tmux. */
  detachedSince?: number;
}

export const emptyState = (): WatchdogState => ({ version: 1, agents: {}, handoff: { inboxes: {} } });

type Parsed = { state: WatchdogState } | { problem: string };

function parse(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { problem: `not JSON (${(err as Error).message})` };
  }
  const s = raw as Partial<WatchdogState> | null;
  if (!s || typeof s !== "object" || s.version !== 1 || !s.agents || typeof s.agents !== "object") {
    return { problem: "not a version-1 watchdog state" };
  }
  const state: WatchdogState = { ...emptyState(), ...s } as WatchdogState;
  state.handoff = { inboxes: {}, ...(s.handoff ?? {}) };
  if (state.accounts !== undefined && (typeof state.accounts !== "object" || state.accounts === null)) delete state.accounts;
  for (const [id, h] of Object.entries(state.accounts ?? {})) {
    if (!h || typeof h.until !== "number" || typeof h.agent !== "string") delete state.accounts![id];
    else if (h.resumeQueue !== undefined && !Array.isArray(h.resumeQueue)) delete h.resumeQueue;
  }
  for (const rt of Object.values(state.agents)) {
    // Files from before statuses were structured carry a free-text `view`; the next tick recomputes.
    rt.status ??= { state: "unknown", reason: "not observed yet", since: state.heartbeat ?? 0 };
    rt.restarts ??= [];
  }
  return { state };
}

/** For readers (`status`): the state, or an empty one when absent or unreadable. Never moves files. */
export function readWatchdogState(fleet: PathFleet): WatchdogState {
  const text = readTextOr(watchdogStateFile(fleet), undefined);
  if (text === undefined) return emptyState();
  const r = parse(text);
  return "state" in r ? r.state : emptyState();
}

export interface LoadedState {
  state: WatchdogState;
  /** Set when the file was unusable and kept aside. */
  corrupt?: { file: string; keptAs: string; problem: string };
}

/** For the watchdog at start: a corrupt file (or a directory in its place) is kept aside, not lost. */
export function loadWatchdogState(fleet: PathFleet, now = Date.now()): LoadedState {
  const file = watchdogStateFile(fleet);
  let problem: string | undefined;
  let isFile = true;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return { state: emptyState() };
  }
  if (!isFile) problem = "not a regular file";
  else {
    const text = readTextOr(file, undefined);
    if (text === undefined) problem = "unreadable";
    else {
      const r = parse(text);
      if ("state" in r) return { state: r.state };
      problem = r.problem;
    }
  }
  let keptAs = `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, "-")}`;
  try {
    renameSync(file, keptAs);
  } catch (err) {
    // A read-only log_dir must not stop the watchdog from starting: say so, and go on.
    keptAs = `nowhere (${(err as NodeJS.ErrnoException).code ?? "error"}: left in place, replaced when the state is next written)`;
  }
  return { state: emptyState(), corrupt: { file, keptAs, problem } };
}

export function writeWatchdogState(fleet: PathFleet, state: WatchdogState): void {
  writeJsonAtomic(watchdogStateFile(fleet), state);
}
