// Pure: the `--settings` document that makes Claude Code report on itself. Every hook and the
// statusLine append one JSON line per event to the agent's signal file, with a POSIX sh one-liner:
// Claude runs hook commands with /bin/sh (seen with 2.1.330, even with SHELL=/bin/bash).
//
// Cost, measured on the 2-core dev machine (`sh -c CMD < payload`, 10 interleaved batches of 40):
// a bare `sh -c :` (what any hook costs) 1.0 ms; a recorded hook 1.9 ms (+0.9 ms: one cat); a
// tool marker draining 100 KB 2.0 ms; the chained statusLine 4.2 ms against 2.5 ms for the user's
// own command alone. A node start per event would be 60-80 ms. Claude's own account of a Stop hook
// (the transcript's stop_hook_summary) was 21-63 ms for ours and 19-86 ms for `:`: its hook runner,
// not the command, is the cost. On a turn's path: UserPromptSubmit, Stop, and two per tool call.
//
// Rules every command here keeps, because a hook's exit code and output mean something to Claude:
// - exit 0 and print nothing: stdout of SessionStart/UserPromptSubmit is added to the model's
//   context, and exit 2 from UserPromptSubmit blocks the prompt. A signal file that cannot be
//   opened (log_dir deleted, disk full) must not do either: `2>/dev/null` comes before `>>FILE`
//   (redirections apply left to right, so the open error is already silenced) and `|| :` turns
//   the failure into 0.
// - never wait: `[ -p FILE ] ||` skips a FIFO put where the file should be (appending to one
//   blocks until a reader comes, and Claude waits for UserPromptSubmit and PreToolUse hooks).
// - one write per line where possible, so lines from concurrent hooks rarely interleave; the
//   reader skips any line that does not parse.
import { shellQuote } from "../../tmux/tmux.js";

/** Hooks whose whole JSON payload is recorded (they are small: ids, paths, a prompt, a message). */
export const RECORDED_EVENTS = ["SessionStart", "UserPromptSubmit", "Stop", "StopFailure", "Notification", "SessionEnd"] as const;
/**
 * Hooks recorded as a bare marker line: their payload carries tool input and output (a whole file
 * written or read), which would bloat the signal file; the event alone says "working".
 */
export const MARKED_EVENTS = ["PreToolUse", "PostToolUse", "PostToolUseFailure"] as const;

/** A statusLine entry as Claude's settings hold it (`type: "command"` plus its options). */
export interface StatusLineSetting {
  type: "command";
  command: string;
  padding?: number;
  refreshInterval?: number;
  [option: string]: unknown;
}

interface HookEntry {
  matcher?: string;
  hooks: Array<{ type: "command"; command: string }>;
}

export interface TapSettings {
  hooks: Record<string, HookEntry[]>;
  statusLine: StatusLineSetting;
}

/** Append the payload (and a newline: hook payloads end with one, statusLine JSON does not). */
export function recordCommand(file: string): string {
  const f = shellQuote(file);
  return `[ -p ${f} ] || { cat; echo; } 2>/dev/null >>${f} || :`;
}

/** Drain the payload (a large one must not meet a closed pipe) and append a fixed marker line. */
export function markerCommand(file: string, event: string): string {
  const line = JSON.stringify({ hook_event_name: event });
  const f = shellQuote(file);
  return `cat >/dev/null; [ -p ${f} ] || echo ${shellQuote(line)} 2>/dev/null >>${f} || :`;
}

/**
 * The statusLine: record the JSON, then hand the same JSON to the user's own statusLine command
 * and let it print the line Claude shows (our `--settings` statusLine replaces theirs, so without
 * this chain their status line would vanish). Their command is embedded as written, inside a
 * group on its own lines, so it runs in the same shell Claude would have run it in; its exit code
 * is the command's exit code. Without a user statusLine nothing is printed.
 */
export function statusLineCommand(file: string, userCommand?: string): string {
  if (!userCommand?.trim()) return recordCommand(file);
  const f = shellQuote(file);
  return `d=$(cat); [ -p ${f} ] || printf '%s\\n' "$d" 2>/dev/null >>${f}; printf '%s' "$d" | {\n${userCommand}\n}`;
}

/**
 * The settings for one run. `user`: the statusLine the user's own settings would show (found by
 * findUserStatusLine); its options (padding, refreshInterval, ...) are kept, only the command is
 * wrapped. Hooks need no such care: Claude runs the hooks of every settings source (verified with
 * 2.1.330: ~/.claude/settings.json hooks still run beside these).
 */
export function tapSettings(file: string, user?: StatusLineSetting): TapSettings {
  const hooks: Record<string, HookEntry[]> = {};
  for (const e of RECORDED_EVENTS) hooks[e] = [{ hooks: [{ type: "command", command: recordCommand(file) }] }];
  for (const e of MARKED_EVENTS) hooks[e] = [{ matcher: "*", hooks: [{ type: "command", command: markerCommand(file, e) }] }];
  return { hooks, statusLine: { ...user, type: "command", command: statusLineCommand(file, user?.command) } };
}
