// `agents why <agent>` as data and as text, and `status`'s marker for an agent with a record from
// the last hour: from a watchdog state file, an events file and records written as the watchdog
// writes them.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { recordMarker } from "../../src/commands/agent-status.js";
import { status } from "../../src/commands/status.js";
import { collectWhy, WHY_EVENTS, WHY_SCREEN_LINES } from "../../src/commands/why-report.js";
import { localTime, renderWhy } from "../../src/commands/why.js";
import { watchdogEventsFile } from "../../src/state/paths.js";
import { writeScreenRecord } from "../../src/state/records.js";
import { writeWatchdogState } from "../../src/state/watchdog-state.js";
import { emptyState } from "../../src/watchdog/types.js";
import { fakeCtx } from "../helpers/fake-tmux.js";
import { BASE, fleetFrom } from "../watchdog/helpers.js";

const TOML = `${BASE}\n[[agent]]\nname = "a"\n[[agent]]\nname = "a-b"\n[[agent]]\nname = "quiet"\n`;

function setup() {
  const fleet = fleetFrom(TOML);
  const now = Date.now();
  const state = emptyState();
  state.heartbeat = now;
  state.agents.a = { lastActive: now, restarts: [now - 60_000], status: { state: "restarting", reason: "fatal: FATAL: boom", since: now - 60_000 } };
  writeWatchdogState(fleet, state);
  const events: Record<string, unknown>[] = [
    ...Array.from({ length: WHY_EVENTS + 5 }, (_, i) => ({ level: 30, time: new Date(now - 600_000 + i).toISOString(), agent: "a", action: "pinged", reason: `ping ${i}`, tries: 1 })),
    { level: 30, time: new Date(now - 61_000).toISOString(), agent: "a-b", action: "started", reason: "not a's" },
    { level: 40, time: new Date(now - 60_000).toISOString(), agent: "a", action: "restarted", reason: "fatal: FATAL: boom", record: "RECORD", detail: "demo, persistent" },
  ];
  const screen = [...Array.from({ length: 60 }, (_, i) => `screen line ${i}`), "", "UNIQUE-why-1", "FATAL: boom", "", ""].join("\n");
  const file = writeScreenRecord(fleet, {
    agent: "a",
    event: "restarted",
    action: "start",
    at: now - 60_000,
    reason: "fatal: FATAL: boom",
    pane: { command: "bash", title: "demo ✳", dead: false },
    screen,
    history: 200,
    sessionLog: { file: "/logs/t-a.log", lines: ["log 1", "log 2"] },
  });
  const name = path.basename(file);
  events.at(-1)!.record = name;
  mkdirSync(path.dirname(watchdogEventsFile(fleet)), { recursive: true });
  writeFileSync(watchdogEventsFile(fleet), `${events.map((e) => JSON.stringify(e)).join("\n")}\nnot json\n`);
  // An old record of another agent whose name shares the prefix: never a's.
  writeScreenRecord(fleet, { agent: "a-b", event: "killed", at: now - 30_000, reason: "b's" });
  return { fleet, now, name };
}

describe("agents why", () => {
  it("reports the status, the agent's last events oldest first, and the newest record", () => {
    const { fleet, now, name } = setup();
    const r = collectWhy(fleet, "a", now);
    expect(r.status).toMatchObject({ state: "restarting", reason: "fatal: FATAL: boom", since: new Date(now - 60_000).toISOString() });
    expect(r.events).toHaveLength(WHY_EVENTS);
    expect(r.events.every((e) => e.action !== "started")).toBe(true);
    expect(r.events.at(-1)).toEqual({
      time: new Date(now - 60_000).toISOString(),
      level: "warn",
      action: "restarted",
      reason: "fatal: FATAL: boom",
      record: name,
      fields: { detail: "demo, persistent" },
    });
    expect(r.events[0]!.reason).toBe("ping 6");
    expect(r.record).toMatchObject({ name, event: "restarted", reason: "fatal: FATAL: boom", pane: { command: "bash", title: "demo ✳", dead: false } });
    expect(r.record!.screen).toHaveLength(WHY_SCREEN_LINES);
    expect(r.record!.screen.slice(-2)).toEqual(["UNIQUE-why-1", "FATAL: boom"]);
    expect(r.record!.sessionLog).toEqual({ file: "/logs/t-a.log", lines: ["log 1", "log 2"] });
    // The JSON form round-trips.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("the text names the time, the reason and the screen's last lines", () => {
    const { fleet, now, name } = setup();
    const text = renderWhy(collectWhy(fleet, "a", now), now).join("\n");
    expect(text).toContain(`a (t-a): restarting since ${localTime(now - 60_000)} — fatal: FATAL: boom`);
    expect(text).toContain(`last record: ${name}`);
    expect(text).toContain(`time:   ${localTime(now - 60_000)} (60s ago)`);
    expect(text).toContain("  │ UNIQUE-why-1\n  │ FATAL: boom\n");
    expect(text).toContain(`WARN restarted — fatal: FATAL: boom  [detail=demo, persistent record=${name}]`);
    expect(text).toContain("command bash, title \"demo ✳\", alive");
  });

  it("an agent with no events, status or record says so", () => {
    const { fleet, now } = setup();
    const r = collectWhy(fleet, "quiet", now);
    expect(r).toMatchObject({ status: null, events: [], record: null });
    const text = renderWhy(r, now).join("\n");
    expect(text).toContain("no watchdog status yet");
    expect(text).toContain("last record: none");
  });
});

describe("status marks a record from the last hour", () => {
  it("JSON: last_record per agent row (null without one); text: a marker naming `agents why`", async () => {
    const { fleet, name } = setup();
    writeScreenRecord(fleet, { agent: "quiet", event: "parked", at: Date.now() - 2 * 3600_000, reason: "too old to mark" });
    const { ctx, out } = fakeCtx(fleet);
    await status(ctx, true);
    const rows = JSON.parse(out.join("\n")).rows as Record<string, unknown>[];
    const by = (n: string) => rows.find((r) => r.name === n)!;
    expect(by("a").last_record).toMatchObject({ name, event: "restarted" });
    expect(by("a-b").last_record).toMatchObject({ event: "killed" });
    expect(by("quiet").last_record).toBeNull();
    out.length = 0;
    await status(ctx, false);
    expect(out.find((l) => l.startsWith("a "))).toMatch(/† restarted (60|61|62)s ago — agents why a$/);
    expect(out.find((l) => l.startsWith("quiet "))).not.toContain("†");
  });

  it("the marker says seconds, then minutes", () => {
    const now = Date.parse("2026-12-02T10:00:00Z");
    expect(recordMarker("a", { name: "n", event: "killed", at: "2026-12-02T09:59:15Z" }, now)).toBe("† killed 45s ago — agents why a");
    expect(recordMarker("a", { name: "n", event: "parked", at: "2026-12-02T09:48:00Z" }, now)).toBe("† parked 12m ago — agents why a");
  });
});
