// Exact usage limits (issue 11): a tap's record with resets_at holds the agent until that moment
// + limit_reset_slack, not a parsed wording; when the CLI offers to continue by itself at the
// reset it is let be, nudged only if still not working at reset + slack; and nothing is typed
// into its limit menu while it counts down.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/watchdog/decide.js";
import type { Action, SignalReading } from "../../src/watchdog/types.js";
import { BASE, T0, fleetFrom, pane, reading, snap, stateWith } from "./helpers.js";

const FLEET = fleetFrom(`${BASE}
[watchdog]
limit_reset_slack = 45
limit_probe_fallback = 300
[[agent]]
name = "s"
watch = "heal+stall"
`);

const RESET = T0 + 2 * 3600_000;
const limited = (over: Partial<SignalReading["limit"]> = {}): SignalReading => ({
  source: "claude",
  at: T0 - 1_000,
  grewAt: T0 - 1_000,
  state: "limited",
  limit: { resetsAt: RESET, window: "five_hour", ...over },
});
const typed = (actions: Action[]) => actions.filter((a) => a.type === "ping" || a.type === "keys");

describe("limits from the record", () => {
  it("holds until the record's resets_at + slack, whatever the screen's wording says", () => {
    const screen = reading("limited", { reset: { text: "7pm", at: T0 + 5 * 3600_000 } });
    const d = decide(FLEET, snap({ panes: [pane("t-s")], screens: { "t-s": screen }, signals: { s: limited() } }), stateWith());
    expect(d.state.agents.s!.hold).toMatchObject({ until: RESET + 45_000, parsed: true, source: "claude" });
    expect(d.state.agents.s!.status).toMatchObject({ state: "limited", until: RESET + 45_000 });
    expect(d.actions).toEqual([expect.objectContaining({ type: "note", event: "limit-hold", reason: expect.stringContaining("claude record says reset") })]);
    expect(d.deadline?.at).toBe(RESET + 45_000);
  });

  it("a hold begun from the screen's wording takes the record's exact reset when the record arrives", () => {
    const screen = reading("limited", { reset: { text: "7pm", at: T0 + 5 * 3600_000 } });
    const first = decide(FLEET, snap({ panes: [pane("t-s")], screens: { "t-s": screen } }), stateWith());
    expect(first.state.agents.s!.hold!.until).toBe(T0 + 5 * 3600_000 + 45_000);
    const second = decide(FLEET, snap({ now: T0 + 1_000, panes: [pane("t-s")], screens: { "t-s": screen }, signals: { s: limited() } }), first.state);
    expect(second.state.agents.s!.hold).toMatchObject({ until: RESET + 45_000, source: "claude" });
  });

  it("auto-continue: no keys while the menu counts down, none at the reset if it is working, a nudge if it is not", () => {
    const menu = reading("dialog", { rule: "dialog_re", line: "What do you want to do?" });
    const spec = (now: number, sig: SignalReading, screen = menu) => snap({ now, panes: [pane("t-s")], screens: { "t-s": screen }, signals: { s: sig } });
    const held = decide(FLEET, spec(T0, limited({ autoContinue: true })), stateWith());
    expect(held.state.agents.s!.hold).toMatchObject({ autoContinue: true, until: RESET + 45_000 });
    expect(held.state.agents.s!.status.reason).toContain("continues by itself");
    expect(typed(held.actions)).toEqual([]);
    // Later, still counting down: the dialog on screen is the limit menu; nothing is typed into it.
    const waiting = decide(FLEET, spec(T0 + 3600_000, limited({ autoContinue: true })), held.state);
    expect(typed(waiting.actions)).toEqual([]);
    expect(waiting.state.agents.s!.status.state).toBe("limited");
    // It continued by itself: its record says working, the hold lifts, nothing typed.
    const resumed = decide(FLEET, spec(RESET + 10_000, { ...limited(), state: "working", at: RESET + 5_000, grewAt: RESET + 5_000, limit: undefined }, reading("working")), waiting.state);
    expect(resumed.state.agents.s!.hold).toBeUndefined();
    expect(typed(resumed.actions)).toEqual([]);
    // It did not: at reset + slack, one nudge.
    const stillStuck = decide(FLEET, spec(RESET + 45_000, limited({ autoContinue: true })), waiting.state);
    expect(typed(stillStuck.actions)).toEqual([
      expect.objectContaining({ type: "ping", purpose: "nudge", reason: expect.stringContaining("although the CLI offered to continue") }),
    ]);
  });
});
