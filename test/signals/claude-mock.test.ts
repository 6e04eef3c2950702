// The mock model server's opt-in Claude rate-limit headers (src/selftest/mock-api/claude-limits.ts),
// which Claude Code turns into its statusLine's rate_limits: present only when asked for, on
// ordinary replies and on the usage-limit 429, where the limited window is the one used up.
import { afterEach, describe, expect, it } from "vitest";
import { startMockServer, type MockModelServer } from "../../src/selftest/mock-api/server.js";

let server: MockModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ask = (s: MockModelServer) =>
  fetch(`${s.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "sonnet", stream: false, messages: [] }) });

const unified = (h: Headers) => Object.fromEntries([...h.entries()].filter(([k]) => k.startsWith("anthropic-ratelimit-unified-")));

describe("mock server: Claude's unified rate-limit headers", () => {
  it("are absent unless asked for", async () => {
    server = await startMockServer({ tokenMs: 1 });
    expect(unified((await ask(server)).headers)).toEqual({ "anthropic-ratelimit-unified-status": "allowed" });
  });

  it("ride on an ordinary reply: both windows' utilization, reset (epoch s) and status", async () => {
    server = await startMockServer({ tokenMs: 1, resetInSeconds: 600, claudeRateLimits: { fiveHourUtilization: 0.42, sevenDayUtilization: 0.17 } });
    const now = Math.floor(Date.now() / 1000);
    const h = unified((await ask(server)).headers);
    expect(h).toMatchObject({
      "anthropic-ratelimit-unified-5h-utilization": "0.42",
      "anthropic-ratelimit-unified-5h-status": "allowed",
      "anthropic-ratelimit-unified-7d-utilization": "0.17",
      "anthropic-ratelimit-unified-7d-status": "allowed",
    });
    expect(Number(h["anthropic-ratelimit-unified-5h-reset"]) - now).toBeGreaterThanOrEqual(599);
    expect(Number(h["anthropic-ratelimit-unified-5h-reset"]) - now).toBeLessThanOrEqual(601);
    expect(Number(h["anthropic-ratelimit-unified-7d-reset"]) - now).toBeGreaterThan(5 * 86_400);
  });

  it.each([
    ["five_hour", "5h", "7d"],
    ["seven_day", "7d", "5h"],
  ] as const)("a %s usage limit: that window used up and rejected at the 429's reset, the other allowed", async (claim, used, other) => {
    server = await startMockServer({ scenario: "usage_limit", limitClaim: claim, resetInSeconds: 900, claudeRateLimits: { fiveHourUtilization: 0.5, sevenDayUtilization: 0.5 } });
    const res = await ask(server);
    expect(res.status).toBe(429);
    const h = unified(res.headers);
    expect(h).toMatchObject({
      "anthropic-ratelimit-unified-status": "rejected",
      "anthropic-ratelimit-unified-representative-claim": claim,
      [`anthropic-ratelimit-unified-${used}-utilization`]: "1",
      [`anthropic-ratelimit-unified-${used}-status`]: "rejected",
      [`anthropic-ratelimit-unified-${other}-utilization`]: "0.5",
      [`anthropic-ratelimit-unified-${other}-status`]: "allowed",
    });
    expect(h[`anthropic-ratelimit-unified-${used}-reset`]).toBe(h["anthropic-ratelimit-unified-reset"]);
    await res.text();
  });
});
