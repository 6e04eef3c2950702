// Codex's rollout (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread>.jsonl`) → events. Pure.
// Records as written by 0.169.0 (test/fixtures/signals/codex/): `session_meta` (first line: thread
// id, cwd, cli_version), `event_msg` `item_completed` with a `UserMessage` (what was typed; the
// `response_item` user messages also carry the environment context Codex injects, so they are not
// used) or an `AgentMessage` (the reply), `task_complete` with an `error` (a usage limit:
// `codex_error_info` "usage_limit_exceeded"; a 429 whose retries are spent; a 5xx), `turn_aborted`.
// Tool calls are `response_item`s (`function_call`, `custom_tool_call`, `local_shell_call` and their
// `*_output`s): read by the same names, though the fixtures hold no tool turn yet.
import { limitKind } from "../signals/codex/parse.js";
import { parseJsonLine } from "../signals/lines.js";
import { lineCount, obj, shortInput, str, timeOf, type TranscriptEvent } from "./types.js";

function itemText(content: unknown): string {
  if (!Array.isArray(content)) return "";
  return content
    .map(obj)
    .map((c) => str(c?.text) ?? "")
    .filter(Boolean)
    .join("\n");
}

/** A function call's `arguments` is JSON text: its command or path, else the text itself. */
function callInput(args: unknown): string {
  const text = str(args);
  if (text === undefined) return shortInput(args);
  try {
    return shortInput(JSON.parse(text));
  } catch {
    return shortInput(text);
  }
}

function outputEvent(output: unknown, at: number | undefined): TranscriptEvent {
  // function_call_output.output is text, or (some versions) {content, success}.
  const o = obj(output);
  const text = str(output) ?? str(o?.content) ?? "";
  const failed = o?.success === false;
  return failed ? { kind: "result", lines: lineCount(text), error: text.split("\n")[0] ?? "", at } : { kind: "result", lines: lineCount(text), at };
}

function responseItem(p: Record<string, unknown>, at: number | undefined): TranscriptEvent[] {
  switch (p.type) {
    case "function_call":
      return [{ kind: "tool", name: str(p.name) ?? "?", input: callInput(p.arguments), at }];
    case "custom_tool_call":
      return [{ kind: "tool", name: str(p.name) ?? "?", input: shortInput(p.input), at }];
    case "local_shell_call":
      return [{ kind: "tool", name: "shell", input: shortInput(obj(p.action)), at }];
    case "function_call_output":
    case "custom_tool_call_output":
    case "local_shell_call_output":
      return [outputEvent(p.output, at)];
    default:
      return [];
  }
}

function eventMsg(p: Record<string, unknown>, at: number | undefined): TranscriptEvent[] {
  if (p.type === "item_completed") {
    const item = obj(p.item);
    const text = itemText(item?.content);
    if (!text.trim()) return [];
    if (item?.type === "UserMessage") return [{ kind: "prompt", text, at }];
    if (item?.type === "AgentMessage") return [{ kind: "reply", text, at }];
    return [];
  }
  if (p.type === "task_complete") {
    const err = obj(p.error);
    if (!err) return [];
    const text = str(err.message) ?? "error";
    const limit = limitKind(err.codex_error_info);
    if (limit === "usage") return [{ kind: "limit", text, at }];
    if (limit === "rate") return [{ kind: "limit", label: "rate limit", text, at }];
    return [{ kind: "error", text, at }];
  }
  if (p.type === "turn_aborted") return [{ kind: "notice", text: `turn aborted (${str(p.reason) ?? "no reason given"})`, at }];
  return [];
}

/** The events of these rollout lines, in order; everything else Codex records is skipped. */
export function parseCodexLines(lines: string[]): TranscriptEvent[] {
  const out: TranscriptEvent[] = [];
  for (const line of lines) {
    const r = parseJsonLine(line);
    const p = obj(r?.payload);
    if (!r || !p) continue;
    const at = timeOf(r.timestamp);
    if (r.type === "session_meta") {
      out.push({ kind: "session", id: str(p.id), cwd: str(p.cwd), version: str(p.cli_version), at: timeOf(p.timestamp) ?? at });
    } else if (r.type === "event_msg") {
      out.push(...eventMsg(p, at));
    } else if (r.type === "response_item") {
      out.push(...responseItem(p, at));
    }
  }
  return out;
}
