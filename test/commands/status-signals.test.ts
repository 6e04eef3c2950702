// `status` shows what the agents' own records say (issue 11): the conversation id, cost, context
// and tokens per agent, and the evidence behind each status with any drift, in the table and in
// --json; a fleet without any tap keeps its old table.
import { describe, expect, it } from "vitest";
import { status } from "../../src/commands/status.js";
import { writeSessionId } from "../../src/state/session-id.js";
import { writeWatchdogState } from "../../src/state/watchdog-state.js";
import { emptyState } from "../../src/watchdog/types.js";
import { FakeTmux, fakeCtx } from "../helpers/fake-tmux.js";
import { BASE, fleetFrom } from "../watchdog/helpers.js";

const TOML = `${BASE}
[[agent]]
name = "c"
backend = "claude"
watch = "heal+stall"
[[agent]]
name = "x"
backend = "codex"
[[agent]]
name = "d"
`;

function run(withSignals: boolean) {
  const fleet = fleetFrom(TOML);
  const now = Date.now();
  const fake = new FakeTmux();
  const sec = Math.floor(now / 1000);
  // A watchdog session under 30 s old counts as running, so its state is shown.
  fake.add(fleet.watchdogSession, { created: sec, command: "node" });
  for (const s of ["t-c", "t-x", "t-d"]) fake.add(s, { created: sec - 60, command: "node" });
  const state = emptyState();
  state.heartbeat = now;
  const status0 = { state: "working" as const, reason: "screen: active_re", since: now - 5_000 };
  state.agents.c = {
    lastActive: now,
    restarts: [],
    status: { ...status0, evidence: { screen: "working (active_re)", signal: "idle (claude, 14s old)", chosen: "signal" }, drift: true },
    signal: withSignals ? { source: "claude", at: now - 14_000, sessionId: "0b6a2f9e-7c1d-4d38-9f0e-2c5e8a1b3d47", costUsd: 1.234, contextPct: 41.6, tokens: { input: 900, output: 100, total: 1000 } } : undefined,
  };
  state.agents.d = { lastActive: now, restarts: [], status: status0 };
  writeWatchdogState(fleet, state);
  if (withSignals) writeSessionId(fleet, "x", "01a2357a-ff5b-7851-bbcc-3b8fa6a569a0");
  const { ctx, out } = fakeCtx(fleet, fake);
  return { ctx, out };
}

describe("status with signals", () => {
  it("--json rows carry session_id, cost_usd, context_pct, tokens, and the status's evidence and drift", async () => {
    const { ctx, out } = run(true);
    expect(await status(ctx, true)).toBe(0);
    const rows = JSON.parse(out.join("\n")).rows as Record<string, unknown>[];
    const c = rows.find((r) => r.name === "c")!;
    expect(c).toMatchObject({
      session_id: "0b6a2f9e-7c1d-4d38-9f0e-2c5e8a1b3d47",
      cost_usd: 1.234,
      context_pct: 41.6,
      tokens: { input: 900, output: 100, total: 1000 },
      status: { state: "working", evidence: { screen: "working (active_re)", signal: "idle (claude, 14s old)", chosen: "signal" }, drift: true },
    });
    // Codex: the thread id stored from its rollout, before the watchdog has read any cost.
    expect(rows.find((r) => r.name === "x")).toMatchObject({ session_id: "01a2357a-ff5b-7851-bbcc-3b8fa6a569a0" });
    expect(rows.find((r) => r.name === "d")).not.toHaveProperty("session_id");
  });

  it("the table grows COST and CTX columns when an agent reports them, and marks drift", async () => {
    const { ctx, out } = run(true);
    await status(ctx, false);
    expect(out[0]).toMatch(/^NAME\s+KIND\s+BACKEND\s+MODEL\s+WATCH\s+SESSION\s+COST\s+CTX\s+DOING$/);
    expect(out.find((l) => l.startsWith("c "))).toMatch(/\$1\.23\s+42%\s+working \[drift\]$/);
    expect(out.find((l) => l.startsWith("d "))).toMatch(/running\s+-\s+-\s+working$/);
  });

  it("without any record the table is as before", async () => {
    const { ctx, out } = run(false);
    await status(ctx, false);
    expect(out[0]).toMatch(/^NAME\s+KIND\s+BACKEND\s+MODEL\s+WATCH\s+SESSION\s+DOING$/);
  });
});
