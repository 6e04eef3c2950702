// Death forensics in act(): before a kill, restart or park the watchdog keeps a record of the
// screen (with scrollback), the pane as tmux describes it, the decision and the session log's tail;
// the event names the record. Against the fake tmux, which records every call in order, so "before
// the kill" is checked by the order of capture-pane and kill-session.
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Fleet } from "../../src/config/load.js";
import type { EventFields, EventLog } from "../../src/log.js";
import { recordsDir, sessionLogFile, rotatedSessionLogFile } from "../../src/state/paths.js";
import { readRecord, type ScreenRecord } from "../../src/state/records.js";
import { Tmux } from "../../src/tmux/tmux.js";
import { act, type Actor } from "../../src/watchdog/act.js";
import { LOG_TAIL_LINES, SCROLLBACK_LINES, tailLines } from "../../src/watchdog/forensics.js";
import { FakeTmux } from "../helpers/fake-tmux.js";
import { BASE, fleetFrom } from "./helpers.js";

type Logged = EventFields & { level: string };

function rig(watchdog = "") {
  const fleet: Fleet = fleetFrom(`${BASE}\n[watchdog]\n${watchdog}\n[[agent]]\nname = "a"\n[[agent]]\nname = "a-b"\n`);
  const fake = new FakeTmux();
  const events: Logged[] = [];
  const log: EventLog = { event: (level, fields) => void events.push({ level, ...fields }), flush() {} };
  const actor: Actor = { fleet, tmux: new Tmux({ transport: fake }), log, inFlight: new Set(), pinging: new Set() };
  const record = (e: Logged | undefined): ScreenRecord => {
    const rec = readRecord(fleet, String(e?.record));
    if (!rec) throw new Error(`no record ${String(e?.record)}`);
    return rec;
  };
  const settle = () => Promise.allSettled([...actor.inFlight]);
  return { fleet, fake, events, actor, record, settle, ev: (a: string) => events.filter((e) => e.action === a) };
}

const NAME = /^a-(killed|restarted|parked)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/;

describe("a record before the action", () => {
  it("kill: the screen, title, command, dead status and reason are saved before kill-session", async () => {
    const r = rig();
    r.fake.add("t-a", { text: "line one\nUNIQUE-7f3a\nSegmentation fault\n", title: "✳ Working on it", command: "node" });
    r.fake.exit("t-a", 139);
    await act(r.actor, [{ type: "kill", agent: "a", reason: "phase P1 done; advancing to P2" }]);
    const [e] = r.ev("killed");
    expect(e).toMatchObject({ agent: "a", reason: "phase P1 done; advancing to P2" });
    expect(String(e!.record)).toMatch(NAME);
    expect(readdirSync(recordsDir(r.fleet))).toEqual([e!.record]);
    const rec = r.record(e);
    expect(rec).toMatchObject({
      agent: "a",
      event: "killed",
      action: "kill",
      reason: "phase P1 done; advancing to P2",
      pane: { command: "node", title: "✳ Working on it", dead: true, deadStatus: 139 },
      screen: "line one\nUNIQUE-7f3a\nSegmentation fault",
      history: SCROLLBACK_LINES,
    });
    // The capture (with scrollback) came before the kill; the record's time is not after the event's.
    const h = r.fake.history();
    const capture = h.indexOf(`capture-pane -p -S -${SCROLLBACK_LINES} -t =t-a:`);
    expect(capture).toBeGreaterThanOrEqual(0);
    expect(capture).toBeLessThan(h.indexOf("kill-session -t =t-a"));
  });

  it("a pane a signal ended keeps the signal", async () => {
    const r = rig();
    r.fake.add("t-a", { text: "bye" });
    r.fake.signal("t-a", 9);
    await act(r.actor, [{ type: "kill", agent: "a", reason: "r" }]);
    expect(r.record(r.ev("killed")[0]).pane).toMatchObject({ dead: true, deadSignal: 9 });
    expect(r.record(r.ev("killed")[0]).pane?.deadStatus).toBeUndefined();
  });

  it("restart: saved before the forced start replaces the session; the event names it", async () => {
    const r = rig();
    r.fake.add("t-a", { text: "FATAL: credentials expired", command: "bash" });
    await act(r.actor, [{ type: "start", agent: "a", force: true, reason: "fatal: FATAL: credentials expired", restart: true, phase: 0 }]);
    await r.settle();
    const [e] = r.ev("restarted");
    expect(String(e!.record)).toMatch(NAME);
    expect(r.record(e)).toMatchObject({ event: "restarted", action: "start", reason: "fatal: FATAL: credentials expired", screen: "FATAL: credentials expired" });
    const h = r.fake.history();
    expect(h.findIndex((c) => c.startsWith("capture-pane"))).toBeLessThan(h.indexOf("kill-session -t =t-a"));
  });

  it("a kill then a start of the same agent share one record", async () => {
    const r = rig();
    r.fake.add("t-a", { text: "old phase" });
    await act(r.actor, [
      { type: "kill", agent: "a", reason: "phase P1 done" },
      { type: "start", agent: "a", force: true, reason: "phase P2 kickoff", restart: true, phase: 0 },
    ]);
    await r.settle();
    const [k] = r.ev("killed");
    const [s] = r.ev("restarted");
    expect(k!.record).toBeDefined();
    expect(s!.record).toBe(k!.record);
    expect(readdirSync(recordsDir(r.fleet))).toHaveLength(1);
    expect(r.fake.captures("t-a")).toBe(1);
  });

  it("a plain start (not a restart) saves nothing", async () => {
    const r = rig();
    await act(r.actor, [{ type: "start", agent: "a", force: false, reason: "kickoff", restart: false, phase: 0 }]);
    await r.settle();
    expect(r.ev("started")[0]!.record).toBeUndefined();
  });

  it("park: the pane and the session log's tail, escapes stripped and bounded", async () => {
    const r = rig();
    const log = sessionLogFile(r.fleet, "t-a");
    mkdirSync(path.dirname(log), { recursive: true });
    const lines = Array.from({ length: LOG_TAIL_LINES + 30 }, (_, i) => `\x1b[1;31mline ${i}\x1b[0m\r\n`);
    writeFileSync(rotatedSessionLogFile(r.fleet, "t-a", 1), "older part\n");
    writeFileSync(log, `${lines.join("")}\x1b[2K\rprogress 10%\rprogress 99%\n\n`);
    r.fake.add("t-a", { text: "panicked", command: "bash" });
    await act(r.actor, [{ type: "park", agent: "a", reason: "5 restarts in 600s; last: pane exited (status 1)" }]);
    const [e] = r.ev("parked");
    const rec = r.record(e);
    expect(rec).toMatchObject({ event: "parked", action: "park", reason: "5 restarts in 600s; last: pane exited (status 1)", screen: "panicked" });
    expect(rec.sessionLog?.file).toBe(log);
    expect(rec.sessionLog?.lines).toHaveLength(LOG_TAIL_LINES);
    expect(rec.sessionLog?.lines.at(-1)).toBe("progress 99%");
    expect(rec.sessionLog?.lines.at(-3)).toBe(`line ${LOG_TAIL_LINES + 29}`);
    expect(rec.sessionLog?.lines.join("\n")).not.toContain("\x1b");
  });

  it("no pane: the session log alone is kept (a session that died without remain-on-exit)", async () => {
    const r = rig();
    const log = sessionLogFile(r.fleet, "t-a");
    mkdirSync(path.dirname(log), { recursive: true });
    writeFileSync(log, "demo agent ready\nUNIQUE-last-words\n");
    r.fake.add("t-other");
    await act(r.actor, [{ type: "start", agent: "a", force: false, reason: "session missing", restart: true, phase: 0 }]);
    await r.settle();
    const rec = r.record(r.ev("restarted")[0]);
    expect(rec.pane).toBeNull();
    expect(rec.screen).toBeUndefined();
    expect(rec.sessionLog?.lines).toEqual(["demo agent ready", "UNIQUE-last-words"]);
  });

  it("a record that cannot be written does not stop the kill: the event says why", async () => {
    const r = rig();
    r.fake.add("t-a", { text: "x" });
    mkdirSync(path.dirname(recordsDir(r.fleet)), { recursive: true });
    writeFileSync(recordsDir(r.fleet), "a file where the records folder should be");
    await act(r.actor, [{ type: "kill", agent: "a", reason: "r" }]);
    const [e] = r.ev("killed");
    expect(String(e!.record)).toMatch(/^not saved: /);
    expect(r.fake.sessions.has("t-a")).toBe(false);
    chmodSync(recordsDir(r.fleet), 0o644);
  });

  it("keeps the newest [watchdog] records_keep per agent; another agent's are untouched", async () => {
    const r = rig("records_keep = 3");
    r.fake.add("t-a-b", { text: "other" });
    await act(r.actor, [{ type: "kill", agent: "a-b", reason: "r" }]);
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      r.fake.add("t-a", { text: `screen ${i}` });
      await act(r.actor, [{ type: "kill", agent: "a", reason: `kill ${i}` }]);
      names.push(String(r.ev("killed").at(-1)!.record));
      await new Promise((res) => setTimeout(res, 2)); // distinct millisecond stamps
    }
    const left = readdirSync(recordsDir(r.fleet)).sort();
    expect(left.filter((n) => n.startsWith("a-killed"))).toEqual(names.slice(-3).sort());
    expect(left.filter((n) => n.startsWith("a-b-"))).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(recordsDir(r.fleet), names.at(-1)!), "utf8")).reason).toBe("kill 4");
  });
});

describe("tailLines", () => {
  it("strips escapes, splits carriage-return redraws, drops blank lines, keeps the last n", () => {
    expect(tailLines("a\r\n\x1b[32mb\x1b[0m\n\n  \nc\rd\n", 3)).toEqual(["b", "c", "d"]);
  });
});
