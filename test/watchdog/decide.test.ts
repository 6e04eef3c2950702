import { describe, expect, it } from "vitest";
import { decide, CLAIM_PING, REVIEW_PING } from "../../src/watchdog/decide.js";
import type { Action } from "../../src/watchdog/types.js";
import { BASE, T0, UNKNOWN, fleetFrom, pane, reading, snap, stateWith } from "./helpers.js";

const kinds = (actions: Action[]) => actions.map((a) => `${a.type}${"agent" in a && a.agent ? `:${a.agent}` : ""}`);

const HEAL = fleetFrom(`${BASE}
[watchdog]
restart_budget = 3
restart_window = 600
restart_backoff = 10
[[agent]]
name = "a"
watch = "heal"
[[agent]]
name = "s"
watch = "heal+stall"
[[agent]]
name = "off"
watch = "none"
`);

describe("heal (heavy tick)", () => {
  const rows: { name: string; spec: Parameters<typeof snap>[0]; expect: string[] }[] = [
    { name: "missing session is started", spec: { heavy: true, panes: [pane("t-s"), pane("t-off")] }, expect: ["start:a"] },
    { name: "nothing on a signal tick", spec: { heavy: false, panes: [pane("t-s")] }, expect: [] },
    {
      name: "fatal pane is restarted",
      spec: { heavy: true, panes: [pane("t-a"), pane("t-s"), pane("t-off")], screens: { "t-a": reading("fatal", { line: "Please run /login" }) } },
      expect: ["start:a"],
    },
    {
      name: "fatal pane while working is left alone",
      spec: { heavy: true, panes: [pane("t-a"), pane("t-s"), pane("t-off")], screens: { "t-a": reading("working") } },
      expect: [],
    },
    {
      name: "dead pane is restarted",
      spec: { heavy: true, panes: [pane("t-a", { dead: true, deadStatus: 1 }), pane("t-s"), pane("t-off")] },
      expect: ["start:a"],
    },
    {
      name: "an agent that exited to a shell is restarted",
      spec: { heavy: true, panes: [pane("t-a", { command: "bash" }), pane("t-s"), pane("t-off")], screens: { "t-a": reading("exited") } },
      expect: ["start:a"],
    },
    { name: "unwatched agent is never healed", spec: { heavy: true, panes: [pane("t-a"), pane("t-s")] }, expect: [] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const d = decide(HEAL, snap(row.spec), stateWith());
      expect(kinds(d.actions.filter((a) => a.type !== "note"))).toEqual(row.expect);
    });
  }

  it("a restart says why", () => {
    const d = decide(HEAL, snap({ heavy: true, panes: [pane("t-s")] }), stateWith());
    expect(d.actions[0]).toMatchObject({ type: "start", agent: "a", reason: "session missing", restart: true });
  });
});

describe("backend mismatch", () => {
  const fleet = fleetFrom(`${BASE}
[backend.x]
bin = "x"
process_name = "xproc"
[backend.y]
bin = "y"
process_name = "yproc"
[[agent]]
name = "a"
backend = "x"
watch = "heal"
`);
  it.each([
    ["another declared backend's process", "yproc", ["start:a"]],
    ["its own process", "xproc", []],
    ["a transient shell", "bash", []],
  ])("%s", (_n, command, expected) => {
    const d = decide(fleet, snap({ heavy: true, panes: [pane("t-a", { command })], screens: { "t-a": reading("idle") } }), stateWith());
    expect(kinds(d.actions)).toEqual(expected);
  });
});

describe("restart budget and backoff", () => {
  it("backs off between restarts", () => {
    const st = stateWith({ a: { lastActive: T0, restarts: [T0 - 2000], status: UNKNOWN } });
    const d = decide(HEAL, snap({ heavy: true, panes: [pane("t-s"), pane("t-off")] }), st);
    expect(kinds(d.actions)).toEqual([]);
    expect(d.state.agents.a!.status).toMatchObject({ state: "restarting", until: T0 + 8000 });
    expect(d.deadline).toMatchObject({ at: T0 + 8000, heavy: true });
  });
  it("restarts once the backoff has passed", () => {
    const st = stateWith({ a: { lastActive: T0, restarts: [T0 - 11_000], status: UNKNOWN } });
    const d = decide(HEAL, snap({ heavy: true, panes: [pane("t-s"), pane("t-off")] }), st);
    expect(kinds(d.actions)).toEqual(["start:a"]);
    expect(d.state.agents.a!.restarts).toHaveLength(2);
  });
  it("parks a crash-looping agent with the reason", () => {
    const st = stateWith({ a: { lastActive: T0, restarts: [T0 - 300_000, T0 - 200_000, T0 - 100_000], status: UNKNOWN } });
    const d = decide(HEAL, snap({ heavy: true, panes: [pane("t-s"), pane("t-off")] }), st);
    expect(d.actions).toEqual([expect.objectContaining({ type: "park", agent: "a" })]);
    expect(d.state.agents.a!.parked?.reason).toMatch(/3 restarts in 600s; last: session missing/);
  });
  it("restarts outside the window do not count", () => {
    const st = stateWith({ a: { lastActive: T0, restarts: [T0 - 900_000, T0 - 800_000, T0 - 700_000], status: UNKNOWN } });
    const d = decide(HEAL, snap({ heavy: true, panes: [pane("t-s"), pane("t-off")] }), st);
    expect(kinds(d.actions)).toEqual(["start:a"]);
  });
  it("a parked agent is left alone until its marker is removed", () => {
    const parked = stateWith({ a: { lastActive: T0, restarts: [1, 2, 3], status: UNKNOWN, parked: { reason: "r", at: T0 } } });
    const still = decide(HEAL, snap({ heavy: true, panes: [pane("t-s"), pane("t-off")], parked: { a: "r" } }), parked);
    expect(kinds(still.actions)).toEqual([]);
    expect(still.state.agents.a!.status).toMatchObject({ state: "parked", reason: "r" });
    const freed = decide(HEAL, snap({ heavy: true, panes: [pane("t-s"), pane("t-off")] }), parked);
    expect(kinds(freed.actions)).toEqual(["note:a", "start:a"]);
  });
  it("a marker written by `agents down <name>` parks without restarts", () => {
    const d = decide(HEAL, snap({ heavy: true, panes: [pane("t-s"), pane("t-off")], parked: { a: "stopped by `agents down`" } }), stateWith());
    expect(kinds(d.actions)).toEqual([]);
  });
});

describe("stall (heal+stall, signal tick)", () => {
  const base = { panes: [pane("t-a"), pane("t-s"), pane("t-off")] };
  it("quiet for stall_idle with no marker: kill + reboot", () => {
    const st = stateWith({ s: { lastActive: T0 - 121_000, restarts: [], status: UNKNOWN } });
    const d = decide(HEAL, snap({ ...base, screens: { "t-s": reading("idle") } }), st);
    expect(d.actions).toEqual([expect.objectContaining({ type: "start", agent: "s", force: true, reason: "idle 121s with no WAITING-UNTIL marker" })]);
  });
  it("quiet for less than stall_idle: nothing", () => {
    const st = stateWith({ s: { lastActive: T0 - 100_000, restarts: [], status: UNKNOWN } });
    expect(decide(HEAL, snap({ ...base, screens: { "t-s": reading("idle") } }), st).actions).toEqual([]);
  });
  it("a future WAITING-UNTIL is honoured", () => {
    const st = stateWith({ s: { lastActive: T0 - 3600_000, restarts: [], status: UNKNOWN } });
    const d = decide(HEAL, snap({ ...base, screens: { "t-s": reading("idle", { waitingUntil: T0 + 600_000 }) } }), st);
    expect(d.actions).toEqual([]);
    expect(d.state.agents.s!.status).toMatchObject({ state: "waiting", until: Date.parse("2026-11-21T12:10:00Z") });
  });
  it("within stall_grace past the marker: still waiting", () => {
    const st = stateWith({ s: { lastActive: T0 - 3600_000, restarts: [], status: UNKNOWN } });
    const d = decide(HEAL, snap({ ...base, screens: { "t-s": reading("idle", { waitingUntil: T0 - 170_000 }) } }), st);
    expect(d.actions).toEqual([]);
  });
  it("past the marker by more than stall_grace: reboot", () => {
    const st = stateWith({ s: { lastActive: T0 - 3600_000, restarts: [], status: UNKNOWN } });
    const d = decide(HEAL, snap({ ...base, screens: { "t-s": reading("idle", { waitingUntil: T0 - 200_000 }) } }), st);
    expect(d.actions).toEqual([expect.objectContaining({ type: "start", agent: "s", reason: "past its WAITING-UNTIL by 200s" })]);
  });
  it("working with a changing pane resets the idle clock", () => {
    const st = stateWith({ s: { lastActive: T0 - 500_000, restarts: [], status: UNKNOWN, seenActivity: T0 / 1000 - 5 } });
    const d = decide(HEAL, snap({ panes: [pane("t-a"), pane("t-s", { activity: T0 / 1000 }), pane("t-off")], screens: { "t-s": reading("working") } }), st);
    expect(d.actions).toEqual([]);
    expect(d.state.agents.s!.lastActive).toBe(T0);
  });
  it("a frozen screen that says working is a stall", () => {
    const frozen = T0 / 1000 - 500;
    const st = stateWith({ s: { lastActive: T0 - 500_000, restarts: [], status: UNKNOWN, seenActivity: frozen } });
    const d = decide(HEAL, snap({ panes: [pane("t-a"), pane("t-s", { activity: frozen }), pane("t-off")], screens: { "t-s": reading("working") } }), st);
    expect(kinds(d.actions)).toEqual([]);
    const later = decide(HEAL, snap({ panes: [pane("t-a"), pane("t-s", { activity: frozen }), pane("t-off")], screens: { "t-s": reading("idle") } }), d.state);
    expect(kinds(later.actions)).toEqual(["start:s"]);
  });
  it("footer UI: a recently written log counts as activity", () => {
    const fleet = fleetFrom(`${BASE}
[backend.tui]
bin = "tui"
footer_ui = true
log_grace = 180
stall_idle = 60
[[agent]]
name = "s"
backend = "tui"
watch = "heal+stall"
`);
    const st = stateWith({ s: { lastActive: T0 - 500_000, restarts: [], status: UNKNOWN } });
    const fresh = decide(fleet, snap({ panes: [pane("t-s")], screens: { "t-s": reading("idle") }, logMtimes: { "t-s": T0 - 30_000 } }), st);
    expect(fresh.actions).toEqual([]);
    const stale = decide(fleet, snap({ panes: [pane("t-s")], screens: { "t-s": reading("idle") }, logMtimes: { "t-s": T0 - 400_000 } }), st);
    expect(kinds(stale.actions)).toEqual(["start:s"]);
  });
  it("a dialog is not a stall (it needs a human, not a reboot)", () => {
    const st = stateWith({ s: { lastActive: T0 - 900_000, restarts: [], status: UNKNOWN } });
    const d = decide(HEAL, snap({ ...base, screens: { "t-s": reading("dialog") } }), st);
    // Said once, as it appears (the `dialog` notification), and not again while it stays.
    expect(d.actions).toEqual([expect.objectContaining({ type: "note", agent: "s", event: "dialog-needs-human" })]);
    expect(d.state.agents.s!.status).toMatchObject({ state: "dialog", reason: "a dialog needs a human" });
    expect(decide(HEAL, snap({ ...base, now: T0 + 1000, screens: { "t-s": reading("dialog") } }), d.state).actions).toEqual([]);
  });
  it("a known start-up dialog is answered with explicit keys once it has settled", () => {
    const dialog = { keys: ["Down", "Enter"], option: "Yes, I trust this folder" };
    const spec = { ...base, screens: { "t-s": reading("dialog", { dialog }) } };
    const first = decide(HEAL, snap(spec), stateWith());
    expect(first.actions).toEqual([]);
    const second = decide(HEAL, snap({ ...spec, now: T0 + 1000 }), first.state);
    expect(second.actions).toEqual([expect.objectContaining({ type: "keys", agent: "s", keys: ["Down", "Enter"] })]);
    const third = decide(HEAL, snap({ ...spec, now: T0 + 2000 }), second.state);
    expect(third.actions).toEqual([]);
    const later = decide(HEAL, snap({ ...spec, now: T0 + 13_000 }), third.state);
    expect(kinds(later.actions)).toEqual(["keys:s"]);
  });
});

describe("usage limits", () => {
  const panes = [pane("t-a"), pane("t-s"), pane("t-off")];
  const limited = (reset?: { text: string; at?: number }) => reading("limited", { reset, line: "usage limit" });
  it("a parsed reset holds until reset + slack", () => {
    const d = decide(HEAL, snap({ panes, screens: { "t-s": limited({ text: "3pm", at: T0 + 3 * 3600_000 }) } }), stateWith());
    expect(d.state.agents.s!.hold).toMatchObject({ parsed: true, until: T0 + 3 * 3600_000 + 45_000 });
    // "a" shares s's account (same backend, same HOME): it is held too (test/watchdog/account.test.ts).
    expect(d.actions.map((x) => (x.type === "note" ? `${x.event}:${x.agent}` : x.type))).toEqual(["account-hold:s", "limit-hold:s"]);
    expect(d.state.agents.s!.status).toMatchObject({ state: "limited", since: T0, until: Date.parse("2026-11-21T15:00:45Z") });
    expect(d.deadline).toMatchObject({ at: Date.parse("2026-11-21T15:00:45Z"), heavy: false });
  });
  it("an unparsable reset probes every limit_probe_fallback", () => {
    const d = decide(HEAL, snap({ panes, screens: { "t-s": limited() } }), stateWith());
    expect(d.state.agents.s!.hold).toMatchObject({ parsed: false, until: T0 + 300_000 });
  });
  it("a held agent is never stall-killed nor fatal-healed", () => {
    const st = stateWith({ s: { lastActive: T0 - 9e6, restarts: [], status: UNKNOWN, hold: { since: T0 - 1000, until: T0 + 1e6, parsed: true, nudges: 0 } } });
    const d = decide(HEAL, snap({ heavy: true, panes, screens: { "t-s": limited() } }), st);
    expect(kinds(d.actions)).toEqual([]);
  });
  it("at the end of the hold it nudges with a message for its kind and probes again later", () => {
    const st = stateWith({ s: { lastActive: T0, restarts: [], status: UNKNOWN, hold: { since: T0 - 9000, until: T0 - 1, parsed: false, nudges: 0 } } });
    const d = decide(HEAL, snap({ panes, screens: { "t-s": limited() } }), st);
    expect(d.actions).toEqual([expect.objectContaining({ type: "ping", agent: "s", purpose: "nudge" })]);
    expect(d.state.agents.s!.hold).toMatchObject({ nudges: 1, until: T0 + 300_000 });
  });
  it("the hold clears when the agent works again or the banner is gone", () => {
    const st = stateWith({ s: { lastActive: T0, restarts: [], status: UNKNOWN, hold: { since: T0 - 9000, until: T0 + 1e6, parsed: false, nudges: 1 } } });
    for (const state of ["working", "idle"] as const) {
      const d = decide(HEAL, snap({ panes, screens: { "t-s": reading(state) } }), st);
      expect(d.state.agents.s!.hold).toBeUndefined();
      expect(d.actions[0]).toMatchObject({ type: "note", event: "limit-lifted" });
    }
  });
  it("a reset far beyond limit_max_hold is not trusted", () => {
    const d = decide(HEAL, snap({ panes, screens: { "t-s": limited({ text: "next year", at: T0 + 400 * 86400_000 }) } }), stateWith());
    expect(d.state.agents.s!.hold).toMatchObject({ parsed: false });
  });
});

describe("wake", () => {
  const fleet = fleetFrom(`${BASE}
[[agent]]
name = "sup"
wake = { interval = 600, prompt_file = "prompts/wake.md" }
[[agent]]
name = "cr"
wake = { cron = "*/5 * * * *", prompt_file = "prompts/wake.md" }
`);
  const panes = [pane("t-sup"), pane("t-cr")];
  it("pings an idle agent once the interval has passed", () => {
    const st = stateWith({ sup: { lastActive: T0, restarts: [], status: UNKNOWN, lastWake: T0 - 601_000 } });
    const d = decide(fleet, snap({ panes, screens: { "t-sup": reading("idle"), "t-cr": reading("idle") } }), st);
    expect(d.actions).toEqual([expect.objectContaining({ type: "ping", agent: "sup", purpose: "wake" })]);
    expect(d.state.agents.sup!.lastWake).toBe(T0);
  });
  it("a busy agent is retried next tick", () => {
    const st = stateWith({ sup: { lastActive: T0, restarts: [], status: UNKNOWN, lastWake: T0 - 601_000 } });
    const d = decide(fleet, snap({ panes, screens: { "t-sup": reading("working"), "t-cr": reading("idle") } }), st);
    expect(d.actions).toEqual([]);
    expect(d.state.agents.sup!.lastWake).toBe(T0 - 601_000);
  });
  it("cron wakes fire when due", () => {
    const d = decide(fleet, snap({ panes, cronDue: ["cr"], screens: { "t-sup": reading("idle"), "t-cr": reading("idle") } }), stateWith());
    expect(kinds(d.actions)).toEqual(["ping:cr"]);
  });
  it("no wakes once the sequence is complete", () => {
    const st = stateWith({ sup: { lastActive: T0, restarts: [], status: UNKNOWN, lastWake: T0 - 601_000 } });
    const d = decide(fleet, snap({ panes, cronDue: ["cr"], phase: { sequenceComplete: true }, screens: { "t-sup": reading("idle"), "t-cr": reading("idle") } }), st);
    expect(d.actions).toEqual([]);
  });
});

const LOOP = fleetFrom(`${BASE}
[loop]
phases = [ { id = "P1", status = "s1.md" }, { id = "P2", status = "s2.md" } ]
handoff = { inboxes = ["to-adversary.md", "to-builder.md"] }
on_complete = { run = "report" }
[[agent]]
name = "builder"
kind = "loop"
role = "builder"
watch = "heal+stall"
[[agent]]
name = "adversary"
kind = "loop"
role = "adversary"
watch = "heal+stall"
[[agent]]
name = "report"
kind = "task"
enabled = false
`);

describe("handoff pings", () => {
  const panes = [pane("t-builder"), pane("t-adversary")];
  const screens = { "t-builder": reading("working"), "t-adversary": reading("working") };
  it("the first head seen is a baseline, not a ping", () => {
    const d = decide(LOOP, snap({ panes, screens, git: { head: "aaa", inboxes: {} } }), stateWith());
    expect(d.actions).toEqual([]);
    expect(d.state.handoff.sha).toBe("aaa");
  });
  it("claim commits ping the reviewer, review commits ping the builder", () => {
    const st = { ...stateWith(), handoff: { sha: "aaa", inboxes: {} } };
    const d = decide(LOOP, snap({ panes, screens, git: { head: "bbb", subjects: ["claim: gate 1", "review: gate 1 rejected"], inboxes: {} } }), st);
    expect(d.actions).toEqual([
      expect.objectContaining({ type: "ping", agent: "adversary", text: CLAIM_PING }),
      expect.objectContaining({ type: "ping", agent: "builder", text: REVIEW_PING }),
    ]);
    expect(d.state.handoff.sha).toBe("bbb");
  });
  it("other commits ping nobody", () => {
    const st = { ...stateWith(), handoff: { sha: "aaa", inboxes: {} } };
    const d = decide(LOOP, snap({ panes, screens, git: { head: "bbb", subjects: ["docs: typo"], inboxes: {} } }), st);
    expect(d.actions).toEqual([]);
  });
  it("a changed inbox pings its target once per change", () => {
    const st = { ...stateWith(), handoff: { sha: "aaa", inboxes: {} } };
    const d1 = decide(LOOP, snap({ panes, screens, git: { head: "aaa", inboxes: { "to-builder.md": "h1" } } }), st);
    expect(kinds(d1.actions)).toEqual(["ping:builder"]);
    const d2 = decide(LOOP, snap({ panes, screens, git: { head: "aaa", inboxes: { "to-builder.md": "h1" } } }), d1.state);
    expect(d2.actions).toEqual([]);
    const d3 = decide(LOOP, snap({ panes, screens, git: { head: "aaa", inboxes: { "to-builder.md": "h2", "to-adversary.md": "x" } } }), d2.state);
    expect(kinds(d3.actions)).toEqual(["ping:adversary", "ping:builder"]);
  });
});

describe("phase advance (heavy tick)", () => {
  const panes = [pane("t-builder"), pane("t-adversary")];
  const screens = { "t-builder": reading("working"), "t-adversary": reading("working") };
  it("not done: nothing", () => {
    expect(decide(LOOP, snap({ heavy: true, panes, screens }), stateWith()).actions).toEqual([]);
  });
  it("done: stop loops, write the next index, restart loops (no healing this tick)", () => {
    const d = decide(LOOP, snap({ heavy: true, panes, screens, phase: { done: true } }), stateWith());
    expect(kinds(d.actions)).toEqual(["kill:builder", "kill:adversary", "set-phase", "start:builder", "start:adversary"]);
    expect(d.actions[2]).toMatchObject({ index: 1 });
  });
  it("last phase done: stop loops and mark the sequence complete once", () => {
    const d = decide(LOOP, snap({ heavy: true, panes, screens, phase: { index: 1, done: true } }), stateWith());
    expect(kinds(d.actions)).toEqual(["kill:builder", "kill:adversary", "mark-complete"]);
    const again = decide(LOOP, snap({ heavy: true, panes: [], phase: { index: 1, done: true, sequenceComplete: true } }), d.state);
    expect(kinds(again.actions)).toEqual([]);
  });
  it("complete + trigger file: consume it and run on_complete", () => {
    const d = decide(LOOP, snap({ heavy: true, panes: [], phase: { index: 1, done: true, sequenceComplete: true, triggerPresent: true } }), stateWith());
    expect(kinds(d.actions)).toEqual(["consume-trigger", "start:report"]);
  });
  it("loops are never healed back after completion", () => {
    const d = decide(LOOP, snap({ heavy: true, panes: [], phase: { index: 1, done: true, sequenceComplete: true } }), stateWith());
    expect(d.actions.filter((a) => a.type === "start")).toEqual([]);
  });
  it("a phase appended after completion resumes the loops", () => {
    const d = decide(LOOP, snap({ heavy: true, panes: [], phase: { index: 0, done: true, sequenceComplete: true } }), stateWith());
    expect(kinds(d.actions)).toEqual(["set-phase", "clear-complete", "start:builder", "start:adversary"]);
  });
});
