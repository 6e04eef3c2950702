// The successful replies of the mock model server, one per wire protocol: the assistant text is
// streamed a word at a time (tokenMs apart), the way each real API frames it.
import type http from "node:http";
import type { Reply } from "./types.js";

export interface ReplySpec {
  /** The assistant's text. */
  text: string;
  /** Whether the client asked for a stream (Responses always streams). */
  stream: boolean;
  model: string;
  /** Unique per request, for message/response ids. */
  id: string;
  /** Delay before each streamed piece. */
  tokenMs: number;
  /** Extra response headers (Codex's rate-limit headers). */
  headers?: Record<string, string>;
}

/** Anthropic Messages (Claude Code). */
export async function anthropicReply(res: http.ServerResponse, r: ReplySpec): Promise<void> {
  const message = {
    id: `msg_mock${r.id}`,
    type: "message",
    role: "assistant",
    model: r.model,
    stop_reason: null as string | null,
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
  const limitOk = { "anthropic-ratelimit-unified-status": "allowed", "request-id": `req_mock${r.id}` };
  if (!r.stream) {
    await sleep(r.tokenMs);
    return sendJson(res, {
      status: 200,
      headers: limitOk,
      body: { ...message, content: [{ type: "text", text: r.text }], stop_reason: "end_turn", usage: { ...message.usage, output_tokens: countWords(r.text) } },
    });
  }
  const sse = openSse(res, limitOk);
  sse("message_start", { type: "message_start", message: { ...message, content: [] } });
  sse("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
  sse("ping", { type: "ping" });
  for (const piece of words(r.text)) {
    await sleep(r.tokenMs);
    if (res.destroyed) return;
    sse("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } });
  }
  sse("content_block_stop", { type: "content_block_stop", index: 0 });
  sse("message_delta", {
    type: "message_delta",
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: { output_tokens: countWords(r.text) },
  });
  sse("message_stop", { type: "message_stop" });
  res.end();
}

/** OpenAI Responses API (Codex): always a stream, which is all Codex asks for. */
export async function responsesReply(res: http.ServerResponse, r: ReplySpec): Promise<void> {
  const text = r.text;
  const respId = `resp_mock${r.id}`;
  const itemId = `msg_mock${r.id}`;
  const base = { id: respId, object: "response", created_at: Math.floor(Date.now() / 1000), model: r.model, output: [] as unknown[] };
  const sse = openSse(res, { "x-request-id": `req_mock${r.id}`, ...r.headers });
  let n = 0;
  const send = (type: string, data: Record<string, unknown>) => sse(type, { type, sequence_number: n++, ...data });
  send("response.created", { response: { ...base, status: "in_progress" } });
  send("response.in_progress", { response: { ...base, status: "in_progress" } });
  send("response.output_item.added", {
    output_index: 0,
    item: { id: itemId, type: "message", role: "assistant", status: "in_progress", content: [] },
  });
  send("response.content_part.added", {
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    part: { type: "output_text", text: "", annotations: [] },
  });
  for (const piece of words(text)) {
    await sleep(r.tokenMs);
    if (res.destroyed) return;
    send("response.output_text.delta", { item_id: itemId, output_index: 0, content_index: 0, delta: piece });
  }
  const part = { type: "output_text", text, annotations: [] };
  send("response.output_text.done", { item_id: itemId, output_index: 0, content_index: 0, text });
  send("response.content_part.done", { item_id: itemId, output_index: 0, content_index: 0, part });
  const item = { id: itemId, type: "message", role: "assistant", status: "completed", content: [part] };
  send("response.output_item.done", { output_index: 0, item });
  const out = countWords(text);
  send("response.completed", {
    response: {
      ...base,
      status: "completed",
      output: [item],
      usage: {
        input_tokens: 12,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: out,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 12 + out,
      },
    },
  });
  res.end();
}

/** Chat Completions (opencode via @ai-sdk/openai-compatible). */
export async function chatReply(res: http.ServerResponse, r: ReplySpec): Promise<void> {
  const { text, model } = r;
  const created = Math.floor(Date.now() / 1000);
  const out = countWords(text);
  const usage = { prompt_tokens: 12, completion_tokens: out, total_tokens: 12 + out };
  if (!r.stream) {
    await sleep(r.tokenMs);
    return sendJson(res, {
      status: 200,
      body: {
        id: `chatcmpl-mock${r.id}`,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage,
      },
    });
  }
  const sse = openSse(res, {});
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
    sse(undefined, {
      id: `chatcmpl-mock${r.id}`,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    });
  chunk({ role: "assistant", content: "" }, null);
  for (const piece of words(text)) {
    await sleep(r.tokenMs);
    if (res.destroyed) return;
    chunk({ content: piece }, null);
  }
  chunk({}, "stop");
  sse(undefined, { id: `chatcmpl-mock${r.id}`, object: "chat.completion.chunk", created, model, choices: [], usage });
  res.write("data: [DONE]\n\n");
  res.end();
}

export function sendJson(res: http.ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
    ...(reply.headers ?? {}),
  });
  res.end(payload);
}

function openSse(res: http.ServerResponse, headers: Record<string, string>): (event: string | undefined, data: unknown) => void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
    ...headers,
  });
  res.flushHeaders();
  return (event, data) => {
    if (res.destroyed) return;
    res.write(`${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`);
  };
}

/** Word-sized pieces that keep their spacing, so the streamed text reassembles exactly. */
function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text];
}

function countWords(text: string): number {
  return words(text).length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
