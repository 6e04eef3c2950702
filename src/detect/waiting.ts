// Agents announce a deliberate pause ("WAITING-UNTIL: 2026-11-21T19:00:00Z") so the stall check
// leaves them alone until then.
import { screenLines } from "./ansi.js";

/** Bottom rows searched on a footer UI, whose transcript keeps old markers on screen. */
export const WAITING_FOOTER_ROWS = 12;

const MARKER = /WAITING-UNTIL:\s*(\S*)/gi;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The last WAITING-UNTIL marker on screen as epoch ms (for footer UIs only within the bottom
 * `rows` rows, counted from the last non-blank row). When the last marker's time is not valid ISO
 * the result is undefined: a marker that cannot be honoured must not silence the stall check, and
 * an older valid marker above it is no longer what the agent means.
 */
export function parseWaitingUntil(text: string, footerUi: boolean, rows = WAITING_FOOTER_ROWS): number | undefined {
  const lines = screenLines(text);
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === "") end--;
  let last: string | undefined;
  for (const line of lines.slice(footerUi ? Math.max(0, end - rows) : 0, end)) {
    for (const m of line.matchAll(MARKER)) last = m[1]!;
  }
  if (last === undefined) return undefined;
  // Markdown and prose wrap the time in backticks, asterisks or a full stop.
  const token = last.replace(/^[`*_"'(]+/, "").replace(/[`*_"').,;]+$/, "");
  const m = ISO.exec(token.replace(" ", "T"));
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", zone] = m;
  const day = new Date(Date.UTC(+y!, +mo! - 1, +d!));
  if (day.getUTCMonth() !== +mo! - 1 || day.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +s > 59) return undefined;
  // An offset-less time is local wall time, as Python's fromisoformat read it in the reference.
  const offset = zone ? (zone.toUpperCase() === "Z" ? "Z" : zone.replace(/^([+-]\d{2}):?(\d{2})$/, "$1:$2")) : "";
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(t) ? undefined : t;
}
