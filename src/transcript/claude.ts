// Claude Code's transcript (`<config>/projects/<folder>/<session id>.jsonl`) → events. Pure.
// Records as written by 2.1.330 (test/fixtures/signals/claude/2.1.330/transcript-limit-offer.jsonl):
// `user` (message.content: the typed prompt as a string, or an array holding `tool_result`s),
// `assistant` (message.content: `text` and `tool_use` blocks; an API error such as a usage limit
// is an assistant record with `isApiErrorMessage` and its text), `system` (`informational` notices
// such as the auto-continue offer; hook summaries and turn durations are bookkeeping).
import { parseJsonLine } from "../signals/lines.js";
import { lineCount, obj, shortInput, str, timeOf, type TranscriptEvent } from "./types.js";

/** Memory across calls (a followed transcript is parsed a few lines at a time). */
export interface ClaudeParseState {
  sessionId?: string;
}

function blocks(content: unknown): Record<string, unknown>[] {
  return Array.isArray(content) ? content.map(obj).filter((b): b is Record<string, unknown> => b !== undefined) : [];
}

/** A tool result's content: a string, or text blocks. */
function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  return blocks(content)
    .map((b) => str(b.text) ?? "")
    .join("\n");
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  return blocks(content)
    .filter((b) => b.type === "text")
    .map((b) => str(b.text) ?? "")
    .join("\n");
}

const LIMIT = /usage limit|rate limit|hit your .*limit|limit reached|resets? /i;

function userEvents(r: Record<string, unknown>, at: number | undefined): TranscriptEvent[] {
  if (r.isMeta === true) return [];
  const content = obj(r.message)?.content;
  if (typeof content === "string") return content.trim() ? [{ kind: "prompt", text: content, at }] : [];
  const out: TranscriptEvent[] = [];
  for (const b of blocks(content)) {
    if (b.type === "tool_result") {
      const text = resultText(b.content);
      out.push(b.is_error === true ? { kind: "result", lines: lineCount(text), error: text.split("\n")[0] ?? "", at } : { kind: "result", lines: lineCount(text), at });
    } else if (b.type === "text" && str(b.text)?.trim()) {
      out.push({ kind: "prompt", text: str(b.text)!, at });
    }
  }
  return out;
}

function assistantEvents(r: Record<string, unknown>, at: number | undefined): TranscriptEvent[] {
  const content = obj(r.message)?.content;
  if (r.isApiErrorMessage === true || r.error !== undefined) {
    const text = textOf(content) || str(r.error) || "API error";
    const limit = r.error === "rate_limit" || /limit/i.test(str(r.apiError) ?? "") || LIMIT.test(text);
    return [{ kind: limit ? "limit" : "error", text, at }];
  }
  const out: TranscriptEvent[] = [];
  for (const b of blocks(content)) {
    if (b.type === "text" && str(b.text)?.trim()) out.push({ kind: "reply", text: str(b.text)!, at });
    else if (b.type === "tool_use") out.push({ kind: "tool", name: str(b.name) ?? "?", input: shortInput(b.input), at });
  }
  return out;
}

/** The events of these transcript lines, in order; unknown and bookkeeping records are skipped. */
export function parseClaudeLines(lines: string[], state: ClaudeParseState = {}): TranscriptEvent[] {
  const out: TranscriptEvent[] = [];
  for (const line of lines) {
    const r = parseJsonLine(line);
    if (!r) continue;
    const at = timeOf(r.timestamp);
    const sid = str(r.sessionId);
    if ((r.type === "user" || r.type === "assistant") && sid && sid !== state.sessionId) {
      state.sessionId = sid;
      out.push({ kind: "session", id: sid, cwd: str(r.cwd), version: str(r.version), at });
    }
    if (r.type === "user") out.push(...userEvents(r, at));
    else if (r.type === "assistant") out.push(...assistantEvents(r, at));
    else if (r.type === "system" && r.subtype === "informational" && str(r.content)) {
      out.push({ kind: "notice", text: str(r.content)!, at });
    }
  }
  return out;
}
