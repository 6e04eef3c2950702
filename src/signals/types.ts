// What a CLI says about itself besides its screen: hooks, status line, session records. Each
// backend's reader turns its own record into one SignalReading; decide compares it with the
// screen. Readers are incremental (byte offsets) and never write into the user's CLI config.

/** The agent's own word on what it is doing, when its record says it clearly. */
export type SignalState = "working" | "idle" | "limited";

export interface RateWindow {
  /** "five_hour", "seven_day" (Claude); "primary", "secondary" (Codex). */
  name: string;
  usedPct?: number;
  /** Epoch ms when the window resets. */
  resetsAt?: number;
  windowMinutes?: number;
}

export interface SignalReading {
  /** Which tap produced it: "claude", "codex", "opencode". */
  source: string;
  /** Epoch ms of the newest record read (the freshness of this evidence). */
  at: number;
  /** Epoch ms the record last grew: a busy screen over a record that stopped growing is `stuck`. */
  grewAt: number;
  state?: SignalState;
  /**
   * Epoch ms a tool call began, while one runs (unset once it ended): a long build or test run
   * grows no record, and must not read as `stuck`. Claude: its PreToolUse/PostToolUse hooks.
   */
  toolSince?: number;
  /** The conversation this agent runs (pinned at launch or read from the record). */
  sessionId?: string;
  /** Set while the CLI reports a usage limit: its exact reset and its own words. */
  limit?: { resetsAt?: number; message?: string; window?: string; autoContinue?: boolean };
  rateLimits?: RateWindow[];
  costUsd?: number;
  contextPct?: number;
  tokens?: { input?: number; output?: number; total?: number };
  model?: string;
  /** The CLI's own transcript file, for `agents logs <agent> --transcript`. */
  transcriptPath?: string;
}

/** How a backend's signal tap launches and reads (one per preset that has one). */
export interface LaunchTap {
  /** Extra CLI arguments (already shell-quoted) to append to the launch command line. */
  args: string[];
  /** Extra environment for the agent's session. */
  env: Record<string, string>;
  /** The conversation id pinned at launch, if the CLI lets us choose it. */
  sessionId?: string;
}
