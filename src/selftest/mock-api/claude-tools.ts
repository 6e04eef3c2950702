// Scenario "tool_use" for Claude Code: the model asks for one read-only tool call (Read of the
// project's README.md, allowed without a prompt in every permission mode), and once the request
// carries its result, answers with the ordinary text. Enough for Claude to run its
// PreToolUse/PostToolUse hooks. (2.1.330 offers no Glob tool: Read, Bash, Edit, Write, Agent, ...)
import type http from "node:http";
import type { ReplySpec } from "./replies.js";

/** Whether the conversation's last message is the user's tool result (the model then just answers). */
export function endsWithToolResult(body: Record<string, unknown>): boolean {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
  const last = messages.at(-1);
  return Array.isArray(last?.content) && (last.content as Array<Record<string, unknown>>).some((c) => c.type === "tool_result");
}

/** The project folder, as Claude's system prompt states it ("Primary working directory: /x"). */
export function workingDirOf(body: Record<string, unknown>): string | undefined {
  return /Primary working directory: (\/[^\s"\\]*)/.exec(JSON.stringify(body))?.[1];
}

/** A streamed assistant turn that ends in one tool_use block (stop_reason "tool_use"). */
export async function anthropicToolUse(res: http.ServerResponse, r: ReplySpec, body: Record<string, unknown>): Promise<void> {
  const input = JSON.stringify({ file_path: `${workingDirOf(body) ?? "."}/README.md` });
  // A stream of its own rather than replies.ts's: the headers set on `res` (rate limits) still apply.
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": `req_mock${r.id}` });
  const sse = (event: string, data: Record<string, unknown>) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  sse("message_start", {
    message: {
      id: `msg_mock${r.id}`,
      type: "message",
      role: "assistant",
      model: r.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
  sse("content_block_start", { index: 0, content_block: { type: "tool_use", id: `toolu_mock${r.id}`, name: "Read", input: {} } });
  await new Promise((ok) => setTimeout(ok, r.tokenMs));
  sse("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: input } });
  sse("content_block_stop", { index: 0 });
  sse("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 8 } });
  sse("message_stop", {});
  res.end();
}
