import { writeFileSync, readFileSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FleetLock, processStart } from "../../src/state/lock.js";
import { writeFileAtomic } from "../../src/state/files.js";
import { linesBelow } from "../../src/fleet/ping.js";
import { tempDir } from "../helpers/tmp.js";

const tmp = () => tempDir("lock");

describe("fleet lock", () => {
  it("takes a free lock and releases it", () => {
    const file = path.join(tmp(), "watchdog.lock");
    const lock = new FleetLock(file);
    lock.acquire();
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it("refuses while a live holder has it", () => {
    const file = path.join(tmp(), "watchdog.lock");
    // The test runner's parent is alive and is not us: a live holder.
    writeFileSync(file, JSON.stringify({ pid: process.ppid, start: processStart(process.ppid), since: "earlier" }));
    expect(() => new FleetLock(file).acquire()).toThrow(/another watchdog \(pid \d+, since earlier\) already supervises this fleet/);
  });

  it("recovers a stale lock whose holder is dead", () => {
    const file = path.join(tmp(), "watchdog.lock");
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, start: "1", since: "long ago" }));
    new FleetLock(file).acquire();
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
  });

  it("recovers a lock whose pid was reused by another process", () => {
    const file = path.join(tmp(), "watchdog.lock");
    writeFileSync(file, JSON.stringify({ pid: process.ppid, start: "not-its-start-time", since: "long ago" }));
    new FleetLock(file).acquire();
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
  });
});

describe("atomic state writes", () => {
  it("replace the file whole and leave no temp files behind", () => {
    const dir = tmp();
    const file = path.join(dir, "state.json");
    writeFileAtomic(file, "old");
    writeFileAtomic(file, "new", { mode: 0o600 });
    expect(readFileSync(file, "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });
});

describe("ping confirmation", () => {
  const probe = "Watchdog: your partner p";
  it.each([
    ["typed text on the last line", "demo> Watchdog: your partner pushed", 0],
    ["submitted, output below", "demo> Watchdog: your partner pushed\ndemo: message received (40 chars)", 1],
    ["a TUI input box with a footer", "────\n❯ Watchdog: your partner pushed a claim\n────\n  ? for shortcuts", 2],
    ["scrolled away", "working... 12:00:01", undefined],
  ])("%s", (_name, screen, expected) => {
    expect(linesBelow(screen, probe)).toBe(expected);
  });
});
