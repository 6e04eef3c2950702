// A stand-in for the model APIs the real agent CLIs talk to, so `selftest --live` and the e2e test
// can drive Claude Code, Codex and opencode offline and make them show every state the watchdog
// must read (working, idle, limited, ...) on demand. node:http only: it must run wherever the
// package runs, with nothing else installed.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export const SCENARIOS = ["ok", "slow", "usage_limit", "rate_limit", "overloaded", "auth_error", "hang"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Which wire protocol a request spoke. */
export type ApiKind = "anthropic" | "responses" | "chat" | "other";

export interface MockServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  scenario?: Scenario;
  /** The assistant reply, streamed a word at a time. */
  replyText?: string;
  /** Delay between tokens in the "ok" scenario. */
  tokenMs?: number;
  /** Delay between tokens in the "slow" scenario. */
  slowTokenMs?: number;
  /** Seconds until a usage/rate limit resets, as the 429 announces it. */
  resetInSeconds?: number;
  /** Claude's `anthropic-ratelimit-unified-representative-claim` on a usage limit. */
  limitClaim?: "five_hour" | "seven_day";
  /** Called for every request (after it is counted), e.g. for a verbose log. */
  onRequest?: (r: MockRequest) => void;
}

export interface MockRequest {
  method: string;
  path: string;
  api: ApiKind;
  scenario: Scenario;
  at: number;
  /** Whether the client asked for a stream. */
  stream: boolean;
}

const DEFAULT_REPLY =
  "Mock reply: I looked at the request and everything is in order. Nothing else needs doing right now.";

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export class MockModelServer {
  private server: http.Server;
  private sockets = new Set<Socket>();
  private opts: Required<Omit<MockServerOptions, "onRequest" | "port" | "scenario">>;
  private onRequest?: (r: MockRequest) => void;
  private _scenario: Scenario;
  private requestedPort: number;
  private _port = 0;
  private seq = 0;
  /** Every request seen, model calls and probes alike (oldest first). */
  readonly requests: MockRequest[] = [];

  constructor(options: MockServerOptions = {}) {
    this._scenario = options.scenario ?? "ok";
    this.onRequest = options.onRequest;
    this.opts = {
      replyText: options.replyText ?? DEFAULT_REPLY,
      tokenMs: options.tokenMs ?? 40,
      slowTokenMs: options.slowTokenMs ?? 3000,
      resetInSeconds: options.resetInSeconds ?? 7200,
      limitClaim: options.limitClaim ?? "five_hour",
    };
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // A "hang" keeps sockets open forever; close() must be able to drop them.
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.requestedPort = options.port ?? 0;
  }

  /** Listen on 127.0.0.1 only: the mock accepts any key, so it must not be reachable from elsewhere. */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.requestedPort, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this._port = (this.server.address() as AddressInfo).port;
    return this._port;
  }

  get port(): number {
    return this._port;
  }

  /** e.g. http://127.0.0.1:PORT (no trailing slash; append /v1 for OpenAI-style clients). */
  get url(): string {
    return `http://127.0.0.1:${this._port}`;
  }

  get scenario(): Scenario {
    return this._scenario;
  }

  /** Takes effect for the next request; one already streaming keeps its scenario. */
  setScenario(scenario: Scenario, options: Pick<MockServerOptions, "resetInSeconds" | "limitClaim" | "slowTokenMs"> = {}): void {
    if (!SCENARIOS.includes(scenario)) throw new Error(`unknown mock scenario "${scenario}" (${SCENARIOS.join(", ")})`);
    this._scenario = scenario;
    if (options.resetInSeconds !== undefined) this.opts.resetInSeconds = options.resetInSeconds;
    if (options.limitClaim !== undefined) this.opts.limitClaim = options.limitClaim;
    if (options.slowTokenMs !== undefined) this.opts.slowTokenMs = options.slowTokenMs;
  }

  /** Model requests (messages, responses, chat completions) seen so far; probes don't count. */
  get requestCount(): number {
    return this.requests.filter((r) => r.api !== "other").length;
  }

  countFor(api: ApiKind): number {
    return this.requests.filter((r) => r.api === api).length;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const body = method === "POST" || method === "PUT" ? await readBody(req) : "";
    let parsed: Record<string, unknown> = {};
    try {
      parsed = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      // A probe with a non-JSON body is still answered harmlessly below.
    }
    const p = url.pathname.replace(/\/+$/, "");
    const api: ApiKind =
      method === "POST" && /\/v1\/messages$/.test(p)
        ? "anthropic"
        : method === "POST" && /\/responses$/.test(p)
          ? "responses"
          : method === "POST" && /\/chat\/completions$/.test(p)
            ? "chat"
            : "other";
    const record: MockRequest = {
      method,
      path: url.pathname,
      api,
      scenario: this._scenario,
      at: Date.now(),
      stream: parsed.stream === true,
    };
    this.requests.push(record);
    this.onRequest?.(record);

    if (api === "other") return this.probe(method, p, parsed, res);
    const scenario = record.scenario;
    if (scenario === "hang") return; // accepted, never answered: the socket stays open until close()
    const failure = this.failure(api, scenario);
    if (failure) return sendJson(res, failure);
    const tokenMs = scenario === "slow" ? this.opts.slowTokenMs : this.opts.tokenMs;
    const model = typeof parsed.model === "string" ? parsed.model : "mock-model";
    const id = `${++this.seq}${Date.now().toString(36)}`;
    if (api === "anthropic") return this.anthropic(res, record.stream, model, id, tokenMs);
    if (api === "responses") return this.responses(res, model, id, tokenMs);
    return this.chat(res, record.stream, model, id, tokenMs);
  }

  /** Start-up probes (Claude's `HEAD /api/hello`, model lists, token counts...): answer so nothing fails. */
  private probe(method: string, p: string, parsed: Record<string, unknown>, res: http.ServerResponse): void {
    if (method === "HEAD") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end();
      return;
    }
    if (/\/messages\/count_tokens$/.test(p)) return sendJson(res, { status: 200, body: { input_tokens: estimateTokens(parsed) } });
    if (method === "GET" && /\/models$/.test(p)) {
      return sendJson(res, {
        status: 200,
        body: {
          object: "list",
          data: [{ id: "mock-model", object: "model", created: 0, owned_by: "mock", type: "model", display_name: "Mock" }],
          models: [],
          has_more: false,
        },
      });
    }
    sendJson(res, { status: 200, body: {} });
  }

  private failure(api: ApiKind, scenario: Scenario): Reply | undefined {
    const resetIn = this.opts.resetInSeconds;
    const resetsAt = Math.floor(Date.now() / 1000) + resetIn;
    const anthropicError = (status: number, type: string, message: string, headers: Record<string, string> = {}): Reply => ({
      status,
      headers: { "request-id": `req_mock${this.seq}`, ...headers },
      body: { type: "error", error: { type, message } },
    });
    const openaiError = (status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): Reply => ({
      status,
      headers: { "x-request-id": `req_mock${this.seq}`, ...headers },
      body: { error: { code: null, param: null, ...error } },
    });
    switch (scenario) {
      case "usage_limit":
        if (api === "anthropic") {
          // Claude Code shows its usage-limit UI only for these headers (and only with a subscriber login).
          return anthropicError(429, "rate_limit_error", "Usage limit reached.", {
            "anthropic-ratelimit-unified-status": "rejected",
            "anthropic-ratelimit-unified-reset": String(resetsAt),
            "anthropic-ratelimit-unified-representative-claim": this.opts.limitClaim,
            [`anthropic-ratelimit-unified-${this.opts.limitClaim === "seven_day" ? "7d" : "5h"}-status`]: "rejected",
            [`anthropic-ratelimit-unified-${this.opts.limitClaim === "seven_day" ? "7d" : "5h"}-reset`]: String(resetsAt),
          });
        }
        if (api === "responses") {
          return openaiError(429, {
            type: "usage_limit_reached",
            message: "The usage limit has been reached",
            plan_type: "plus",
            resets_at: resetsAt,
            resets_in_seconds: resetIn,
          });
        }
        return openaiError(429, { type: "usage_limit_reached", message: "The usage limit has been reached" });
      case "rate_limit":
        // A plain per-minute rate limit: clients retry it, unlike a usage limit.
        if (api === "anthropic") {
          return anthropicError(429, "rate_limit_error", "This request would exceed the rate limit for your organization (mock-org) of 50 output tokens per minute.", {
            "retry-after": "10",
          });
        }
        return openaiError(
          429,
          {
            type: "rate_limit_exceeded",
            code: "rate_limit_exceeded",
            message: "Rate limit reached for mock-model in organization org-mock on tokens per min (TPM): Limit 1000, Used 1000, Requested 100. Please try again in 10s.",
          },
          { "retry-after": "10" },
        );
      case "overloaded":
        if (api === "anthropic") return anthropicError(529, "overloaded_error", "Overloaded");
        return openaiError(529, { type: "server_error", message: "The server is overloaded. Please try again later." });
      case "auth_error":
        if (api === "anthropic") return anthropicError(401, "authentication_error", "invalid x-api-key");
        return openaiError(401, { type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided: x." });
      default:
        return undefined;
    }
  }

  private async anthropic(res: http.ServerResponse, stream: boolean, model: string, id: string, tokenMs: number): Promise<void> {
    const text = this.opts.replyText;
    const message = {
      id: `msg_mock${id}`,
      type: "message",
      role: "assistant",
      model,
      stop_reason: null as string | null,
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    const limitOk = { "anthropic-ratelimit-unified-status": "allowed", "request-id": `req_mock${id}` };
    if (!stream) {
      await sleep(tokenMs);
      return sendJson(res, {
        status: 200,
        headers: limitOk,
        body: { ...message, content: [{ type: "text", text }], stop_reason: "end_turn", usage: { ...message.usage, output_tokens: countWords(text) } },
      });
    }
    const sse = openSse(res, limitOk);
    sse("message_start", { type: "message_start", message: { ...message, content: [] } });
    sse("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    sse("ping", { type: "ping" });
    for (const piece of words(text)) {
      await sleep(tokenMs);
      if (res.destroyed) return;
      sse("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } });
    }
    sse("content_block_stop", { type: "content_block_stop", index: 0 });
    sse("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: countWords(text) },
    });
    sse("message_stop", { type: "message_stop" });
    res.end();
  }

  /** OpenAI Responses API (Codex): always a stream, which is all Codex asks for. */
  private async responses(res: http.ServerResponse, model: string, id: string, tokenMs: number): Promise<void> {
    const text = this.opts.replyText;
    const respId = `resp_mock${id}`;
    const itemId = `msg_mock${id}`;
    const base = { id: respId, object: "response", created_at: Math.floor(Date.now() / 1000), model, output: [] as unknown[] };
    const sse = openSse(res, { "x-request-id": `req_mock${id}` });
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
      await sleep(tokenMs);
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
  private async chat(res: http.ServerResponse, stream: boolean, model: string, id: string, tokenMs: number): Promise<void> {
    const text = this.opts.replyText;
    const created = Math.floor(Date.now() / 1000);
    const out = countWords(text);
    const usage = { prompt_tokens: 12, completion_tokens: out, total_tokens: 12 + out };
    if (!stream) {
      await sleep(tokenMs);
      return sendJson(res, {
        status: 200,
        body: {
          id: `chatcmpl-mock${id}`,
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
        id: `chatcmpl-mock${id}`,
        object: "chat.completion.chunk",
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      });
    chunk({ role: "assistant", content: "" }, null);
    for (const piece of words(text)) {
      await sleep(tokenMs);
      if (res.destroyed) return;
      chunk({ content: piece }, null);
    }
    chunk({}, "stop");
    sse(undefined, { id: `chatcmpl-mock${id}`, object: "chat.completion.chunk", created, model, choices: [], usage });
    res.write("data: [DONE]\n\n");
    res.end();
  }
}

export async function startMockServer(options: MockServerOptions = {}): Promise<MockModelServer> {
  const server = new MockModelServer(options);
  await server.start();
  return server;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

function sendJson(res: http.ServerResponse, reply: Reply): void {
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

function estimateTokens(parsed: Record<string, unknown>): number {
  return Math.max(1, Math.ceil(JSON.stringify(parsed).length / 4));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
