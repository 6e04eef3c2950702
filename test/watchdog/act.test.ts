// act(): carrying out decided actions against a fake tmux (test/helpers/fake-tmux.ts) and the state
// files under log_dir. Structural actions run in order; pings run in the background and are
// awaited through actor.inFlight. Ping tests use vitest's fake timers, so ping's real 300/400 ms
// waits cost nothing; the fake's screen behaves like a TUI input line (see TuiTmux).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Fleet } from "../../src/config/load.js";
import type { EventFields, EventLog } from "../../src/log.js";
import { Tmux, type RunResult } from "../../src/tmux/tmux.js";
import { act, type Actor } from "../../src/watchdog/act.js";
import type { Observer } from "../../src/watchdog/observe.js";
import type { Action } from "../../src/watchdog/types.js";
import { readParked } from "../../src/state/parked.js";
import { readPhaseIndex, writePhaseIndex } from "../../src/state/phase.js";
import { kickoffFile, onCompleteTriggerFile, phaseIndexFile, sequenceCompleteFile } from "../../src/state/paths.js";
import { FakeTmux } from "../helpers/fake-tmux.js";
import { BASE, fleetFrom } from "./helpers.js";

const TOML = `${BASE}
[watchdog]
ping_timeout = 0.5
[backend.demo]
nudge_keys = ["Escape"]
[[agent]]
name = "builder"
kind = "loop"
role = "builder"
[[agent]]
name = "x"
wake = { interval = 600, prompt_file = "prompts/wake.md" }
[[agent]]
name = "x2"
[loop]
kickoff_template = "prompts/kickoff.md"
phases = [ { id = "P1", status = "s1.md" }, { id = "P2", status = "s2.md" } ]
on_complete = { trigger_file = ".run-on-complete" }
`;

type Logged = EventFields & { level: "info" | "warn" | "error" };

/**
 * The fake tmux plus a minimal TUI on every session's screen: text typed with send-keys -l sits on
 * an input line above a footer; the submit key moves it into the transcript with a reply below
 * (what ping's linesBelow() reads as "submitted"). A session in `stuck` ignores the submit key.
 */
class TuiTmux extends FakeTmux {
  readonly stuck = new Set<string>();
  private readonly tui = new Map<string, { transcript: string[]; input: string }>();

  override async run(args: string[]): Promise<RunResult> {
    const r = await super.run(args);
    if (r.code === 0 && args[0] === "send-keys" && !args.includes(";")) {
      const name = args[args.indexOf("-t") + 1]!.replace(/^=/, "").split(":")[0]!;
      const dash = args.indexOf("--");
      const keys = args.slice(dash + 1);
      const literal = args.slice(0, dash).includes("-l");
      const t = this.tui.get(name) ?? { transcript: [], input: "" };
      this.tui.set(name, t);
      if (literal) t.input += keys.join("");
      else if (keys.includes("Enter") && !this.stuck.has(name) && t.input !== "") {
        t.transcript.push(`> ${t.input}`, "ok, on it");
        t.input = "";
      }
      this.get(name).text = [...t.transcript, `> ${t.input}`, "-- footer: ? for shortcuts --"].join("\n");
    }
    return r;
  }
}

interface Rig {
  fleet: Fleet;
  fake: TuiTmux;
  actor: Actor;
  events: Logged[];
  forgotten: string[];
  /** Events with this action name. */
  ev(action: string): Logged[];
  /** Wait for everything act left running in the background (pings, kickoff deliveries). */
  settle(): Promise<void>;
}

function rig(toml = TOML): Rig {
  const fleet = fleetFrom(toml);
  writeFileSync(path.join(fleet.projectDir, "prompts", "kickoff.md"), "phase {phase_id} as {role}\n");
  const fake = new TuiTmux();
  const events: Logged[] = [];
  const log: EventLog = {
    event(level, fields) {
      events.push({ level, ...fields });
    },
    flush() {},
  };
  const forgotten: string[] = [];
  const observer = { forget: (s: string) => forgotten.push(s) } as unknown as Observer;
  const actor: Actor = { fleet, tmux: new Tmux({ transport: fake }), log, observer, inFlight: new Set(), pinging: new Set() };
  return {
    fleet,
    fake,
    actor,
    events,
    forgotten,
    ev: (action) => events.filter((e) => e.action === action),
    async settle() {
      const all = Promise.allSettled([...actor.inFlight]);
      if (vi.isFakeTimers()) await vi.runAllTimersAsync();
      await all;
    },
  };
}

const indexOfCall = (fake: FakeTmux, prefix: string): number => fake.history().findIndex((c) => c.startsWith(prefix));

describe("structural actions", () => {
  it("kill, set-phase, start run in order, and the start uses its own phase", async () => {
    const r = rig();
    r.fake.add("t-builder");
    const actions: Action[] = [
      { type: "kill", agent: "builder", reason: "phase P1 done; advancing to P2" },
      { type: "set-phase", index: 1, reason: "phase P1 done; advancing to P2" },
      { type: "start", agent: "builder", force: false, reason: "phase P2 kickoff", restart: false, phase: 1 },
    ];
    await act(r.actor, actions);
    await r.settle();

    const kill = indexOfCall(r.fake, "kill-session -t =t-builder");
    const create = indexOfCall(r.fake, "new-session -d -s t-builder ");
    expect(kill).toBeGreaterThanOrEqual(0);
    expect(create).toBeGreaterThan(kill);
    expect(r.fake.history("kill-session")).toEqual(["kill-session -t =t-builder"]);
    expect(r.fake.history("new-session")).toHaveLength(1);
    expect(r.fake.sessions.has("t-builder")).toBe(true);

    expect(readFileSync(phaseIndexFile(r.fleet), "utf8").trim()).toBe("1");
    expect(readPhaseIndex(r.fleet)).toBe(1);
    expect(readFileSync(kickoffFile(r.fleet, "t-builder"), "utf8")).toBe("phase P2 as builder\nbuilder\n");

    expect(r.events.map((e) => e.action)).toEqual(["killed", "phase-advanced", "started"]);
    expect(r.ev("phase-advanced")[0]).toMatchObject({ level: "info", index: 1, phase: "P2" });
    expect(r.ev("started")[0]).toMatchObject({ level: "info", agent: "builder", reason: "phase P2 kickoff" });
    expect(String(r.ev("started")[0]!.detail)).toContain("phase=P2");
    expect(r.forgotten).toEqual(["t-builder", "t-builder"]);
  });

  it("a start renders the phase it carries, not the one in the phase file", async () => {
    const r = rig();
    writePhaseIndex(r.fleet, 0);
    await act(r.actor, [{ type: "start", agent: "builder", force: false, reason: "kickoff", restart: false, phase: 1 }]);
    expect(readPhaseIndex(r.fleet)).toBe(0);
    expect(readFileSync(kickoffFile(r.fleet, "t-builder"), "utf8")).toBe("phase P2 as builder\nbuilder\n");
  });

  it("start with force on a running session kills it, then creates it", async () => {
    const r = rig();
    const old = r.fake.add("t-x");
    await act(r.actor, [{ type: "start", agent: "x", force: true, reason: "replace", restart: false, phase: 0 }]);
    const kill = indexOfCall(r.fake, "kill-session -t =t-x");
    const create = indexOfCall(r.fake, "new-session -d -s t-x ");
    expect(kill).toBeGreaterThanOrEqual(0);
    expect(create).toBeGreaterThan(kill);
    const now = r.fake.get("t-x");
    expect(now).not.toBe(old);
    expect(now.startCommand).toContain("agent.sh");
    expect(r.ev("started")).toEqual([expect.objectContaining({ level: "info", agent: "x", reason: "replace" })]);
  });

  it("start without force on a running session creates nothing and logs start-skipped", async () => {
    const r = rig();
    const old = r.fake.add("t-x");
    await act(r.actor, [{ type: "start", agent: "x", force: false, reason: "kickoff", restart: false, phase: 0 }]);
    expect(r.fake.history("new-session")).toEqual([]);
    expect(r.fake.history("kill-session")).toEqual([]);
    expect(r.fake.get("t-x")).toBe(old);
    expect(r.events).toEqual([expect.objectContaining({ level: "info", agent: "x", action: "start-skipped", reason: "kickoff", detail: "already running" })]);
  });

  it("a restart is logged as restarted, at warn, with its reason", async () => {
    const r = rig();
    await act(r.actor, [{ type: "start", agent: "x", force: true, reason: "session missing", restart: true, phase: 0 }]);
    expect(r.fake.history("new-session")).toHaveLength(1);
    expect(r.events).toEqual([expect.objectContaining({ level: "warn", agent: "x", action: "restarted", reason: "session missing" })]);
  });

  it("a restart that finds the session already back is start-skipped, not restarted", async () => {
    const r = rig();
    r.fake.add("t-x");
    await act(r.actor, [{ type: "start", agent: "x", force: false, reason: "session missing", restart: true, phase: 0 }]);
    expect(r.fake.history("new-session")).toEqual([]);
    expect(r.events).toEqual([expect.objectContaining({ level: "info", action: "start-skipped", detail: "already running" })]);
  });

  it("a kill of a session that is already gone says so", async () => {
    const r = rig();
    r.fake.add("t-x2");
    await act(r.actor, [{ type: "kill", agent: "x", reason: "phase done" }]);
    expect(r.events).toEqual([expect.objectContaining({ action: "kill-skipped", reason: "phase done; no such session" })]);
  });

  it("park writes the parked marker and logs at error", async () => {
    const r = rig();
    await act(r.actor, [{ type: "park", agent: "x", reason: "5 restarts in 600s; last: exited" }]);
    expect(readParked(r.fleet).get("x")?.reason).toBe("5 restarts in 600s; last: exited");
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ level: "error", agent: "x", action: "parked" });
    expect(String(r.events[0]!.reason)).toContain("5 restarts in 600s; last: exited");
    // No pane and no session log: nothing to keep, so no record (forensics.test.ts has the rest).
    expect(r.events[0]!.record).toBeUndefined();
    expect(r.fake.history().filter((c) => !c.startsWith("list-panes"))).toEqual([]);
  });

  it("mark-complete writes SEQUENCE-COMPLETE, clear-complete removes it", async () => {
    const r = rig();
    const file = sequenceCompleteFile(r.fleet);
    expect(existsSync(file)).toBe(false);
    await act(r.actor, [{ type: "mark-complete", reason: "last phase P2 done" }]);
    expect(existsSync(file)).toBe(true);
    expect(r.events.at(-1)).toMatchObject({ level: "info", action: "sequence-complete", reason: "last phase P2 done" });
    await act(r.actor, [{ type: "clear-complete", reason: "phase P2 is not done" }]);
    expect(existsSync(file)).toBe(false);
    expect(r.events.at(-1)).toMatchObject({ level: "info", action: "sequence-resumed", reason: "phase P2 is not done" });
  });

  it("consume-trigger removes the on_complete trigger file", async () => {
    const r = rig();
    const trigger = onCompleteTriggerFile(r.fleet)!;
    expect(trigger).toBe(path.join(r.fleet.logDir, ".run-on-complete"));
    mkdirSync(path.dirname(trigger), { recursive: true });
    writeFileSync(trigger, "go\n");
    await act(r.actor, [{ type: "consume-trigger", reason: "sequence complete" }]);
    expect(existsSync(trigger)).toBe(false);
    expect(r.events).toEqual([expect.objectContaining({ level: "info", action: "on-complete-triggered", reason: "sequence complete" })]);
  });

  it("keys are sent as key names to the agent's exact pane target", async () => {
    const r = rig();
    r.fake.add("t-x");
    r.fake.add("t-x2");
    await act(r.actor, [{ type: "keys", agent: "x", keys: ["Down", "Enter"], reason: "trust dialog" }]);
    expect(r.fake.history("send-keys")).toEqual(["send-keys -t =t-x: -- Down Enter"]);
    expect(r.fake.get("t-x").sent).toEqual([expect.objectContaining({ literal: false, keys: ["Down", "Enter"] })]);
    expect(r.fake.get("t-x2").sent).toEqual([]);
    expect(r.events).toEqual([expect.objectContaining({ level: "info", agent: "x", action: "answered-dialog", reason: "trust dialog", keys: ["Down", "Enter"] })]);
  });

  it("a note logs its event at its level", async () => {
    const r = rig();
    await act(r.actor, [
      { type: "note", agent: "x", level: "warn", event: "limit-hold", reason: "usage limit until 14:00" },
      { type: "note", level: "info", event: "handoff-seen", reason: "new commit" },
    ]);
    expect(r.events).toEqual([
      { level: "warn", agent: "x", action: "limit-hold", reason: "usage limit until 14:00" },
      { level: "info", agent: undefined, action: "handoff-seen", reason: "new commit" },
    ]);
    expect(r.fake.calls).toEqual([]);
  });

  it("a detection-drift note keeps the screen in a record file under state, named in the event", async () => {
    const r = rig();
    r.fake.add("t-x", { text: "demo: working...\ndemo> " });
    const evidence = { screen: "working (active_re)", signal: "idle (claude, 12s old)", chosen: "signal" };
    await act(r.actor, [{ type: "note", agent: "x", level: "warn", event: "detection-drift", reason: "they disagree", saveScreen: true, evidence }]);
    const [e] = r.ev("detection-drift");
    expect(e).toMatchObject({ level: "warn", agent: "x", reason: "they disagree", evidence });
    // The event names the record (a file name); the file is under the state dir's records folder.
    const name = e!.record as string;
    expect(name).toMatch(/^x-detection-drift-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/);
    const file = path.join(r.fleet.logDir, "state", "records", name);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ agent: "x", event: "detection-drift", evidence, screen: "demo: working...\ndemo> " });
  });

  it("a failing action is logged as <type>-failed and the rest still run", async () => {
    const r = rig();
    r.fake.fail("new-session", "server exploded");
    await act(r.actor, [
      { type: "start", agent: "x", force: false, reason: "kickoff", restart: false, phase: 0 },
      { type: "mark-complete", reason: "after the failure" },
      { type: "note", agent: "x2", level: "info", event: "after", reason: "still here" },
    ]);
    await r.settle();
    expect(r.events.map((e) => e.action)).toEqual(["start-failed", "sequence-complete", "after"]);
    expect(r.events[0]).toMatchObject({ level: "error", agent: "x" });
    expect(String(r.events[0]!.reason)).toContain("server exploded");
    expect(existsSync(sequenceCompleteFile(r.fleet))).toBe(true);
  });

  it("actions for agents not in the fleet do nothing", async () => {
    const r = rig();
    await act(r.actor, [
      { type: "kill", agent: "ghost", reason: "r" },
      { type: "start", agent: "ghost", force: true, reason: "r", restart: true, phase: 0 },
      { type: "keys", agent: "ghost", keys: ["Enter"], reason: "r" },
      { type: "ping", agent: "ghost", text: "hi", purpose: "handoff", reason: "r" },
    ]);
    await r.settle();
    expect(r.fake.calls).toEqual([]);
    expect(r.events).toEqual([]);
  });
});

// With fake timers a ping that act() awaited inline would never finish: fail in seconds, not minutes.
describe("pings", { timeout: 5000 }, () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("types the text literally, then submits it with the submit key", async () => {
    const r = rig();
    const s = r.fake.add("t-x");
    await act(r.actor, [{ type: "ping", agent: "x", text: "check  the\ninbox", purpose: "handoff", reason: "inbox changed" }]);
    // act() returned with the ping still running: typed, not yet submitted.
    expect(r.actor.inFlight.size).toBe(1);
    expect(r.actor.pinging.has("x")).toBe(true);
    expect(s.sent.map((k) => k.keys)).toEqual([["check  the\ninbox"]]);
    await r.settle();
    expect(s.sent.map((k) => ({ literal: k.literal, keys: k.keys }))).toEqual([
      { literal: true, keys: ["check  the\ninbox"] },
      { literal: false, keys: ["Enter"] },
    ]);
    expect(r.fake.history("send-keys")).toEqual(["send-keys -t =t-x: -l -- check  the\ninbox", "send-keys -t =t-x: -- Enter"]);
    expect(r.ev("pinged")).toEqual([expect.objectContaining({ level: "info", agent: "x", reason: "inbox changed", purpose: "handoff", tries: 1 })]);
    expect(r.actor.pinging.size).toBe(0);
    expect(r.actor.inFlight.size).toBe(0);
  });

  it("a second ping to the same agent while the first is in flight is skipped", async () => {
    const r = rig();
    const s = r.fake.add("t-x");
    r.fake.add("t-x2");
    await act(r.actor, [
      { type: "ping", agent: "x", text: "first message", purpose: "handoff", reason: "one" },
      { type: "ping", agent: "x", text: "second message", purpose: "handoff", reason: "two" },
      { type: "ping", agent: "x2", text: "other agent", purpose: "handoff", reason: "three" },
    ]);
    expect(r.ev("ping-skipped")).toEqual([expect.objectContaining({ level: "info", agent: "x", purpose: "handoff" })]);
    await r.settle();
    expect(s.sent.filter((k) => k.literal).map((k) => k.keys)).toEqual([["first message"]]);
    expect(r.ev("pinged").map((e) => e.agent).sort()).toEqual(["x", "x2"]);

    // Once it has finished, the agent can be pinged again.
    await act(r.actor, [{ type: "ping", agent: "x", text: "third message", purpose: "handoff", reason: "four" }]);
    await r.settle();
    expect(s.sent.filter((k) => k.literal).map((k) => k.keys)).toEqual([["first message"], ["third message"]]);
    expect(r.ev("ping-skipped")).toHaveLength(1);
  });

  it("a wake ping types the agent's wake prompt file, whitespace-normalised", async () => {
    const r = rig();
    const s = r.fake.add("t-x");
    writeFileSync(path.join(r.fleet.projectDir, "prompts", "wake.md"), "Wake up:\n  check   the inbox\n");
    await act(r.actor, [{ type: "ping", agent: "x", text: "not this", purpose: "wake", reason: "interval" }]);
    await r.settle();
    expect(s.sent.filter((k) => k.literal).map((k) => k.keys)).toEqual([["Wake up: check the inbox"]]);
    expect(r.ev("pinged")).toEqual([expect.objectContaining({ agent: "x", purpose: "wake" })]);
  });

  it("a wake ping with its prompt file missing is skipped at warn", async () => {
    const r = rig();
    const s = r.fake.add("t-x");
    rmSync(path.join(r.fleet.projectDir, "prompts", "wake.md"));
    await act(r.actor, [{ type: "ping", agent: "x", text: "not this", purpose: "wake", reason: "interval" }]);
    await r.settle();
    expect(s.sent).toEqual([]);
    expect(r.events).toEqual([expect.objectContaining({ level: "warn", agent: "x", action: "ping-skipped" })]);
    expect(r.actor.pinging.size).toBe(0);
  });

  it("a nudge sends the backend's nudge_keys first, then the text and submit", async () => {
    const r = rig();
    const s = r.fake.add("t-x");
    await act(r.actor, [{ type: "ping", agent: "x", text: "limit over, continue", purpose: "nudge", reason: "limit reset" }]);
    await r.settle();
    expect(s.sent.map((k) => ({ literal: k.literal, keys: k.keys }))).toEqual([
      { literal: false, keys: ["Escape"] },
      { literal: true, keys: ["limit over, continue"] },
      { literal: false, keys: ["Enter"] },
    ]);
    // The menu gets a moment to close before the text is typed.
    expect(s.sent[1]!.at - s.sent[0]!.at).toBeGreaterThanOrEqual(300);
    expect(r.ev("pinged")).toEqual([expect.objectContaining({ agent: "x", purpose: "nudge" })]);
  });

  it("nudge_keys are only for nudges", async () => {
    const r = rig();
    const s = r.fake.add("t-x");
    await act(r.actor, [{ type: "ping", agent: "x", text: "new review", purpose: "handoff", reason: "inbox" }]);
    await r.settle();
    expect(s.sent.flatMap((k) => k.keys)).not.toContain("Escape");
  });

  it("an error inside a background ping becomes a ping-failed event", async () => {
    const r = rig();
    r.fake.add("t-x");
    const run = r.fake.run.bind(r.fake);
    r.fake.run = async (args: string[]) => {
      if (args[0] === "send-keys") throw new Error("transport broke");
      return run(args);
    };
    await act(r.actor, [{ type: "ping", agent: "x", text: "hello", purpose: "handoff", reason: "inbox changed" }]);
    await r.settle();
    expect(r.ev("ping-failed")).toEqual([expect.objectContaining({ level: "error", agent: "x", reason: "inbox changed; transport broke" })]);
    expect(r.actor.pinging.size).toBe(0);
  });

  it("a ping whose text never leaves the input line is logged as ping-unconfirmed at warn", async () => {
    const r = rig();
    r.fake.add("t-x");
    r.fake.stuck.add("t-x");
    await act(r.actor, [{ type: "ping", agent: "x", text: "are you there", purpose: "handoff", reason: "inbox" }]);
    await r.settle();
    const [e] = r.ev("ping-unconfirmed");
    expect(e).toMatchObject({ level: "warn", agent: "x", purpose: "handoff" });
    expect(String(e!.reason)).toMatch(/^inbox; text still on the input line/);
    expect(r.ev("pinged")).toEqual([]);
    expect(r.actor.pinging.size).toBe(0);
  });
});
