// Contract between the config layer, the watchdog and the screen classifier.
// Everything in src/detect is pure: text in, verdict out, no I/O, clock injected.

export type ScreenState = "working" | "idle" | "limited" | "fatal" | "dialog" | "exited" | "unknown";

/** What the watchdog knows about one pane when it asks for a verdict. */
export interface Screen {
  /** `tmux capture-pane -p` output (may contain ANSI if captured with -e; the classifier strips it). */
  text: string;
  /** #{pane_title}; Claude Code and Codex put a spinner glyph here while busy. */
  title?: string;
  /** #{pane_current_command} */
  command?: string;
  /** #{pane_dead} */
  dead?: boolean;
}

/** The detection fields of a backend (preset values merged with the user's [backend.X] table). */
export interface DetectRules {
  /** Regex source (case-insensitive): the agent is busy. */
  active_re?: string;
  /** Regex source: the agent is at its prompt, ready for input. */
  idle_re?: string;
  /** Regex source: a usage/rate limit banner. */
  limit_re?: string;
  /** Regex source: an unrecoverable state that a restart fixes (auth expired, loop died, ...). */
  fatal_re?: string;
  /** Regex source: a startup/approval dialog waiting for a human. */
  dialog_re?: string;
  /** Regex source matched against #{pane_title}: busy spinner. */
  title_active_re?: string;
  /** A TUI that redraws a footer: only the bottom `status_rows` count as live status. */
  footer_ui?: boolean;
  /** How many bottom non-empty rows hold the live status region (default 12 for footer UIs; whole screen otherwise). */
  status_rows?: number;
  /** Process names that mean "the agent exited to a shell" (e.g. bash, zsh, sh). */
  shell_commands?: string[];
}

export interface ResetInfo {
  /** The reset text as printed ("7:50pm (UTC)", "in 3 days 6 hours"). */
  text: string;
  /** Epoch milliseconds of the reset when it could be parsed, else undefined. */
  at?: number;
}

export interface Classification {
  state: ScreenState;
  /** For `limited`: the reset time found on screen. */
  reset?: ResetInfo;
  /** Which rule decided (e.g. "limit_re", "active_re", "title_active_re", "dead", "idle_re", "default"). */
  rule: string;
  /** The screen line that decided it, when there is one. */
  line?: string;
}
