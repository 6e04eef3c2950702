// The watchdog lock in the runtime dir: where deleting log_dir cannot take it, honouring (and
// mirroring) the legacy lock an older watchdog keeps in log_dir/state, and checked every tick.
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FleetLock, holderOf, processStart, watchdogLock } from "../../src/state/lock.js";
import * as paths from "../../src/state/paths.js";
import { tempDir } from "../helpers/tmp.js";

let xdg: string;
beforeEach(() => {
  // A runtime dir of this test's own: nothing lands in the real $XDG_RUNTIME_DIR or tmpdir.
  xdg = tempDir("xdg");
  vi.stubEnv("XDG_RUNTIME_DIR", xdg);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function fleet(): paths.PathFleet {
  const logDir = path.join(tempDir("rtlock"), "logs");
  return { logDir, watchdogSession: "p-watchdog", loop: { state_file: "phase-idx" } } as unknown as paths.PathFleet;
}

/** A live process that is not us: the test runner's parent. */
const other = () => JSON.stringify({ pid: process.ppid, start: processStart(process.ppid), since: "earlier" });
const pidIn = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid;

describe("runtime dir", () => {
  it("is $XDG_RUNTIME_DIR/agents/<key of log_dir>, else <tmpdir>/agents-<uid>/<key>", () => {
    const f = fleet();
    expect(paths.runtimeDir(f)).toBe(path.join(xdg, "agents", paths.logDirKey(f)));
    expect(paths.runtimeRoot({})).toMatch(new RegExp(`/agents-${process.getuid!()}$`));
    expect(paths.logDirKey(f)).toMatch(/^[0-9a-f]{16}$/);
    expect(paths.logDirKey(fleet())).not.toBe(paths.logDirKey(f));
  });

  it("is created 0700, and a root that is too open is tightened", () => {
    const f = fleet();
    mkdirSync(path.join(xdg, "agents"), { mode: 0o777 });
    const dir = paths.ensureRuntimeDir(f);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(path.join(xdg, "agents")).mode & 0o777).toBe(0o700);
  });

  it("refuses a root that is a symlink (someone else's dir)", () => {
    const f = fleet();
    symlinkSync(tempDir("elsewhere"), path.join(xdg, "agents"));
    expect(() => paths.ensureRuntimeDir(f)).toThrow(/not a directory owned by this user/);
  });
});

describe("watchdog lock", () => {
  it("lives outside log_dir, mirrors into the legacy place, and leaves nothing after release", () => {
    const f = fleet();
    const lock = watchdogLock(f);
    lock.acquire();
    expect(pidIn(paths.watchdogLockFile(f))).toBe(process.pid);
    expect(pidIn(paths.legacyWatchdogLockFile(f))).toBe(process.pid);
    lock.release();
    expect(existsSync(paths.watchdogLockFile(f))).toBe(false);
    expect(existsSync(paths.legacyWatchdogLockFile(f))).toBe(false);
    // The runtime dir and its root go too when nothing else is in them.
    expect(existsSync(path.join(xdg, "agents"))).toBe(false);
  });

  it("survives log_dir being deleted: a second taker is refused", () => {
    const f = fleet();
    const lock = watchdogLock(f);
    lock.acquire();
    rmSync(f.logDir, { recursive: true, force: true });
    // What a second watchdog process would find: the runtime lock, held by a live process.
    writeFileSync(paths.watchdogLockFile(f), other());
    expect(() => watchdogLock(f).acquire()).toThrow(/another watchdog \(pid \d+, since earlier\)/);
    lock.release();
  });

  it("honours a live older watchdog's lock in log_dir/state, on acquire and in holderOf", () => {
    const f = fleet();
    mkdirSync(paths.stateDir(f), { recursive: true });
    writeFileSync(paths.legacyWatchdogLockFile(f), other());
    expect(() => watchdogLock(f).acquire()).toThrow(new RegExp(`another watchdog \\(pid ${process.ppid}.*lock ${paths.legacyWatchdogLockFile(f)}`));
    // `status` and `down` pass only watchdogLockFile(fleet): the legacy place is consulted too.
    expect(holderOf(paths.watchdogLockFile(f))?.pid).toBe(process.ppid);
    // Refusing created nothing that stays behind.
    expect(existsSync(path.join(xdg, "agents"))).toBe(false);
  });

  it("a stale legacy lock (dead holder) does not block", () => {
    const f = fleet();
    mkdirSync(paths.stateDir(f), { recursive: true });
    writeFileSync(paths.legacyWatchdogLockFile(f), JSON.stringify({ pid: 2 ** 22 + 12345, start: "1", since: "x" }));
    const lock = watchdogLock(f);
    lock.acquire();
    expect(pidIn(paths.legacyWatchdogLockFile(f))).toBe(process.pid);
    lock.release();
  });

  it("takes the lock with log_dir unwritable (a file where it should be)", () => {
    const base = tempDir("rtlock");
    writeFileSync(path.join(base, "logs"), "not a dir");
    const f = { ...fleet(), logDir: path.join(base, "logs") } as paths.PathFleet;
    const lock = watchdogLock(f);
    lock.acquire();
    expect(holderOf(paths.watchdogLockFile(f))?.pid).toBe(process.pid);
    expect(lock.check()).toEqual({ state: "held" });
    lock.release();
  });
});

describe("per-tick lock check", () => {
  it("held while untouched", () => {
    const lock = watchdogLock(fleet());
    lock.acquire();
    expect(lock.check()).toEqual({ state: "held" });
    lock.release();
  });

  it("recreates a lock file that vanished", () => {
    const f = fleet();
    const lock = watchdogLock(f);
    lock.acquire();
    rmSync(paths.runtimeDir(f), { recursive: true });
    expect(lock.check()).toMatchObject({ state: "recreated", reason: expect.stringMatching(/was gone/) });
    expect(pidIn(paths.watchdogLockFile(f))).toBe(process.pid);
    expect(lock.check()).toEqual({ state: "held" });
    lock.release();
  });

  it("reports the lock lost when another live process holds it, and release leaves that one alone", () => {
    const f = fleet();
    const lock = watchdogLock(f);
    lock.acquire();
    writeFileSync(paths.watchdogLockFile(f), other());
    expect(lock.check()).toMatchObject({ state: "lost", holder: { pid: process.ppid } });
    lock.release();
    expect(pidIn(paths.watchdogLockFile(f))).toBe(process.ppid);
    rmSync(paths.runtimeDir(f), { recursive: true });
  });

  it("reports the lock lost when an older watchdog took the legacy place", () => {
    const f = fleet();
    const lock = watchdogLock(f);
    lock.acquire();
    writeFileSync(paths.legacyWatchdogLockFile(f), other());
    expect(lock.check()).toMatchObject({ state: "lost", holder: { pid: process.ppid } });
    lock.release();
  });

  it("a plain FleetLock (no legacy place) still works as before", () => {
    const file = path.join(tempDir("rtlock"), "x", "watchdog.lock");
    const lock = new FleetLock(file);
    lock.acquire();
    expect(lock.check()).toEqual({ state: "held" });
    lock.release();
    expect(existsSync(file)).toBe(false);
  });
});
