// What `down` relies on after it had to SIGKILL a watchdog: holderRunning tells the same process
// from a pid reused by another, and clearLockOf removes only lock files naming exactly that holder.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { clearLockOf, holderRunning, processStart } from "../../src/state/lock.js";
import { tempDir } from "../helpers/tmp.js";

const me = () => ({ pid: process.pid, start: processStart(process.pid) ?? "", since: "2026-01-01T00:00:00Z" });

describe("holderRunning", () => {
  it("is true for a live process with its start time, false for another start time or a dead pid", () => {
    expect(holderRunning(me())).toBe(true);
    if (processStart(process.pid) !== undefined) expect(holderRunning({ ...me(), start: "1" })).toBe(false);
    expect(holderRunning({ ...me(), pid: 2 ** 22 + 12345 })).toBe(false);
  });
});

describe("clearLockOf", () => {
  it("removes the runtime and legacy lock files that name the holder, and nothing else", () => {
    const dir = tempDir("lock");
    const file = path.join(dir, "watchdog.lock");
    const legacy = path.join(dir, "legacy.lock");
    const holder = { pid: 4242, start: "777", since: "2026-01-01T00:00:00Z" };
    writeFileSync(file, JSON.stringify(holder));
    writeFileSync(legacy, JSON.stringify({ ...holder, start: "778" }));
    expect(clearLockOf(file, holder, legacy)).toEqual([file]);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(legacy)).toBe(true); // another process with that pid: not ours to remove
    writeFileSync(legacy, JSON.stringify(holder));
    expect(clearLockOf(file, holder, legacy)).toEqual([legacy]);
    expect(existsSync(legacy)).toBe(false);
  });
});
