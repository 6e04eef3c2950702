// `stuck` (issue 11): a screen that says working over a record that has not grown for stuck_after.
// Interrupt, then nudge, then restart, each after STUCK_STEP_MS, each logged with its evidence;
// a record that grows again ends it.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/watchdog/decide.js";
import { foldLines } from "../../src/signals/claude/parse.js";
import { emptyClaudeReading } from "../../src/signals/claude/read.js";
import { STUCK_STEP_MS, TOOL_GRACE_FACTOR } from "../../src/watchdog/rules/stuck.js";
import type { Action, SignalReading, WatchdogState } from "../../src/watchdog/types.js";
import { phaseLines, sessionText } from "../signals/claude-fixtures.js";
import { BASE, T0, UNKNOWN, fleetFrom, pane, reading, snap, stateWith } from "./helpers.js";

const FLEET = fleetFrom(`${BASE}
[watchdog]
stuck_after = 600
[[agent]]
name = "s"
watch = "heal+stall"
[[agent]]
name = "h"
watch = "heal"
`);

const CREATED = T0 / 1000 - 3600;
/** The record last grew 11 minutes before T0 and says working (a hung stream). */
const quiet: SignalReading = { source: "codex", at: T0 - 660_000, grewAt: T0 - 660_000, state: "working" };
const busy = reading("working", { rule: "active_re", line: "Reconnecting... 2/5" });
const at = (now: number, sig: SignalReading = quiet, screen = busy) =>
  snap({ now, panes: [pane("t-s", { created: CREATED }), pane("t-h", { created: CREATED })], screens: { "t-s": screen, "t-h": screen }, signals: { s: sig, h: sig } });
const own = (actions: Action[]) => actions.filter((a) => "agent" in a && a.agent === "s").map((a) => a.type);
const fresh = (): WatchdogState => stateWith({ s: { lastActive: T0, restarts: [], status: UNKNOWN }, h: { lastActive: T0, restarts: [], status: UNKNOWN } });

describe("stuck", () => {
  it("interrupt, nudge, restart: each after the step's deadline, each with its evidence", () => {
    const one = decide(FLEET, at(T0), fresh());
    expect(one.state.agents.s!.status).toMatchObject({ state: "stuck" });
    expect(one.actions).toEqual([
      expect.objectContaining({ type: "keys", agent: "s", keys: ["Escape"], event: "stuck-interrupt", reason: expect.stringMatching(/Reconnecting.*codex.*660s ago/) }),
    ]);
    expect(one.deadline?.at).toBe(T0 + STUCK_STEP_MS);
    // The heal-only agent is never stepped.
    expect(one.state.agents.h!.stuck).toBeUndefined();

    const wait = decide(FLEET, at(T0 + STUCK_STEP_MS - 1), one.state);
    expect(own(wait.actions)).toEqual([]);
    expect(wait.state.agents.s!.status).toMatchObject({ state: "stuck", until: T0 + STUCK_STEP_MS });

    const two = decide(FLEET, at(T0 + STUCK_STEP_MS), wait.state);
    expect(two.actions).toEqual([expect.objectContaining({ type: "ping", agent: "s", purpose: "nudge", reason: expect.stringContaining("step 2/3") })]);
    expect(two.deadline?.at).toBe(T0 + 2 * STUCK_STEP_MS);

    const three = decide(FLEET, at(T0 + 2 * STUCK_STEP_MS), two.state);
    expect(three.actions).toEqual([expect.objectContaining({ type: "start", agent: "s", force: true, resume: true, reason: expect.stringContaining("step 3/3") })]);
    expect(three.state.agents.s!.stuck).toBeUndefined();
  });

  it("not before stuck_after: the deadline is when it would be reached", () => {
    const recent = { ...quiet, grewAt: T0 - 100_000, at: T0 - 100_000 };
    const d = decide(FLEET, at(T0, recent), fresh());
    expect(own(d.actions)).toEqual([]);
    expect(d.deadline?.at).toBe(T0 + 500_000);
  });

  it("a record that grows again ends it", () => {
    const one = decide(FLEET, at(T0), fresh());
    const grown = { ...quiet, at: T0 + 5_000, grewAt: T0 + 5_000 };
    const d = decide(FLEET, at(T0 + 10_000, grown), one.state);
    expect(d.actions).toEqual([expect.objectContaining({ type: "note", event: "stuck-cleared" })]);
    expect(d.state.agents.s!.status.state).toBe("working");
  });

  it("a screen that is not busy is never stuck; an agent without a record neither", () => {
    expect(own(decide(FLEET, at(T0, quiet, reading("idle")), fresh()).actions)).not.toContain("keys");
    const noSig = snap({ now: T0, panes: [pane("t-s", { created: CREATED })], screens: { "t-s": busy } });
    expect(own(decide(FLEET, noSig, fresh()).actions)).toEqual([]);
  });

  it("a record from before the relaunch does not make the new run stuck", () => {
    const relaunched = snap({ now: T0, panes: [pane("t-s", { created: T0 / 1000 - 60 })], screens: { "t-s": busy }, signals: { s: quiet } });
    expect(own(decide(FLEET, relaunched, fresh()).actions)).toEqual([]);
  });
});

describe("stuck: a tool call the record says is running", () => {
  const AFTER = 600_000;
  const GRACE = TOOL_GRACE_FACTOR * AFTER;
  const PRE = phaseLines("tool-use")[2]!; // PreToolUse, as Claude Code 2.1.330's hook wrote it
  const POST = phaseLines("tool-use")[3]!; // PostToolUse
  /** Claude's reading after the real lines `tail`, the batch (and the record's last growth) dated `began`. */
  const claude = (began: number, tail: string[]): SignalReading => ({
    ...foldLines([...sessionText("prompt-reply").split("\n"), ...tail], emptyClaudeReading(), {}, began).reading,
    at: began,
    grewAt: began,
  });
  const rows: Array<[name: string, began: number, tail: string[], want: string[], deadline?: number]> = [
    ["a tool running 11 min (over stuck_after, under the grace): no step, due at the grace's end", T0 - 660_000, [PRE], [], T0 - 660_000 + GRACE],
    ["a tool running just under the grace: no step yet", T0 - GRACE + 1, [PRE], [], T0 + 1],
    ["a tool running past the grace: the steps begin", T0 - GRACE, [PRE], ["keys"]],
    ["the tool ended 11 min ago: the steps begin as without one", T0 - 660_000, [PRE, POST], ["keys"]],
  ];
  it.each(rows)("%s", (_name, began, tail, want, deadline) => {
    const sig = claude(began, tail);
    expect(sig.state).toBe("working");
    const d = decide(FLEET, at(T0, sig), fresh());
    expect(own(d.actions)).toEqual(want);
    if (deadline !== undefined) expect(d.deadline?.at).toBe(deadline);
    if (want.includes("keys") && sig.toolSince !== undefined) {
      expect(d.actions[0]).toMatchObject({ reason: expect.stringContaining(`a tool call running for ${GRACE / 1000}s`) });
    }
  });

  it("a tool call dated before this launch's pane gives no grace", () => {
    // The record's last line (a statusLine refresh, no progress) is this launch's; the tool call is not.
    const sig = { ...claude(T0 - 2 * GRACE, [PRE]), at: T0 - 650_000 };
    const relaunched = snap({ now: T0, panes: [pane("t-s", { created: (T0 - 660_000) / 1000 })], screens: { "t-s": busy }, signals: { s: sig } });
    expect(own(decide(FLEET, relaunched, fresh()).actions)).toEqual(["keys"]);
  });
});
