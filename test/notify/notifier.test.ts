// The notifier's queue with a fake sender and fake timers: order per sink, a failing sink retried
// with backoff without holding up the others, failure and recovery logged once each, the outbox
// carried over to the next watchdog, filters and dedup applied before anything is queued.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EventFields, EventLog } from "../../src/log.js";
import { Notifier } from "../../src/notify/notifier.js";
import type { SinkSpec } from "../../src/notify/policy.js";
import type { NotifyPayload } from "../../src/notify/events.js";
import { readNotifyState } from "../../src/state/notify-state.js";
import { MINIMAL, project } from "../helpers/project.js";

const NOTIFY = `[notify]\nwebhook = "https://hooks.example/secret"\ncommand = "cat"\n`;
const AGENTS = `[[agent]]\nname = "a"\n[[agent]]\nname = "quiet"\nnotify = { enabled = false }\n`;

function setup(notify = NOTIFY) {
  const fleet = project(`${MINIMAL}${notify}${AGENTS}`).load();
  const events: EventFields[] = [];
  const log: EventLog = { event: (_l, f) => events.push(f), flush() {} };
  const calls: { sink: string; payload: NotifyPayload }[] = [];
  const failing = new Set<string>();
  const send = async (s: SinkSpec, payload: NotifyPayload) => {
    calls.push({ sink: s.kind, payload });
    return failing.has(s.kind) ? { ok: false as const, error: "HTTP 500 from https://hooks.example/secret" } : { ok: true as const };
  };
  const start = () => {
    const n = new Notifier({ fleet: () => fleet, send });
    n.start(log);
    return n;
  };
  return { fleet, events, calls, failing, start };
}

const parked = (agent: string, reason = "3 restarts"): EventFields => ({ agent, action: "parked", reason, record: "/x/records/r.json" });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(Date.parse("2026-12-02T08:00:00Z"));
});
afterEach(() => vi.useRealTimers());

describe("Notifier", () => {
  it("a failing sink is retried with backoff while the other delivers; failure and recovery are logged once", async () => {
    const t = setup();
    t.failing.add("webhook");
    const n = t.start();
    n.observe("error", parked("a"));
    n.observe("info", { action: "phase-advanced", reason: "p1 done", phase: "p2" });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls.filter((c) => c.sink === "command").map((c) => c.payload.event)).toEqual(["parked", "phase-advanced"]);
    // The webhook is tried once (head of its queue), then waits out its backoff.
    expect(t.calls.filter((c) => c.sink === "webhook")).toHaveLength(1);
    expect(t.calls[0]!.payload).toMatchObject({ agent: "a", event: "parked", record: "r.json", fleet: "t" });
    await vi.advanceTimersByTimeAsync(2000 + 4000 + 8000);
    expect(t.calls.filter((c) => c.sink === "webhook")).toHaveLength(4);
    const failed = t.events.filter((e) => e.action === "notify-failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toBe("webhook https://hooks.example/…: HTTP 500 from https://hooks.example/…; retrying with backoff");
    const saved = readNotifyState(t.fleet);
    const hook = Object.values(saved.sinks).find((s) => s.sink.startsWith("webhook"))!;
    expect(hook).toMatchObject({ ok: false, failures: 4, pending: 2, lastError: "HTTP 500 from https://hooks.example/…" });
    expect(saved.pending).toHaveLength(2);
    t.failing.clear();
    await vi.advanceTimersByTimeAsync(16_000);
    expect(t.calls.filter((c) => c.sink === "webhook").slice(-2).map((c) => c.payload.event)).toEqual(["parked", "phase-advanced"]);
    expect(t.events.filter((e) => e.action === "notify-recovered")).toHaveLength(1);
    expect(readNotifyState(t.fleet).pending).toEqual([]);
    await n.stop();
  });

  it("what one watchdog still owed, the next one delivers", async () => {
    const t = setup();
    t.failing.add("webhook");
    const first = t.start();
    first.observe("error", parked("a"));
    await vi.advanceTimersByTimeAsync(0);
    await first.stop();
    expect(readNotifyState(t.fleet).pending.map((p) => p.payload.event)).toEqual(["parked"]);
    t.failing.clear();
    t.calls.length = 0;
    const second = t.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls.map((c) => `${c.sink}:${c.payload.event}:${c.payload.agent}`)).toEqual(["webhook:parked:a"]);
    await second.stop();
  });

  it("filters and dedup apply before anything is queued", async () => {
    const t = setup();
    const n = t.start();
    n.observe("error", parked("quiet")); // [agent.notify] enabled = false
    n.observe("warn", { agent: "a", action: "restarted", reason: "crash" }); // chatty: not in the default events
    n.observe("info", { agent: "a", action: "pinged", reason: "x" }); // not a notification
    n.observe("error", parked("a"));
    n.observe("error", parked("a", "again")); // same agent+event inside dedup_window
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls.map((c) => `${c.sink}:${c.payload.agent}:${c.payload.reason}`)).toEqual(["webhook:a:3 restarts", "command:a:3 restarts"]);
    await vi.advanceTimersByTimeAsync(600_000);
    n.observe("error", parked("a", "later"));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls.filter((c) => c.payload.reason === "later")).toHaveLength(2);
    await n.stop();
  });

  it("each sink gets only the events its kind asked for (<kind>_events), the rest what [notify].events says", async () => {
    const t = setup(`${NOTIFY}command_events = ["restarted"]\n`);
    const n = t.start();
    n.observe("warn", { agent: "a", action: "restarted", reason: "crash" });
    n.observe("error", parked("a"));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls.map((c) => `${c.sink}:${c.payload.event}`)).toEqual(["command:restarted", "webhook:parked"]);
    await n.stop();
  });

  it("without [notify] nothing is queued and no file is written", async () => {
    const t = setup("");
    const n = t.start();
    n.observe("error", parked("a"));
    await vi.advanceTimersByTimeAsync(0);
    await n.stop();
    expect(t.calls).toEqual([]);
    expect(existsSync(path.join(t.fleet.logDir, "state", "notify.json"))).toBe(false);
  });
});
