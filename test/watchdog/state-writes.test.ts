// When the watchdog state file is written: a change that matters at once, the moving parts
// (heartbeat, lastActive, screen hash, reason text) at most every STATE_BEAT_MS.
import { describe, expect, it } from "vitest";
import { STATE_BEAT_MS, stateKey, stateWriteDue } from "../../src/watchdog/state-writes.js";

const base = () => ({
  version: 1,
  heartbeat: 1000,
  lastTickMs: 3,
  agents: { a: { lastActive: 900, screenHash: "x", restarts: [] as number[], status: { state: "working", reason: "working (active_re)", since: 10 } } },
  handoff: { inboxes: {} },
});

describe("stateKey / stateWriteDue", () => {
  const k0 = stateKey(base());
  it.each<[string, (s: ReturnType<typeof base>) => void, boolean]>([
    ["the heartbeat and tick time", (s) => Object.assign(s, { heartbeat: 2000, lastTickMs: 5 }), false],
    ["lastActive, the screen hash, the reason text", (s) => Object.assign(s.agents.a, { lastActive: 1900, screenHash: "y", status: { ...s.agents.a.status, reason: "working 3s" } }), false],
    ["the agent's state", (s) => (s.agents.a.status.state = "idle"), true],
    ["a restart", (s) => s.agents.a.restarts.push(1500), true],
    ["a new agent", (s) => Object.assign(s.agents, { b: { lastActive: 1, restarts: [] } }), true],
  ])("%s: written at once = %s", (_name, change, atOnce) => {
    const s = base();
    change(s);
    expect(stateWriteDue(stateKey(s), { key: k0, at: 5000 }, 5000 + 10)).toBe(atOnce);
  });

  it("writes the first time and when the last write is STATE_BEAT_MS old", () => {
    expect(stateWriteDue(k0, undefined, 0)).toBe(true);
    expect(stateWriteDue(k0, { key: k0, at: 5000 }, 5000 + STATE_BEAT_MS - 1)).toBe(false);
    expect(stateWriteDue(k0, { key: k0, at: 5000 }, 5000 + STATE_BEAT_MS)).toBe(true);
  });
});
