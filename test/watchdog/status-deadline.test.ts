// decide's structured status ({ state, reason, since, until }) and the deadline it hands the loop.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/watchdog/decide.js";
import { sleepMs } from "../../src/watchdog/loop.js";
import { AGENT_STATES } from "../../src/state/watchdog-state.js";
import { BASE, T0, UNKNOWN, fleetFrom, pane, reading, snap, stateWith } from "./helpers.js";

const FLEET = fleetFrom(`${BASE}
[watchdog]
stall_grace = 60
limit_probe_fallback = 3
restart_backoff = 10
[backend.demo]
stall_idle = 300
[[agent]]
name = "s"
watch = "heal+stall"
[[agent]]
name = "w"
watch = "none"
wake = { interval = 600, prompt_file = "prompts/wake.md" }
`);
const panes = [pane("t-s"), pane("t-w")];

describe("structured status", () => {
  const rows: { name: string; screen?: Parameters<typeof reading>[0]; over?: Parameters<typeof reading>[1]; state: string; until?: number }[] = [
    { name: "working", screen: "working", state: "working" },
    { name: "idle at its prompt", screen: "idle", state: "idle" },
    { name: "idle with a WAITING-UNTIL", screen: "idle", over: { waitingUntil: T0 + 60_000 }, state: "waiting", until: T0 + 60_000 },
    { name: "a dialog", screen: "dialog", state: "dialog" },
    { name: "unknown screen", screen: "unknown", state: "unknown" },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const screens: Record<string, ReturnType<typeof reading>> = row.screen ? { "t-s": reading(row.screen, row.over) } : {};
      const d = decide(FLEET, snap({ panes, screens }), stateWith({ s: { lastActive: T0, restarts: [], status: UNKNOWN } }));
      const st = d.state.agents.s!.status;
      expect(st.state).toBe(row.state);
      expect(AGENT_STATES).toContain(st.state);
      expect(st.reason).not.toBe("");
      if (row.until !== undefined) expect(st.until).toBe(row.until);
    });
  }
  it("a missing session is `missing`; since carries over while the state stays", () => {
    const first = decide(FLEET, snap({ panes: [pane("t-w")] }), stateWith());
    expect(first.state.agents.s!.status).toMatchObject({ state: "missing", since: T0 });
    const later = decide(FLEET, snap({ now: T0 + 5000, panes: [pane("t-w")] }), first.state);
    expect(later.state.agents.s!.status).toMatchObject({ state: "missing", since: T0 });
  });
  it("idle counts from the last activity", () => {
    const d = decide(FLEET, snap({ panes, screens: { "t-s": reading("idle") } }), stateWith({ s: { lastActive: T0 - 90_000, restarts: [], status: UNKNOWN } }));
    expect(d.state.agents.s!.status).toMatchObject({ state: "idle", since: T0 - 90_000 });
  });
  it("a restart is `restarting` with its reason", () => {
    const d = decide(FLEET, snap({ heavy: true, panes: [pane("t-w")] }), stateWith());
    expect(d.state.agents.s!.status).toMatchObject({ state: "restarting", reason: "session missing", since: T0 });
  });
  it("loop agents are `done` once the sequence is complete", () => {
    const loop = fleetFrom(`${BASE}
[loop]
phases = [ { id = "P1", status = "s1.md" } ]
[[agent]]
name = "builder"
kind = "loop"
role = "builder"
watch = "heal"
`);
    const d = decide(loop, snap({ heavy: true, phase: { sequenceComplete: true } }), stateWith());
    expect(d.state.agents.builder!.status.state).toBe("done");
    expect(d.actions.filter((a) => a.type === "start")).toEqual([]);
  });
});

describe("the next deadline", () => {
  it("a limit hold's end", () => {
    const d = decide(FLEET, snap({ panes, screens: { "t-s": reading("limited") } }), stateWith());
    expect(d.deadline).toMatchObject({ at: T0 + 3000, heavy: false });
  });
  it("WAITING-UNTIL plus stall_grace", () => {
    const d = decide(FLEET, snap({ panes, screens: { "t-s": reading("idle", { waitingUntil: T0 + 10_000 }) } }), stateWith({ s: { lastActive: T0, restarts: [], status: UNKNOWN } }));
    expect(d.deadline?.at).toBe(T0 + 10_000 + 60_000 + 1);
  });
  it("the moment an idle agent reaches stall_idle", () => {
    const d = decide(FLEET, snap({ panes, screens: { "t-s": reading("idle") } }), stateWith({ s: { lastActive: T0 - 100_000, restarts: [], status: UNKNOWN } }));
    expect(d.deadline?.at).toBe(T0 + 200_000);
  });
  it("the next interval wake", () => {
    const st = stateWith({ s: { lastActive: T0, restarts: [], status: UNKNOWN }, w: { lastActive: T0, restarts: [], status: UNKNOWN, lastWake: T0 - 100_000 } });
    const d = decide(FLEET, snap({ panes, screens: { "t-s": reading("working"), "t-w": reading("idle") } }), st);
    expect(d.deadline).toMatchObject({ at: T0 + 500_000, heavy: false });
  });
  it("none in the past", () => {
    const d = decide(FLEET, snap({ panes, screens: { "t-s": reading("working"), "t-w": reading("working") } }), stateWith({ w: { lastActive: T0, restarts: [], status: UNKNOWN, lastWake: T0 - 700_000 } }));
    expect(d.deadline === undefined || d.deadline.at > T0).toBe(true);
  });
});

describe("the loop's sleep", () => {
  it("sleeps to the next signal tick without a deadline", () => expect(sleepMs(30_000, undefined, T0)).toBe(30_000));
  it("wakes a moment after a nearer deadline", () => expect(sleepMs(30_000, { at: T0 + 3000, heavy: false, reason: "" }, T0)).toBe(3020));
  it("never negative, never past node's timer limit", () => {
    expect(sleepMs(-5, undefined, T0)).toBe(0);
    expect(sleepMs(2_147_484 * 1000, undefined, T0)).toBe(2_147_483_647);
  });
});
