// A stand-in for the model APIs the real agent CLIs talk to, so `selftest --live` and the e2e test
// can drive Claude Code, Codex and opencode offline and make them show every state the watchdog
// must read (working, idle, limited, ...) on demand. node:http only: it must run wherever the
// package runs, with nothing else installed. Loaded only by `selftest --live` and its tests.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { claudeRateLimitHeaders, type ClaudeRateLimits } from "./claude-limits.js";
import { anthropicToolUse, endsWithToolResult } from "./claude-tools.js";
import { codexRateLimitHeaders, type CodexRateLimits } from "./codex-limits.js";
import { failureReply } from "./failures.js";
import { anthropicReply, chatReply, responsesReply, sendJson } from "./replies.js";
import { SCENARIOS, type ApiKind, type MockRequest, type MockServerOptions, type Scenario } from "./types.js";

export { SCENARIOS, type ApiKind, type MockRequest, type MockServerOptions, type Scenario } from "./types.js";

const DEFAULT_REPLY =
  "Mock reply: I looked at the request and everything is in order. Nothing else needs doing right now.";

export class MockModelServer {
  private server: http.Server;
  private sockets = new Set<Socket>();
  private opts: Required<Omit<MockServerOptions, "onRequest" | "port" | "scenario" | "codexRateLimits" | "claudeRateLimits">>;
  private codexRateLimits?: CodexRateLimits;
  private claudeRateLimits?: ClaudeRateLimits;
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
    this.codexRateLimits = options.codexRateLimits;
    this.claudeRateLimits = options.claudeRateLimits;
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

    if (api === "other") return probe(method, p, parsed, res);
    const scenario = record.scenario;
    if (scenario === "hang") return; // accepted, never answered: the socket stays open until close()
    if (api === "anthropic" && this.claudeRateLimits) {
      // On every reply, success or 429: writeHead's own headers (the 429's rejected claim) win over these.
      const exhausted = scenario === "usage_limit" ? this.opts.limitClaim : undefined;
      for (const [k, v] of Object.entries(claudeRateLimitHeaders(this.claudeRateLimits, this.opts.resetInSeconds, exhausted))) res.setHeader(k, v);
    }
    const failure = failureReply(api, scenario, { ...this.opts, seq: this.seq });
    const limits = api === "responses" && this.codexRateLimits;
    const limitHeaders = limits ? codexRateLimitHeaders(limits, this.opts.resetInSeconds, scenario === "usage_limit") : undefined;
    if (failure) return sendJson(res, { ...failure, headers: { ...failure.headers, ...limitHeaders } });
    const spec = {
      text: this.opts.replyText,
      stream: record.stream,
      model: typeof parsed.model === "string" ? parsed.model : "mock-model",
      id: `${++this.seq}${Date.now().toString(36)}`,
      tokenMs: scenario === "slow" ? this.opts.slowTokenMs : this.opts.tokenMs,
      headers: limitHeaders,
    };
    if (api === "anthropic" && scenario === "tool_use" && !endsWithToolResult(parsed)) return anthropicToolUse(res, spec, parsed);
    if (api === "anthropic") return anthropicReply(res, spec);
    if (api === "responses") return responsesReply(res, spec);
    return chatReply(res, spec);
  }
}

export async function startMockServer(options: MockServerOptions = {}): Promise<MockModelServer> {
  const server = new MockModelServer(options);
  await server.start();
  return server;
}

/** Start-up probes (Claude's `HEAD /api/hello`, model lists, token counts...): answer so nothing fails. */
function probe(method: string, p: string, parsed: Record<string, unknown>, res: http.ServerResponse): void {
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

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

function estimateTokens(parsed: Record<string, unknown>): number {
  return Math.max(1, Math.ceil(JSON.stringify(parsed).length / 4));
}
