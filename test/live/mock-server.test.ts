import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MockModelServer, startMockServer } from "../../src/selftest/mock-api/server.js";

let server: MockModelServer;

beforeEach(async () => {
  server = await startMockServer({ replyText: "one two three", tokenMs: 1 });
});

afterEach(async () => {
  await server.close();
});

/** Parse an SSE body into [event, data] pairs. */
function sse(text: string): Array<{ event?: string; data: string }> {
  return text
    .split("\n\n")
    .filter((b) => b.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? "";
      return { event, data };
    });
}

const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${p}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("mock model server", () => {
  it("listens on 127.0.0.1 with a picked port", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("streams an Anthropic Messages reply", async () => {
    const res = await post("/v1/messages", { model: "sonnet", stream: true, messages: [] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = sse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const text = events
      .filter((e) => e.event === "content_block_delta")
      .map((e) => JSON.parse(e.data).delta.text)
      .join("");
    expect(text).toBe("one two three");
    expect(JSON.parse(events[0]!.data).message.model).toBe("sonnet");
    expect(JSON.parse(events[7]!.data).delta.stop_reason).toBe("end_turn");
  });

  it("answers a non-streaming Messages request with one JSON message", async () => {
    const res = await post("/v1/messages", { model: "haiku", messages: [] });
    const body = await res.json();
    expect(body.content).toEqual([{ type: "text", text: "one two three" }]);
    expect(body.stop_reason).toBe("end_turn");
  });

  it("streams an OpenAI Responses reply ending in response.completed", async () => {
    const res = await post("/v1/responses", { model: "mock-model", stream: true });
    const events = sse(await res.text());
    const types = events.map((e) => JSON.parse(e.data).type);
    expect(events.map((e) => e.event)).toEqual(types);
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_item.added");
    expect(types.filter((t) => t === "response.output_text.delta")).toHaveLength(3);
    expect(types.at(-2)).toBe("response.output_item.done");
    expect(types.at(-1)).toBe("response.completed");
    const done = JSON.parse(events.at(-1)!.data);
    expect(done.response.usage.total_tokens).toBe(done.response.usage.input_tokens + done.response.usage.output_tokens);
  });

  it("streams Chat Completions chunks and [DONE]", async () => {
    const res = await post("/v1/chat/completions", { model: "mock-model", stream: true });
    const events = sse(await res.text());
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("one two three");
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true);
  });

  it("answers start-up probes harmlessly and does not count them as model requests", async () => {
    expect((await fetch(`${server.url}/api/hello`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${server.url}/v1/models`)).status).toBe(200);
    expect((await post("/v1/messages/count_tokens", { messages: [] })).status).toBe(200);
    expect((await fetch(`${server.url}/anything/else`)).status).toBe(200);
    expect(server.requestCount).toBe(0);
    expect(server.requests).toHaveLength(4);
    await (await post("/v1/messages", { stream: true })).text();
    await (await post("/v1/responses", { stream: true })).text();
    await (await post("/v1/chat/completions", { stream: true })).text();
    expect(server.requestCount).toBe(3);
    expect([server.countFor("anthropic"), server.countFor("responses"), server.countFor("chat")]).toEqual([1, 1, 1]);
  });

  it("usage_limit: Claude gets the unified rate-limit headers", async () => {
    server.setScenario("usage_limit", { resetInSeconds: 600 });
    const t0 = Math.floor(Date.now() / 1000);
    const res = await post("/v1/messages", { stream: true });
    expect(res.status).toBe(429);
    expect(res.headers.get("anthropic-ratelimit-unified-status")).toBe("rejected");
    expect(res.headers.get("anthropic-ratelimit-unified-representative-claim")).toBe("five_hour");
    const reset = Number(res.headers.get("anthropic-ratelimit-unified-reset"));
    expect(reset).toBeGreaterThanOrEqual(t0 + 600);
    expect(reset).toBeLessThanOrEqual(t0 + 602);
    expect((await res.json()).error.type).toBe("rate_limit_error");
  });

  it("usage_limit: Codex gets usage_limit_reached with the reset", async () => {
    server.setScenario("usage_limit", { resetInSeconds: 5400 });
    const res = await post("/v1/responses", { stream: true });
    expect(res.status).toBe(429);
    const { error } = await res.json();
    expect(error).toMatchObject({ type: "usage_limit_reached", plan_type: "plus", resets_in_seconds: 5400 });
    expect(error.resets_at).toBeGreaterThan(Date.now() / 1000 + 5000);
  });

  it("codexRateLimits: Codex's x-codex-* windows on Responses replies, primary at 100% on a usage limit, none by default", async () => {
    expect((await post("/v1/responses", { stream: true })).headers.get("x-codex-primary-used-percent")).toBeNull();
    const codex = await startMockServer({ tokenMs: 1, resetInSeconds: 600, codexRateLimits: { primaryUsedPct: 42, secondaryUsedPct: 17 } });
    try {
      const ok = await fetch(`${codex.url}/v1/responses`, { method: "POST", body: JSON.stringify({ stream: true }) });
      await ok.text();
      expect(ok.headers.get("x-codex-primary-used-percent")).toBe("42");
      expect(ok.headers.get("x-codex-primary-window-minutes")).toBe("300");
      expect(Number(ok.headers.get("x-codex-primary-reset-at"))).toBeGreaterThan(Date.now() / 1000 + 500);
      expect(ok.headers.get("x-codex-secondary-used-percent")).toBe("17");
      expect(ok.headers.get("x-codex-secondary-window-minutes")).toBe("10080");
      codex.setScenario("usage_limit");
      const limited = await fetch(`${codex.url}/v1/responses`, { method: "POST", body: "{}" });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("x-codex-primary-used-percent")).toBe("100");
      expect((await fetch(`${codex.url}/v1/messages`, { method: "POST", body: "{}" })).headers.get("x-codex-primary-used-percent")).toBeNull();
    } finally {
      await codex.close();
    }
  });

  it("a weekly claim can be chosen", async () => {
    server.setScenario("usage_limit", { limitClaim: "seven_day" });
    const res = await post("/v1/messages", {});
    expect(res.headers.get("anthropic-ratelimit-unified-representative-claim")).toBe("seven_day");
  });

  it("rate_limit, overloaded and auth_error fail with 429, 529 and 401", async () => {
    server.setScenario("rate_limit");
    const rl = await post("/v1/messages", {});
    expect(rl.status).toBe(429);
    expect(rl.headers.get("anthropic-ratelimit-unified-status")).toBeNull();
    expect((await post("/v1/chat/completions", {})).status).toBe(429);
    server.setScenario("overloaded");
    const ov = await post("/v1/messages", {});
    expect(ov.status).toBe(529);
    expect((await ov.json()).error.type).toBe("overloaded_error");
    server.setScenario("auth_error");
    expect((await post("/v1/messages", {})).status).toBe(401);
    expect((await post("/v1/responses", {})).status).toBe(401);
  });

  it("slow streams a token per slowTokenMs", async () => {
    server.setScenario("slow", { slowTokenMs: 120 });
    const t0 = Date.now();
    await (await post("/v1/chat/completions", { stream: true })).text();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * 120 - 20);
  });

  it("hang accepts a request and never answers; close() still returns", async () => {
    server.setScenario("hang");
    const pending = post("/v1/messages", { stream: true }).catch((e: Error) => e);
    const settled = await Promise.race([pending.then(() => "answered"), new Promise((r) => setTimeout(() => r("hung"), 300))]);
    expect(settled).toBe("hung");
    expect(server.requestCount).toBe(1);
    await server.close();
    expect(await pending).toBeInstanceOf(Error);
    server = await startMockServer(); // for afterEach
  });

  it("rejects an unknown scenario", () => {
    expect(() => server.setScenario("nope" as never)).toThrow(/unknown mock scenario/);
  });
});
