// Which restarts continue the pinned conversation (issue 11): a heal after a crash, a fatal screen,
// a missing session or a stuck agent resumes it (resume_on, by default); a stall reboot and a
// phase advance start a new one.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/watchdog/decide.js";
import type { Action } from "../../src/watchdog/types.js";
import { BASE, T0, UNKNOWN, fleetFrom, pane, reading, snap, stateWith } from "./helpers.js";

const fleetOf = (extra = "") =>
  fleetFrom(`${BASE}
[[agent]]
name = "s"
watch = "heal+stall"
${extra}
[[agent]]
name = "builder"
kind = "loop"
role = "builder"
watch = "heal"
[loop]
phases = [ { id = "P1", status = "s1.md" }, { id = "P2", status = "s2.md" } ]
`);
const DEFAULT = fleetOf();
const NEVER = fleetOf(`resume_on = []`);
const STALLS_TOO = fleetOf(`resume_on = ["stall", "crash"]`);

const starts = (actions: Action[]) => actions.flatMap((a) => (a.type === "start" ? [{ agent: a.agent, resume: a.resume }] : []));
/** Quiet for an hour only for the stall case: otherwise the stall rule would reboot first. */
const stateFor = (cause: string) => stateWith({ s: { lastActive: cause === "stall" ? T0 - 3600_000 : T0, restarts: [], status: UNKNOWN } });
const builder = pane("t-builder");

const cases: { name: string; spec: Parameters<typeof snap>[0]; cause: string }[] = [
  { name: "missing session", spec: { heavy: true, panes: [builder] }, cause: "missing" },
  { name: "dead pane", spec: { heavy: true, panes: [builder, pane("t-s", { dead: true, deadStatus: 1 })] }, cause: "crash" },
  { name: "exited to a shell", spec: { heavy: true, panes: [builder, pane("t-s")], screens: { "t-s": reading("exited") } }, cause: "crash" },
  { name: "fatal screen", spec: { heavy: true, panes: [builder, pane("t-s")], screens: { "t-s": reading("fatal", { line: "Please run /login" }) } }, cause: "fatal" },
  { name: "stall reboot", spec: { panes: [builder, pane("t-s")], screens: { "t-s": reading("idle") } }, cause: "stall" },
];

describe("resume policy", () => {
  for (const c of cases) {
    it(`${c.name} (${c.cause})`, () => {
      const byDefault = c.cause !== "stall";
      expect(starts(decide(DEFAULT, snap(c.spec), stateFor(c.cause)).actions)).toEqual([{ agent: "s", resume: byDefault }]);
      expect(starts(decide(NEVER, snap(c.spec), stateFor(c.cause)).actions)).toEqual([{ agent: "s", resume: false }]);
      expect(starts(decide(STALLS_TOO, snap(c.spec), stateFor(c.cause)).actions)).toEqual([{ agent: "s", resume: ["stall", "crash"].includes(c.cause) }]);
    });
  }

  it("a phase advance starts the loops fresh, whatever resume_on says", () => {
    const d = decide(DEFAULT, snap({ heavy: true, panes: [builder, pane("t-s")], screens: { "t-s": reading("working") }, phase: { done: true } }), stateWith());
    expect(starts(d.actions)).toEqual([{ agent: "builder", resume: false }]);
  });

  it("resume_on is inherited from [defaults] and rejects unknown causes", () => {
    const f = fleetFrom(`${BASE.replace('backend = "demo"', 'backend = "demo"\nresume_on = ["fatal"]')}
[[agent]]
name = "s"
`);
    expect(f.agents[0]!.resume_on).toEqual(["fatal"]);
    expect(() => fleetFrom(`${BASE}\n[[agent]]\nname = "s"\nresume_on = ["phase"]\n`)).toThrow(/resume_on/);
  });
});
