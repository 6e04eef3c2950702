// Accounts (issue 11 item 4): agents sharing a login share its limits.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/watchdog/decide.js";
import type { Action, WatchdogState } from "../../src/watchdog/types.js";
import { BASE, T0, UNKNOWN, fleetFrom, pane, reading, snap, stateWith } from "./helpers.js";

const F = fleetFrom(`${BASE}
[watchdog]
account_resume_gap = 60
[loop]
phases = [ { id = "P1", status = "s1.md" }, { id = "P2", status = "s2.md" } ]
on_complete = { run = "report" }
[[agent]]
name = "builder"
kind = "loop"
role = "builder"
watch = "heal+stall"
account = "one"
[[agent]]
name = "helper"
watch = "heal+stall"
account = "one"
[[agent]]
name = "other"
watch = "heal+stall"
account = "two"
[[agent]]
name = "report"
kind = "task"
watch = "heal"
account = "one"
enabled = false
`);

const RESET = T0 + 3600_000;
const UNTIL = RESET + 45_000;
const panes = [pane("t-builder"), pane("t-helper"), pane("t-other")];
const limited = () => reading("limited", { reset: { text: "1pm", at: RESET }, line: "usage limit" });
const idle = () => reading("idle");
const pings = (as: Action[]) => as.flatMap((a) => (a.type === "ping" ? [`${a.purpose}:${a.agent}`] : []));
const starts = (as: Action[]) => as.flatMap((a) => (a.type === "start" ? [a.agent] : []));
const old = T0 - 9e6;

/** The tick at which the helper's limit is first seen. */
function firstTick(): WatchdogState {
  const st = stateWith({
    builder: { lastActive: old, restarts: [], status: UNKNOWN },
    helper: { lastActive: old, restarts: [], status: UNKNOWN },
    other: { lastActive: old, restarts: [], status: UNKNOWN },
  });
  const d = decide(F, snap({ panes, screens: { "t-builder": idle(), "t-helper": limited(), "t-other": idle() } }), st);
  expect(d.state.accounts).toEqual({ one: expect.objectContaining({ since: T0, until: UNTIL, agent: "helper" }) });
  expect(d.actions).toContainEqual(expect.objectContaining({ type: "note", event: "account-hold", agent: "helper" }));
  return d.state;
}

describe("accounts: one limited agent holds its whole account", () => {
  it("both agents are limited with the same until; the other account is untouched", () => {
    const st = firstTick();
    expect(st.agents.builder!.status).toMatchObject({ state: "limited", until: UNTIL });
    expect(st.agents.builder!.status.reason).toMatch(/^account one limited by helper: usage limit; resets 1pm/);
    expect(st.agents.helper!.status).toMatchObject({ state: "limited", until: UNTIL });
    expect(st.agents.helper!.hold).toMatchObject({ until: UNTIL });
    // "other" (account two) was idle for hours: stalled and restarted as ever.
    expect(st.agents.other!.status.state).toBe("restarting");
  });

  it("while held: no nudge, no stall reboot, no heal, no wake of any agent of the account", () => {
    const st = firstTick();
    const now = T0 + 1800_000;
    // The builder's pane is gone and it has been idle for hours: it still waits.
    const d = decide(F, snap({ now, heavy: true, panes: [pane("t-helper"), pane("t-other")], screens: { "t-helper": limited(), "t-other": reading("working") } }), st);
    expect(pings(d.actions)).toEqual([]);
    expect(starts(d.actions)).toEqual([]);
    expect(d.state.agents.builder!.status).toMatchObject({ state: "limited", until: UNTIL });
    expect(d.state.agents.builder!.status.reason).toMatch(/no tmux session: restarted after the reset/);
    expect(d.deadline?.at).toBe(UNTIL);
  });

  it("the phase advance waits for the reset, with the reason on the held loop", () => {
    const st = firstTick();
    const d = decide(F, snap({ now: T0 + 60_000, heavy: true, panes, phase: { done: true }, screens: { "t-builder": idle(), "t-helper": limited(), "t-other": idle() } }), st);
    expect(d.actions.filter((a) => a.type === "set-phase" || a.type === "kill" || a.type === "start")).toEqual([]);
    expect(d.state.agents.builder!.status.reason).toMatch(/phase P1 done: advance to P2 waits for the account's reset/);
  });

  it("no on_complete task is started into a held account", () => {
    const st = firstTick();
    const d = decide(F, snap({ now: T0 + 60_000, heavy: true, panes, phase: { index: 1, done: true, sequenceComplete: true, triggerPresent: true }, screens: { "t-helper": limited(), "t-other": idle() } }), st);
    expect(d.actions.filter((a) => a.type === "start" || a.type === "consume-trigger")).toEqual([]);
  });

  it("at the reset they are resumed one at a time, account_resume_gap apart", () => {
    let st = firstTick();
    // The reset: the reporter first, by its own hold's nudge; the builder waits the gap.
    let d = decide(F, snap({ now: UNTIL, panes, screens: { "t-builder": idle(), "t-helper": limited(), "t-other": reading("working") } }), st);
    expect(pings(d.actions)).toEqual(["nudge:helper"]);
    expect(d.state.agents.builder!.status).toMatchObject({ state: "limited", until: UNTIL + 60_000 });
    expect(d.deadline?.at).toBe(UNTIL + 60_000);
    st = d.state;
    d = decide(F, snap({ now: UNTIL + 30_000, panes, screens: { "t-builder": idle(), "t-helper": reading("working"), "t-other": reading("working") } }), st);
    expect(pings(d.actions)).toEqual([]);
    st = d.state;
    d = decide(F, snap({ now: UNTIL + 60_000, panes, screens: { "t-builder": idle(), "t-helper": reading("working"), "t-other": reading("working") } }), st);
    expect(pings(d.actions)).toEqual(["nudge:builder"]);
    expect(d.state.accounts).toBeUndefined();
    expect(d.actions).toContainEqual(expect.objectContaining({ event: "account-resumed" }));
    // Then the usual rules again: once the account is resumed the phase may advance.
    d = decide(F, snap({ now: UNTIL + 90_000, heavy: true, panes, phase: { done: true }, screens: { "t-builder": reading("working"), "t-helper": reading("working"), "t-other": reading("working") } }), d.state);
    expect(d.actions).toContainEqual(expect.objectContaining({ type: "set-phase", index: 1 }));
  });

  it("an agent already working at the reset is left alone", () => {
    const st = firstTick();
    const d = decide(F, snap({ now: UNTIL, panes, screens: { "t-builder": reading("working"), "t-helper": reading("working"), "t-other": idle() } }), st);
    expect(pings(d.actions)).toEqual([]);
    expect(d.state.accounts).toBeUndefined();
  });

  it("a later reset reported by another agent of the account extends the hold", () => {
    const st = firstTick();
    const later = reading("limited", { reset: { text: "5pm", at: RESET + 4 * 3600_000 } });
    const d = decide(F, snap({ now: T0 + 60_000, panes, screens: { "t-builder": later, "t-helper": limited(), "t-other": idle() } }), st);
    expect(d.state.accounts!.one).toMatchObject({ since: T0, until: RESET + 4 * 3600_000 + 45_000, agent: "builder" });
    // The first reporter's own hold follows the account's.
    expect(d.state.agents.helper!.hold!.until).toBe(RESET + 4 * 3600_000 + 45_000);
  });

  it("an old state file without accounts loads and decides as before", () => {
    const st = stateWith({ other: { lastActive: T0, restarts: [], status: UNKNOWN } });
    delete (st as Partial<WatchdogState>).accounts;
    const d = decide(F, snap({ panes, screens: { "t-builder": reading("working"), "t-helper": reading("working"), "t-other": reading("working") } }), st);
    expect(d.state.accounts).toBeUndefined();
    expect(d.actions).toEqual([]);
  });
});

describe("accounts: what a hold leaves alone", () => {
  it("a parked agent of the account is not nudged at the reset", () => {
    const st = firstTick();
    st.agents.builder!.parked = { reason: "budget", at: T0 };
    const d = decide(F, snap({ now: UNTIL, panes, parked: { builder: "budget" }, screens: { "t-builder": idle(), "t-helper": limited(), "t-other": idle() } }), st);
    expect(pings(d.actions)).toEqual(["nudge:helper"]);
    expect(d.state.accounts).toBeUndefined();
  });
});
