// src/state/: every path under log_dir from one module, parked markers, and a watchdog state file
// that is kept aside (never silently replaced) when it is corrupt.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as paths from "../../src/state/paths.js";
import { park, readParked, unpark } from "../../src/state/parked.js";
import { emptyState, loadWatchdogState, readWatchdogState, writeWatchdogState } from "../../src/state/watchdog-state.js";
import { tempDir } from "../helpers/tmp.js";

const T0 = Date.parse("2026-11-21T12:00:00Z");

function fleet() {
  const logDir = path.join(tempDir("state"), "logs");
  return { logDir, watchdogSession: "p-watchdog", loop: { state_file: "phase-idx", on_complete: { trigger_file: ".run" } } } as unknown as paths.PathFleet;
}

describe("paths", () => {
  it("every file lives under log_dir, machine state under log_dir/state; the lock does not", () => {
    const f = fleet();
    const files = [
      paths.watchdogStateFile(f),
      paths.legacyWatchdogLockFile(f),
      paths.watchdogEventsFile(f),
      paths.parkedMarkerFile(f, "a"),
      paths.kickoffFile(f, "p-a"),
      paths.resumeIdFile(f, "a"),
      paths.sessionLogFile(f, "p-a"),
      paths.phaseIndexFile(f),
      paths.sequenceCompleteFile(f),
      paths.onCompleteTriggerFile(f)!,
    ];
    for (const file of files) expect(file.startsWith(f.logDir + path.sep)).toBe(true);
    expect(new Set(files).size).toBe(files.length);
    expect(paths.watchdogStateFile(f)).toBe(path.join(f.logDir, "state", "watchdog.json"));
    expect(paths.watchdogEventsFile(f)).toBe(path.join(f.logDir, "p-watchdog.events.jsonl"));
    // Deleting log_dir must not delete the lock, nor the fallbacks used while log_dir is unwritable.
    for (const file of [paths.watchdogLockFile(f), paths.fallbackKickoffFile(f, "p-a"), paths.fallbackEventsFile(f)]) {
      expect(file.startsWith(f.logDir)).toBe(false);
      expect(path.dirname(file)).toBe(paths.runtimeDir(f));
    }
  });
});

describe("parked markers", () => {
  it("park, read, unpark", () => {
    const f = fleet();
    expect(readParked(f).size).toBe(0);
    park(f, "a", "5 restarts in 600s", T0);
    expect(readParked(f).get("a")).toEqual({ reason: "5 restarts in 600s", at: "2026-11-21T12:00:00.000Z" });
    expect(unpark(f, "a")).toBe(true);
    expect(unpark(f, "a")).toBe(false);
    expect(readParked(f).size).toBe(0);
  });
  it("an unreadable marker still parks", () => {
    const f = fleet();
    mkdirSync(paths.parkedDir(f), { recursive: true });
    writeFileSync(paths.parkedMarkerFile(f, "b"), "{not json");
    expect(readParked(f).get("b")?.reason).toBe("parked");
  });
});

describe("watchdog state", () => {
  it("round-trips", () => {
    const f = fleet();
    const s = emptyState();
    s.agents.a = { lastActive: T0, restarts: [T0], status: { state: "working", reason: "x", since: T0 } };
    writeWatchdogState(f, s);
    expect(readWatchdogState(f)).toEqual(s);
    expect(loadWatchdogState(f)).toEqual({ state: s });
  });
  it("a file from before structured statuses loads with an unknown status", () => {
    const f = fleet();
    mkdirSync(paths.stateDir(f), { recursive: true });
    writeFileSync(paths.watchdogStateFile(f), JSON.stringify({ version: 1, agents: { a: { lastActive: 1, restarts: [], view: "idle 3s" } }, handoff: { inboxes: {} } }));
    expect(loadWatchdogState(f).state.agents.a!.status.state).toBe("unknown");
  });
  const corrupt: [string, (file: string) => void][] = [
    ["garbage", (file) => writeFileSync(file, "{\"version\": 1, \"agen")],
    ["the wrong shape", (file) => writeFileSync(file, "[1,2,3]")],
    ["a directory in its place", (file) => mkdirSync(file)],
  ];
  for (const [name, make] of corrupt) {
    it(`${name} is kept aside, not lost, and the watchdog starts empty`, () => {
      const f = fleet();
      mkdirSync(paths.stateDir(f), { recursive: true });
      make(paths.watchdogStateFile(f));
      expect(readWatchdogState(f)).toEqual(emptyState());
      const r = loadWatchdogState(f, T0);
      expect(r.state).toEqual(emptyState());
      expect(r.corrupt?.keptAs).toBe(`${paths.watchdogStateFile(f)}.corrupt-2026-11-21T12-00-00-000Z`);
      expect(existsSync(r.corrupt!.keptAs)).toBe(true);
      expect(existsSync(paths.watchdogStateFile(f))).toBe(false);
      expect(readdirSync(paths.stateDir(f))).toEqual(["watchdog.json.corrupt-2026-11-21T12-00-00-000Z"]);
    });
  }
  it("an absent file is simply empty", () => {
    expect(loadWatchdogState(fleet())).toEqual({ state: emptyState() });
  });
});
