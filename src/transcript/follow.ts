// Showing and following a transcript file: read it whole once (the last N rendered lines), then
// poll for what the CLI appends, by byte offset, until stopped. A half-written last line waits for
// the next poll; a file that shrank or was replaced is read again from its start; when `relocate`
// names another file (the agent started a new conversation) the new one is followed from its start.
// readNewLines reads only a regular file, opened non-blocking: a FIFO in the record's place is never waited on.
import { readNewLines, type LinesCursor } from "../signals/lines.js";
import { parseClaudeLines, type ClaudeParseState } from "./claude.js";
import { parseCodexLines } from "./codex.js";
import { renderEvents, type RenderOptions } from "./render.js";
import type { Speaker } from "./types.js";

/** Lines → rendered lines, keeping what a format needs across calls (Claude's session id). */
export function renderer(who: Speaker, opts: RenderOptions = {}): (lines: string[]) => string[] {
  const state: ClaudeParseState = {};
  return (lines) => renderEvents(who === "claude" ? parseClaudeLines(lines, state) : parseCodexLines(lines), who, opts);
}

export interface ShowOptions {
  who: Speaker;
  /** How many of the last rendered lines to print first (0: none). */
  lines: number;
  out: (line: string) => void;
  render?: RenderOptions;
}

/** Where a follow continues: the byte offset, and the renderer that has seen what came before. */
export interface Shown extends LinesCursor {
  render: (lines: string[]) => string[];
}

/** Print the last `lines` rendered lines of `file`; returns where a follow continues (undefined: unreadable). */
export function showTranscript(file: string, o: ShowOptions): Shown | undefined {
  const got = readNewLines(file);
  if (!got) return undefined;
  const render = renderer(o.who, o.render);
  const shown = render(got.lines);
  for (const l of o.lines > 0 ? shown.slice(-o.lines) : []) o.out(l);
  return { offset: got.offset, file: got.file, render };
}

export interface FollowOptions extends ShowOptions {
  /** Where to continue (from showTranscript). */
  cursor: Shown;
  signal: AbortSignal;
  pollMs?: number;
  /** Asked every `relocateMs`: the agent's current transcript, if it changed. */
  relocate?: () => string | undefined;
  relocateMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** Poll `file` for appended records and print them rendered, until `signal` aborts. */
export async function followTranscript(file: string, o: FollowOptions): Promise<void> {
  const pollMs = o.pollMs ?? 500;
  const relocateMs = o.relocateMs ?? 5_000;
  let render = o.cursor.render;
  let cursor: LinesCursor = { offset: o.cursor.offset, file: o.cursor.file };
  let lastLocate = Date.now();
  while (!o.signal.aborted) {
    await sleep(pollMs, o.signal);
    if (o.signal.aborted) break;
    const got = readNewLines(file, cursor);
    if (got) {
      if (got.restarted) {
        o.out(`-- ${file} was truncated or replaced: reading it again from its start`);
        render = renderer(o.who, o.render);
      }
      for (const l of render(got.lines)) o.out(l);
      cursor = { offset: got.offset, file: got.file };
    }
    if (o.relocate && Date.now() - lastLocate >= relocateMs) {
      lastLocate = Date.now();
      const next = o.relocate();
      if (next && next !== file) {
        o.out(`-- now following ${next}`);
        file = next;
        cursor = { offset: 0 };
        render = renderer(o.who, o.render);
      }
    }
  }
}
