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
  /**
   * How many bottom rows hold the live status region (default 12 for footer UIs; whole screen
   * otherwise). Counted from the last non-blank row, blank rows inside included: counting only
   * non-blank rows would reach up into a short transcript and read the agent's own words as status.
   * Setting it applies the region even when footer_ui is false.
   */
  status_rows?: number;
  /** Process names that mean "the agent exited to a shell" (e.g. bash, zsh, sh). */
  shell_commands?: string[];
  /**
   * Regex source: a row that starts a user turn in the transcript (claude "❯ text", codex "› text").
   * Limit/fatal/dialog text above the last one is history. Rows of an input box (next to a
   * horizontal rule, or the bottom-most match inside the status region) are not turns.
   */
  turn_re?: string;
  /** Regex source: a row that marks a finished turn ("✻ Baked for 9s", "Worked for 9s"); text above the last one is history. */
  done_re?: string;
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
  /**
   * Which rule decided: a field name ("active_re", "title_active_re", "idle_re", "limit_re",
   * "fatal_re", "dialog_re"), "dead" (pane dead, nothing on screen explains it), "shell_command"
   * (a shell is in the pane and the screen does not look like the agent), "not active_re" (no
   * idle_re and active_re did not match) or "default" (nothing matched: state `unknown`).
   */
  rule: string;
  /** The screen line that decided it, when there is one. */
  line?: string;
  /** 0-based row of `line` in the ANSI-stripped screen. */
  lineNo?: number;
  /**
   * The pane's process is gone (#{pane_dead} or tmux's "Pane is dead" row). Set on `exited`, and on
   * `fatal`/`limited` when the dead pane's last screen says why it ended: such a pane cannot take
   * keys, so the watchdog must relaunch it (after the reset, for `limited`) rather than nudge it.
   */
  dead?: boolean;
}
