// The screen classifier: one pane snapshot in, one verdict out. Pure and cheap enough for the
// watchdog to call every second for every agent (regexes are compiled once per rules object).
//
// Two regions of the screen matter, and they answer different questions:
//  - the STATUS region (the bottom `status_rows` rows) is where a TUI draws what it is doing now:
//    spinners, "esc to interrupt", the idle input box. Activity and idleness are read only there,
//    because the transcript above keeps old spinners and the agent's own words.
//  - the TURN region (everything after the last user turn and after the last "turn finished" row)
//    is where the CLI prints the outcome of the current turn. Limits, errors and dialogs are read
//    there: Claude, Codex and opencode print their final error ABOVE the input box, so it is not in
//    the status region, while a limit that the agent later recovered from sits above a finished-turn
//    row and is history.
//
// Decision order: dead pane → exited (or the fatal/limit text that explains the death); a shell in
// the pane that does not look like the agent → exited; dialog; working; limited/fatal (the one
// printed last wins, a tie goes to limited); idle; then the fallback:
//  - idle_re undefined and active_re defined → `idle` ("not busy" is all such a backend can say,
//    which is the reference program's model);
//  - otherwise → `unknown`: with an idle pattern that did not match we are looking at a screen we do
//    not recognise (start-up splash, an unknown menu), and with no patterns at all we know nothing.
import { screenLines } from "./ansi.js";
import { parseReset } from "./reset.js";
import type { Classification, DetectRules, Screen } from "./types.js";

export const DEFAULT_SHELLS = ["bash", "zsh", "sh", "fish", "dash", "ksh", "tcsh", "csh"];
/** Status rows of a footer UI whose rules do not say. */
export const DEFAULT_FOOTER_ROWS = 12;

export interface CompiledRules {
  active?: RegExp;
  idle?: RegExp;
  limit?: RegExp;
  fatal?: RegExp;
  dialog?: RegExp;
  titleActive?: RegExp;
  turn?: RegExp;
  done?: RegExp;
  /** Bottom rows of the status region; undefined = the whole screen. */
  statusRows?: number;
  shells: ReadonlySet<string>;
}

export interface ClassifyOptions {
  /** Zone for reset times printed without one (default: the process's zone). */
  timeZone?: string;
}

const FIELDS = [
  ["active_re", "active"],
  ["idle_re", "idle"],
  ["limit_re", "limit"],
  ["fatal_re", "fatal"],
  ["dialog_re", "dialog"],
  ["title_active_re", "titleActive"],
  ["turn_re", "turn"],
  ["done_re", "done"],
] as const;

function compileOne(field: string, src: string | undefined): RegExp | undefined {
  if (src === undefined || src === "") return undefined;
  try {
    return new RegExp(src, "i");
  } catch (err) {
    throw new Error(`${field}: bad regex ${JSON.stringify(src)}: ${(err as Error).message}`);
  }
}

const byObject = new WeakMap<DetectRules, CompiledRules>();
// The watchdog rebuilds merged rules objects on config reloads; a content key keeps those hits too.
const byContent = new Map<string, CompiledRules>();
const CONTENT_CACHE_MAX = 64;

/** Compile a backend's detection rules (cached). Throws with the field name on an invalid regex. */
export function compileRules(rules: DetectRules): CompiledRules {
  const hit = byObject.get(rules);
  if (hit) return hit;
  const key = JSON.stringify([
    FIELDS.map(([f]) => rules[f] ?? null),
    rules.footer_ui ?? false,
    rules.status_rows ?? null,
    rules.shell_commands ?? null,
  ]);
  let compiled = byContent.get(key);
  if (!compiled) {
    compiled = { shells: new Set(rules.shell_commands ?? DEFAULT_SHELLS) };
    for (const [field, name] of FIELDS) {
      const re = compileOne(field, rules[field]);
      if (re) compiled[name] = re;
    }
    const rows = rules.status_rows ?? (rules.footer_ui ? DEFAULT_FOOTER_ROWS : undefined);
    if (rows !== undefined) compiled.statusRows = rows;
    if (byContent.size >= CONTENT_CACHE_MAX) byContent.delete(byContent.keys().next().value as string);
    byContent.set(key, compiled);
  }
  byObject.set(rules, compiled);
  return compiled;
}

const WRAP_MIN = 40;
const DEAD_ROW = /^Pane is dead \((?:status|signal) /;
const RULE_ROW = /^\s*[─━═╌-]{8,}\s*$/;

interface Hit {
  lineNo: number;
  line: string;
}

/** The structure of one screen that every rule looks at. */
export interface ScreenView {
  lines: string[];
  /** One past the last non-blank row (tmux's dead-pane row excluded). */
  end: number;
  statusStart: number;
  turnStart: number;
  paneDead: boolean;
}

export function viewScreen(text: string, c: CompiledRules): ScreenView {
  const lines = screenLines(text);
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === "") end--;
  let paneDead = false;
  if (end > 0 && DEAD_ROW.test(lines[end - 1]!)) {
    paneDead = true;
    end--;
    while (end > 0 && lines[end - 1]!.trim() === "") end--;
  }
  const statusStart = c.statusRows === undefined ? 0 : Math.max(0, end - c.statusRows);

  let turnStart = 0;
  if (c.turn) {
    const turns: number[] = [];
    for (let i = 0; i < end; i++) {
      if (!c.turn.test(lines[i]!)) continue;
      // An input box drawn between rules (Claude) shows drafts and placeholders, not turns.
      if (RULE_ROW.test(lines[i - 1] ?? "") || RULE_ROW.test(lines[i + 1] ?? "")) continue;
      turns.push(i);
    }
    // The composer of a footer UI is the bottom-most match; a user turn is above it.
    if (c.statusRows !== undefined && turns.length > 0 && turns[turns.length - 1]! >= statusStart) turns.pop();
    if (turns.length > 0) turnStart = turns[turns.length - 1]! + 1;
  }
  if (c.done) {
    for (let i = end - 1; i >= turnStart; i--) {
      if (c.done.test(lines[i]!)) {
        turnStart = i + 1;
        break;
      }
    }
  }
  return { lines, end, statusStart, turnStart, paneDead };
}

/** The last row in [from, to) matching re; a banner wrapped onto the next row is matched joined. */
function lastMatch(re: RegExp | undefined, lines: string[], from: number, to: number): Hit | undefined {
  if (!re) return undefined;
  for (let i = to - 1; i >= from; i--) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    if (re.test(line)) return { lineNo: i, line };
    // Only a long row can have been wrapped by the CLI; skipping short ones halves the regex work.
    if (line.length < WRAP_MIN) continue;
    const next = i + 1 < to ? lines[i + 1]! : "";
    if (next.trim() !== "" && re.test(`${line.trimEnd()} ${next.trim()}`)) return { lineNo: i, line };
  }
  return undefined;
}

function verdict(state: Classification["state"], rule: string, hit?: Hit, dead?: boolean): Classification {
  const c: Classification = { state, rule };
  if (hit) {
    c.line = hit.line.trim();
    c.lineNo = hit.lineNo;
  }
  if (dead) c.dead = true;
  return c;
}

function limitOrFatal(
  c: CompiledRules,
  v: ScreenView,
  now: Date,
  opts: ClassifyOptions,
  dead: boolean,
): Classification | undefined {
  const limit = lastMatch(c.limit, v.lines, v.turnStart, v.end);
  const fatal = lastMatch(c.fatal, v.lines, v.turnStart, v.end);
  if (!limit && !fatal) return undefined;
  // The most recent message is the current state; on the same row a limit explains more (a 429
  // printed as "API Error" is a limit, not a crash).
  if (limit && (!fatal || limit.lineNo >= fatal.lineNo)) {
    const out = verdict("limited", "limit_re", limit, dead);
    const reset = parseReset(v.lines.slice(v.turnStart, v.end).join("\n"), now, opts.timeZone);
    if (reset) out.reset = reset;
    return out;
  }
  return verdict("fatal", "fatal_re", fatal, dead);
}

/** Classify one pane snapshot. `now` anchors relative reset times ("resets 3pm", "in 10s"). */
export function classify(screen: Screen, rules: DetectRules, now: Date, opts: ClassifyOptions = {}): Classification {
  const c = compileRules(rules);
  const v = viewScreen(screen.text, c);
  const dead = screen.dead === true || v.paneDead;

  if (dead) {
    // A dead pane's last words may say why it died (first-run "Unable to connect", a headless limit
    // banner); otherwise it simply exited, whatever stale frame it left behind.
    return limitOrFatal(c, v, now, opts, true) ?? verdict("exited", "dead", undefined, true);
  }

  const status = { from: v.statusStart, to: v.end };
  const titleActive = c.titleActive && screen.title !== undefined && c.titleActive.test(screen.title);
  const active = lastMatch(c.active, v.lines, status.from, status.to);

  if (screen.command !== undefined && c.shells.has(baseCommand(screen.command))) {
    const agentLike =
      titleActive ||
      active ||
      lastMatch(c.idle, v.lines, status.from, status.to) ||
      lastMatch(c.dialog, v.lines, v.turnStart, v.end);
    if (!agentLike) return verdict("exited", "shell_command", lastRow(v));
  }

  const dialog = lastMatch(c.dialog, v.lines, v.turnStart, v.end);
  if (dialog) return verdict("dialog", "dialog_re", dialog);

  if (active) return verdict("working", "active_re", active);
  if (titleActive) return { state: "working", rule: "title_active_re", line: screen.title!.trim() };

  const bad = limitOrFatal(c, v, now, opts, false);
  if (bad) return bad;

  const idle = lastMatch(c.idle, v.lines, status.from, status.to);
  if (idle) return verdict("idle", "idle_re", idle);
  if (!c.idle && c.active) return verdict("idle", "not active_re");
  return verdict("unknown", "default");
}

function baseCommand(command: string): string {
  const first = command.trim().split(/\s+/)[0] ?? "";
  return (first.split("/").pop() ?? first).replace(/^-/, "");
}

function lastRow(v: ScreenView): Hit | undefined {
  return v.end > 0 ? { lineNo: v.end - 1, line: v.lines[v.end - 1]! } : undefined;
}
