// `status` shows each account (issue 11 item 4): its agents, usage and reset from the freshest
// record, and the watchdog's hold; each agent row names its account.
import { describe, expect, it } from "vitest";
import { accountsLine, accountsOf } from "../../src/commands/accounts.js";
import { status } from "../../src/commands/status.js";
import { writeWatchdogState } from "../../src/state/watchdog-state.js";
import { emptyState } from "../../src/watchdog/types.js";
import { FakeTmux, fakeCtx } from "../helpers/fake-tmux.js";
import { BASE, fleetFrom } from "../watchdog/helpers.js";

const TOML = `${BASE}
[[agent]]
name = "c"
backend = "claude"
account = "claude:/acct"
[[agent]]
name = "c2"
backend = "claude"
account = "claude:/acct"
[[agent]]
name = "d"
account = "plain"
`;

const R1 = Date.parse("2026-12-02T19:50:00Z");

describe("accountsOf", () => {
  const agents = [
    { name: "a", account: "x" },
    { name: "b", account: "x" },
    { name: "c", account: "y" },
  ];
  it("groups agents; usage from the freshest record's most-used window; the hold", () => {
    const signals = {
      a: { source: "claude", at: 1000, rateLimits: [{ name: "five_hour", usedPct: 10, resetsAt: R1 }] },
      b: { source: "claude", at: 2000, rateLimits: [{ name: "five_hour", usedPct: 40, resetsAt: R1 }, { name: "seven_day", usedPct: 83, resetsAt: R1 + 86400_000 }] },
      c: { source: "codex", at: 3000 },
    };
    const out = accountsOf(agents, signals, { x: { since: 0, until: R1 + 45_000, agent: "b", reason: "usage limit" } });
    expect(out).toEqual([
      { id: "x", agents: ["a", "b"], usedPct: 83, resetsAt: "2026-12-03T19:50:00Z", held: true, until: "2026-12-02T19:50:45Z" },
      { id: "y", agents: ["c"], held: false },
    ]);
    expect(accountsLine(out)).toBe("accounts: x 83% (resets 2026-12-03T19:50:00Z) HELD until 2026-12-02T19:50:45Z");
    expect(accountsLine([{ id: "y", agents: ["c"], held: false }])).toBeUndefined();
  });
});

describe("status: accounts", () => {
  function run(withData: boolean) {
    const fleet = fleetFrom(TOML);
    const now = Date.now();
    const fake = new FakeTmux();
    const sec = Math.floor(now / 1000);
    fake.add(fleet.watchdogSession, { created: sec, command: "node" });
    for (const s of ["t-c", "t-c2", "t-d"]) fake.add(s, { created: sec - 60, command: "node" });
    const state = emptyState();
    state.heartbeat = now;
    const st = { state: "working" as const, reason: "screen", since: now - 5_000 };
    state.agents.c = { lastActive: now, restarts: [], status: st, signal: withData ? { source: "claude", at: now, rateLimits: [{ name: "five_hour", usedPct: 100, resetsAt: R1 }] } : undefined };
    state.agents.c2 = { lastActive: now, restarts: [], status: st };
    if (withData) state.accounts = { "claude:/acct": { since: now, until: R1 + 45_000, agent: "c", reason: "usage limit" } };
    writeWatchdogState(fleet, state);
    const { ctx, out } = fakeCtx(fleet, fake);
    return { ctx, out };
  }

  it("--json: accounts[] and each row's account", async () => {
    const { ctx, out } = run(true);
    await status(ctx, true);
    const doc = JSON.parse(out.join("\n"));
    expect(doc.accounts).toEqual([
      { id: "claude:/acct", agents: ["c", "c2"], usedPct: 100, resetsAt: "2026-12-02T19:50:00Z", held: true, until: "2026-12-02T19:50:45Z" },
      { id: "plain", agents: ["d"], held: false },
    ]);
    expect(doc.rows.find((r: { name: string }) => r.name === "c2").account).toBe("claude:/acct");
  });

  it("the table has an accounts: line only when an account has data", async () => {
    const a = run(true);
    await status(a.ctx, false);
    expect(a.out).toContain("accounts: claude:/acct 100% (resets 2026-12-02T19:50:00Z) HELD until 2026-12-02T19:50:45Z");
    const b = run(false);
    await status(b.ctx, false);
    expect(b.out.some((l) => l.startsWith("accounts:"))).toBe(false);
  });
});
