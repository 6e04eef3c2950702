// decide weighs two witnesses (issue 11): the screen and the agent's own record. Fresh structured
// state wins, the screen is the fallback, a lasting disagreement is a detection-drift, and a
// screen whose text keeps changing is activity whatever the regexes make of it.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/watchdog/decide.js";
import type { Action, SignalReading } from "../../src/watchdog/types.js";
import { BASE, T0, UNKNOWN, fleetFrom, pane, reading, snap, stateWith } from "./helpers.js";

const FLEET = fleetFrom(`${BASE}
[watchdog]
drift_after = 10
signal_interval = 30
[[agent]]
name = "s"
watch = "heal+stall"
`);

const sig = (over: Partial<SignalReading>): SignalReading => ({ source: "claude", at: T0 - 5_000, grewAt: T0 - 5_000, ...over });
const notes = (actions: Action[], event: string) => actions.filter((a) => a.type === "note" && a.event === event);

describe("evidence: which witness decides", () => {
  const rows: { name: string; screen: ReturnType<typeof reading>; signal?: SignalReading; state: string; chosen: string; created?: number }[] = [
    { name: "fresh working record over an idle screen: working", screen: reading("idle"), signal: sig({ state: "working" }), state: "working", chosen: "signal" },
    {
      name: "a working record 2 minutes old is stale: the screen decides",
      screen: reading("idle"),
      signal: sig({ state: "working", at: T0 - 120_000, grewAt: T0 - 120_000 }),
      state: "idle",
      chosen: "screen",
    },
    {
      name: "an idle record stays true until the next one, however old",
      screen: reading("unknown"),
      signal: sig({ state: "idle", at: T0 - 3_000_000, grewAt: T0 - 3_000_000 }),
      created: T0 / 1000 - 4_000,
      state: "idle",
      chosen: "signal",
    },
    { name: "no record: the screen", screen: reading("working"), state: "working", chosen: "screen" },
    { name: "a fatal screen is the screen's to see", screen: reading("fatal", { line: "API Error" }), signal: sig({ state: "idle" }), state: "fatal", chosen: "screen" },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const p = pane("t-s", r.created !== undefined ? { created: r.created } : {});
      const d = decide(FLEET, snap({ panes: [p], screens: { "t-s": r.screen }, signals: r.signal ? { s: r.signal } : {} }), stateWith());
      expect(d.state.agents.s!.status.state).toBe(r.state);
      expect(d.state.agents.s!.status.evidence?.chosen).toBe(r.chosen);
    });
  }

  it("a working record stays believed while the screen keeps moving (Codex streams without writing)", () => {
    const working = sig({ state: "working", at: T0 - 120_000, grewAt: T0 - 120_000 });
    const p = pane("t-s", { created: T0 / 1000 - 1000 });
    const st = stateWith({ s: { lastActive: T0 - 5000, restarts: [], status: UNKNOWN, screenHash: "h1" } });
    const moving = decide(FLEET, snap({ panes: [p], screens: { "t-s": reading("idle") }, signals: { s: working }, hashes: { "t-s": "h2" } }), st);
    expect(moving.state.agents.s!.status).toMatchObject({ state: "working", evidence: { chosen: "signal" } });
    // The screen then stops: past the fresh window with nothing moving, the screen decides.
    const still = decide(FLEET, snap({ now: T0 + 61_000, panes: [p], screens: { "t-s": reading("idle") }, signals: { s: working }, hashes: { "t-s": "h2" } }), moving.state);
    expect(still.state.agents.s!.status).toMatchObject({ state: "idle", evidence: { chosen: "screen" } });
  });

  it("a record older than this launch's pane is the previous run's: ignored", () => {
    const old = sig({ state: "limited", at: T0 - 200_000, grewAt: T0 - 200_000, limit: { resetsAt: T0 + 3600_000 } });
    const d = decide(FLEET, snap({ panes: [pane("t-s")], screens: { "t-s": reading("working") }, signals: { s: old } }), stateWith());
    expect(d.state.agents.s!.status.state).toBe("working");
    expect(d.state.agents.s!.status.evidence).toEqual({ screen: "working (test)", chosen: "screen" });
  });

  it("status keeps the record's conversation, cost and context", () => {
    const s = sig({ state: "idle", sessionId: "abc", costUsd: 0.42, contextPct: 17, tokens: { total: 1234 } });
    const d = decide(FLEET, snap({ panes: [pane("t-s")], screens: { "t-s": reading("idle") }, signals: { s } }), stateWith());
    expect(d.state.agents.s!.signal).toEqual({ source: "claude", at: T0 - 5_000, sessionId: "abc", costUsd: 0.42, contextPct: 17, tokens: { total: 1234 } });
  });
});

describe("detection-drift", () => {
  const spec = (now: number) => ({ now, panes: [pane("t-s")], screens: { "t-s": reading("working", { rule: "active_re" }) }, signals: { s: sig({ state: "idle", at: T0 }) } });

  it("a disagreement shorter than drift_after is not logged; longer, once, with both readings and the screen", () => {
    const first = decide(FLEET, snap(spec(T0)), stateWith());
    expect(notes(first.actions, "detection-drift")).toEqual([]);
    expect(first.deadline?.at).toBe(T0 + 10_000);
    expect(first.state.agents.s!.status.drift).toBeUndefined();
    const later = decide(FLEET, snap(spec(T0 + 10_000)), first.state);
    const n = notes(later.actions, "detection-drift");
    expect(n).toEqual([
      expect.objectContaining({
        agent: "s",
        level: "warn",
        saveScreen: true,
        evidence: { screen: "working (active_re)", signal: "idle (claude, 10s old)", chosen: "signal" },
      }),
    ]);
    expect(later.state.agents.s!.status).toMatchObject({ state: "idle", drift: true });
    const again = decide(FLEET, snap(spec(T0 + 20_000)), later.state);
    expect(notes(again.actions, "detection-drift")).toEqual([]);
    expect(again.state.agents.s!.status.drift).toBe(true);
  });

  it("agreement ends the episode", () => {
    const first = decide(FLEET, snap(spec(T0)), stateWith());
    const agree = decide(FLEET, snap({ ...spec(T0 + 5_000), screens: { "t-s": reading("idle") } }), first.state);
    expect(agree.state.agents.s!.drift).toBeUndefined();
    const back = decide(FLEET, snap(spec(T0 + 12_000)), agree.state);
    expect(notes(back.actions, "detection-drift")).toEqual([]);
  });
});

describe("a changing screen is activity", () => {
  const DEMO = fleetFrom(`${BASE}
[backend.demo]
active_re = "NEVERMATCHES"
stall_idle = 60
[[agent]]
name = "s"
watch = "heal+stall"
`);
  it("an idle-looking screen whose text changed is not a stall; the same text for stall_idle is", () => {
    const st = stateWith({ s: { lastActive: T0 - 500_000, restarts: [], status: UNKNOWN, screenHash: "h1" } });
    const moving = decide(DEMO, snap({ panes: [pane("t-s")], screens: { "t-s": reading("unknown") }, hashes: { "t-s": "h2" } }), st);
    expect(moving.actions).toEqual([]);
    expect(moving.state.agents.s!.lastActive).toBe(T0);
    const still = decide(DEMO, snap({ now: T0 + 61_000, panes: [pane("t-s")], screens: { "t-s": reading("unknown") }, hashes: { "t-s": "h2" } }), moving.state);
    expect(still.actions).toEqual([expect.objectContaining({ type: "start", agent: "s", reason: "idle 61s with no WAITING-UNTIL marker" })]);
  });
  it("a screen that moves under a record saying idle is a clock, not work", () => {
    const st = stateWith({ s: { lastActive: T0 - 500_000, restarts: [], status: UNKNOWN, screenHash: "h1" } });
    const idle = { source: "claude", at: T0 - 400_000, grewAt: T0 - 400_000, state: "idle" as const };
    const d = decide(DEMO, snap({ panes: [pane("t-s", { created: T0 / 1000 - 1000 })], screens: { "t-s": reading("idle") }, hashes: { "t-s": "h2" }, signals: { s: idle } }), st);
    // Idle since its record last grew, 400 s > stall_idle: rebooted (a moving screen would have saved it).
    expect(d.actions).toEqual([expect.objectContaining({ type: "start", agent: "s", reason: "idle 400s with no WAITING-UNTIL marker" })]);
  });
  it("a record that grew is activity too", () => {
    const st = stateWith({ s: { lastActive: T0 - 500_000, restarts: [], status: UNKNOWN } });
    const d = decide(DEMO, snap({ panes: [pane("t-s")], screens: { "t-s": reading("idle") }, signals: { s: sig({ state: "idle", grewAt: T0 - 2_000 }) } }), st);
    expect(d.actions).toEqual([]);
    expect(d.state.agents.s!.lastActive).toBe(T0 - 2_000);
  });
});
