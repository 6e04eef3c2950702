// Starts and the watchdog's bookkeeping when log_dir cannot be written: the kickoff goes to the
// runtime dir, creating log_dir never throws, the event log degrades instead of throwing, and a
// failure that repeats every tick is reported once per condition.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { writeKickoff } from "../../src/state/kickoff.js";
import * as paths from "../../src/state/paths.js";
import { loadWatchdogState } from "../../src/state/watchdog-state.js";
import { ConditionReport, createEventLog, nextCondition, type EventFields } from "../../src/log.js";
import { tempDir } from "../helpers/tmp.js";
import { mountTmpfs, tmpfsSkipReason } from "../helpers/tmpfs.js";

beforeEach(() => {
  vi.stubEnv("XDG_RUNTIME_DIR", tempDir("xdg"));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A fleet whose log_dir is a regular file: nothing under it can be created. */
function blockedFleet(): paths.PathFleet {
  const base = tempDir("degrade");
  writeFileSync(path.join(base, "logs"), "in the way");
  return { logDir: path.join(base, "logs"), watchdogSession: "p-watchdog", loop: { state_file: "phase-idx" } } as unknown as paths.PathFleet;
}

describe("a start when log_dir cannot be written", () => {
  it("the kickoff goes to the runtime dir, private to us", () => {
    const f = blockedFleet();
    const file = writeKickoff(f, "p-a", "do the thing\n");
    expect(file).toBe(paths.fallbackKickoffFile(f, "p-a"));
    expect(readFileSync(file, "utf8")).toBe("do the thing\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it("a writable log_dir still gets it", () => {
    const f = { ...blockedFleet(), logDir: path.join(tempDir("degrade"), "logs") } as paths.PathFleet;
    expect(writeKickoff(f, "p-a", "x")).toBe(paths.kickoffFile(f, "p-a"));
  });

  it("creating log_dir returns the error instead of throwing", () => {
    expect(paths.ensureLogDirs(blockedFleet())?.code).toMatch(/^(ENOTDIR|EEXIST)$/);
    expect(paths.ensureLogDirs({ ...blockedFleet(), logDir: path.join(tempDir("degrade"), "l") } as paths.PathFleet)).toBeUndefined();
  });
});

describe("the event log", () => {
  it("never throws on an unwritable log_dir: events go to the fallback, with one event saying so", () => {
    const f = blockedFleet();
    const echoed: string[] = [];
    const log = createEventLog(paths.watchdogEventsFile(f), (l) => echoed.push(l), {
      fallback: () => (paths.ensureRuntimeDir(f), paths.fallbackEventsFile(f)),
    });
    log.event("info", { action: "watchdog-up", reason: "x" });
    log.event("info", { action: "restarted", agent: "a", reason: "session missing" });
    const events = readFileSync(paths.fallbackEventsFile(f), "utf8").trim().split("\n").map((l) => JSON.parse(l) as EventFields);
    expect(events.map((e) => e.action)).toEqual(["watchdog-up", "event-log-degraded", "restarted"]);
    expect(echoed.filter((l) => l.includes("event-log-degraded"))).toHaveLength(1);
  });
});

describe("a failure repeated every tick", () => {
  it("nextCondition: report the first failure, a new errno, and the recovery, nothing else", () => {
    let cur: string | undefined;
    const seen: (string | undefined)[] = [];
    for (const o of [{ ok: false, errno: "ENOSPC" }, { ok: false, errno: "ENOSPC" }, { ok: false, errno: "EROFS" }, { ok: true }, { ok: true }] as const) {
      const r = nextCondition(cur, o);
      cur = r.current;
      seen.push(r.report);
    }
    expect(seen).toEqual(["failed", undefined, "failed", "recovered", undefined]);
  });

  it("ConditionReport logs state-write-failed with the errno once, then state-write-recovered", () => {
    const events: EventFields[] = [];
    const rep = new ConditionReport({ event: (_l, e) => events.push(e), flush() {} }, { failed: "state-write-failed", recovered: "state-write-recovered" });
    const enospc = Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
    for (let tick = 0; tick < 5; tick++) rep.failed(enospc, "writing the watchdog state");
    rep.ok("writing the watchdog state");
    rep.ok("writing the watchdog state");
    expect(events.map((e) => [e.action, e.errno])).toEqual([
      ["state-write-failed", "ENOSPC"],
      ["state-write-recovered", undefined],
    ]);
  });
});

describe("loading the watchdog state", () => {
  it.skipIf(tmpfsSkipReason)("a corrupt file on a read-only log_dir does not stop the start", () => {
    const fs = mountTmpfs(path.join(tempDir("degrade"), "mnt"), 64);
    const f = { logDir: fs.dir, watchdogSession: "p-watchdog", loop: { state_file: "phase-idx" } } as unknown as paths.PathFleet;
    paths.ensureLogDirs(f);
    writeFileSync(paths.watchdogStateFile(f), "{garbage");
    fs.readOnly();
    const r = loadWatchdogState(f);
    expect(r.state.agents).toEqual({});
    expect(r.corrupt?.keptAs).toMatch(/^nowhere \(EROFS/);
    fs.unmount();
  });
});
