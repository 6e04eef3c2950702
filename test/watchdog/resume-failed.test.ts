// A resume that fails at once must not crash-loop (opencode exits at once on a session it cannot
// load, and the next heal would resume it again): a start that resumed and whose pane is dead or
// gone within RESUME_FAIL_MS (+ one tick, the most a death can wait to be seen) logs
// `resume-failed` with the conversation's id, and the next start is a new conversation. decide
// stays pure: the fact "the last start resumed at T" is kept in the agent's runtime.
import { describe, expect, it } from "vitest";
import { RESUME_FAIL_MS, resumeDiedAtOnce } from "../../src/fleet/conversation.js";
import { decide } from "../../src/watchdog/decide.js";
import type { Action, SignalReading, WatchdogState } from "../../src/watchdog/types.js";
import { BASE, T0, UNKNOWN, fleetFrom, pane, snap, stateWith } from "./helpers.js";

const TICK_S = 10;
const FLEET = fleetFrom(`${BASE}
[watchdog]
signal_interval = ${TICK_S}
[[agent]]
name = "s"
watch = "heal"
`);
/** The session id opencode's tap recorded (test/fixtures/signals/opencode/signals.jsonl). */
const SES = "ses_dca5b6287ffeT6jr2gGoX34NSG";
const sig: SignalReading = { source: "opencode", at: T0 - 60_000, grewAt: T0 - 60_000, state: "idle", sessionId: SES };

const missing = (now: number) => snap({ now, heavy: true, panes: [], signals: { s: sig } });
const dead = (now: number, created = now / 1000 - 5) =>
  snap({ now, heavy: true, panes: [pane("t-s", { dead: true, deadStatus: 1, created })], signals: { s: sig } });
const own = (actions: Action[]) =>
  actions.flatMap((a) => (a.type === "start" ? [`start resume=${a.resume}`] : a.type === "note" && a.agent === "s" ? [`note ${a.event}`] : []));
const fresh = (): WatchdogState => stateWith({ s: { lastActive: T0, restarts: [], status: UNKNOWN } });

describe("resume guard", () => {
  it("a resumed start dead within seconds: resume-failed with the id, the next start is new, later ones resume again", () => {
    const one = decide(FLEET, missing(T0), fresh());
    expect(own(one.actions)).toEqual(["start resume=true"]);
    expect(one.state.agents.s!.lastStart).toEqual({ at: T0, resume: true });

    // Seen dead 3 s later: inside the restart backoff, so no start yet, but the failure is noted now.
    const two = decide(FLEET, dead(T0 + 3_000), one.state);
    expect(own(two.actions)).toEqual(["note resume-failed"]);
    expect(two.actions.find((a) => a.type === "note")).toMatchObject({ level: "warn", reason: expect.stringContaining(`conversation ${SES}`) });
    // Backoff over: a new conversation, and the note is not repeated.
    const three = decide(FLEET, dead(T0 + 30_000), two.state);
    expect(own(three.actions)).toEqual(["start resume=false"]);
    expect(three.state.agents.s!.lastStart).toEqual({ at: T0 + 30_000, resume: false });

    // That new conversation runs a while and then crashes: a plain crash, resumed as usual.
    const four = decide(FLEET, dead(T0 + 600_000, (T0 + 30_000) / 1000), three.state);
    expect(own(four.actions)).toEqual(["start resume=true"]);
  });

  it("a resumed start that ran longer than the window then died is resumed again, no note", () => {
    const one = decide(FLEET, missing(T0), fresh());
    const later = T0 + RESUME_FAIL_MS + TICK_S * 1000 + 1;
    const two = decide(FLEET, dead(later), one.state);
    expect(own(two.actions)).toEqual(["start resume=true"]);
  });

  it("a fresh start that dies at once is not a failed resume", () => {
    const f = fleetFrom(`${BASE}\n[watchdog]\nsignal_interval = ${TICK_S}\n[[agent]]\nname = "s"\nwatch = "heal"\nresume_on = []\n`);
    const one = decide(f, missing(T0), fresh());
    expect(own(one.actions)).toEqual(["start resume=false"]);
    expect(own(decide(f, dead(T0 + 3_000), one.state).actions)).toEqual([]);
  });

  // [name, last start, seen dead at (ms after T0), died at once?]
  const table: Array<[string, { at: number; resume: boolean } | undefined, number, boolean]> = [
    ["no start known", undefined, 1_000, false],
    ["a fresh start", { at: T0, resume: false }, 1_000, false],
    ["resumed, seen dead at once", { at: T0, resume: true }, 1_000, true],
    ["resumed, seen at the window's end plus one tick", { at: T0, resume: true }, RESUME_FAIL_MS + TICK_S * 1000, true],
    ["resumed, seen after that", { at: T0, resume: true }, RESUME_FAIL_MS + TICK_S * 1000 + 1, false],
    ["a clock that went back", { at: T0, resume: true }, -1, false],
  ];
  it.each(table)("resumeDiedAtOnce: %s", (_n, last, dt, want) => {
    expect(resumeDiedAtOnce(last, T0 + dt, TICK_S * 1000)).toBe(want);
  });
});
