// What `status` says an agent is doing, from the parked marker, the watchdog's status and tmux.
import { describe, expect, it } from "vitest";
import { agentStatus, doingText, type StatusInputs } from "../../src/commands/agent-status.js";

const T0 = Date.parse("2026-11-21T12:00:00Z");
const base: StatusInputs = { now: T0, enabled: true, running: true, watchdogFresh: true };

describe("agentStatus", () => {
  const rows: [string, Partial<StatusInputs>, object][] = [
    ["a fresh watchdog status is shown with ISO times", { watchdog: { state: "limited", reason: "usage limit", since: T0 - 60_000, until: T0 + 3600_000 } },
      { state: "limited", reason: "usage limit", since: "2026-11-21T11:59:00Z", until: "2026-11-21T13:00:00Z" }],
    ["a parked marker wins, even with no watchdog", { parked: { reason: "5 restarts", at: "2026-11-21T11:00:00.000Z" }, watchdogFresh: false, running: false },
      { state: "parked", reason: "5 restarts", since: "2026-11-21T11:00:00Z" }],
    ["a stale watchdog is not trusted", { watchdog: { state: "working", reason: "x", since: T0 }, watchdogFresh: false },
      { state: "unknown", reason: "no fresh reading: the watchdog is not running" }],
    ["no session is missing", { running: false, watchdog: { state: "working", reason: "x", since: T0 } }, { state: "missing", reason: "no tmux session" }],
    ["a disabled agent with no session", { running: false, enabled: false }, { state: "missing", reason: "disabled; not started" }],
    ["a loop agent done after the sequence", { running: false, watchdog: { state: "done", reason: "phase sequence complete", since: T0 } }, { state: "done" }],
  ];
  for (const [name, over, want] of rows) it(name, () => expect(agentStatus({ ...base, ...over })).toMatchObject(want));
});

describe("doingText", () => {
  const rows: [object, string][] = [
    [{ state: "working", reason: "r" }, "working"],
    [{ state: "idle", reason: "r", since: "2026-11-21T11:59:20Z" }, "idle 40s"],
    [{ state: "waiting", reason: "r", until: "2026-11-21T12:10:00Z" }, "waiting until 2026-11-21T12:10:00Z"],
    [{ state: "limited", reason: "r", until: "2026-11-21T15:00:45Z" }, "limited until 2026-11-21T15:00:45Z"],
    [{ state: "parked", reason: "3 restarts in 600s" }, "parked: 3 restarts in 600s"],
    [{ state: "dialog", reason: "a dialog needs a human" }, "needs attention: a dialog needs a human"],
    [{ state: "fatal", reason: "fatal screen", detail: "Please run /login" }, "fatal: Please run /login"],
    [{ state: "restarting", reason: "session missing" }, "restarting: session missing"],
    [{ state: "unknown", reason: "no fresh reading: the watchdog is not running" }, "-"],
    [{ state: "missing", reason: "no tmux session" }, ""],
  ];
  for (const [s, want] of rows) it(`${(s as { state: string }).state} → ${JSON.stringify(want)}`, () => expect(doingText(s as never, T0)).toBe(want));
});
