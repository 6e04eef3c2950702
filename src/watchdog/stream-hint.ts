// What a pane's new output says before its screen is read. The change feed reads the bytes a pane
// appended to its session log (our own file read, no tmux) and tests them against the backend's
// limit, fatal and dialog rules. The screen stays the witness of state: a hint only says WHEN to
// read it — at once for a line the watchdog must act on, soon for a line that may mean the agent
// stopped, late for plain output, which is activity by itself.
import { stripAnsi } from "../detect/ansi.js";
import type { CompiledRules } from "../detect/classify.js";

/**
 * `act`: a limit, fatal or dialog line (read the screen now); `read`: something that may mean the
 * turn ended (an idle prompt, a WAITING-UNTIL marker, or output we could not read): read it once
 * it settles; `plain`: output only (the working line of an agent that is still working).
 */
export type StreamHint = "act" | "read" | "plain";

/** No write for this long: a pane has settled, and what it shows now is worth reading. */
export const SETTLE_MS = 600;
/**
 * A pane whose last output was plain is read only after this much quiet. Agents that print a
 * progress line every few seconds (builds, test runs, streamed replies) settle between lines, and
 * each settle cost a capture; what needs acting on fast is caught by the patterns (`act`) and an
 * idle prompt by `read`, so plain output only delays noticing an unrecognised stop by seconds,
 * against stall limits counted in minutes.
 */
export const PLAIN_SETTLE_MS = 5_000;

const WAITING = /WAITING-UNTIL:/i;

/** Pure: the hint of some output (raw bytes as text, escapes and all) under these rules. */
export function streamHint(text: string, rules: CompiledRules): StreamHint {
  const lines = stripAnsi(text).split("\n");
  const act = [rules.limit, rules.fatal, rules.dialog].filter((re): re is RegExp => re !== undefined);
  let idle = false;
  let active = false;
  for (const line of lines) {
    if (line.trim() === "") continue;
    if (act.some((re) => re.test(line))) return "act";
    if (!active && rules.active?.test(line)) active = true;
    if (!idle && (rules.idle?.test(line) || WAITING.test(line))) idle = true;
  }
  // The working line wins over the idle one, as on the screen (a TUI redraws its input box while busy).
  return idle && !active ? "read" : "plain";
}

/** Pure: the quiet after which a pane is worth reading, given its last output's hint. */
export function settleMsFor(hint: StreamHint | undefined): number {
  return hint === "plain" ? PLAIN_SETTLE_MS : SETTLE_MS;
}
