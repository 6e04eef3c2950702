// readRecentEvents (`agents why`, the notify digest) reads across a rotation of the events log: a
// live file left short by a rotation is topped up from `.1`.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readRecentEvents } from "../../src/state/events-read.js";
import { rotatedWatchdogEventsFile, watchdogEventsFile } from "../../src/state/paths.js";
import { BASE, fleetFrom } from "../watchdog/helpers.js";

const jsonl = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${JSON.stringify({ action: "e", n: from + i })}\n`).join("");

describe("readRecentEvents", () => {
  it("reads `.1` before the live file when the live one is short, whole lines only", () => {
    const fleet = fleetFrom(BASE);
    mkdirSync(path.dirname(watchdogEventsFile(fleet)), { recursive: true });
    writeFileSync(rotatedWatchdogEventsFile(fleet, 2), jsonl(1, 10));
    writeFileSync(rotatedWatchdogEventsFile(fleet, 1), jsonl(11, 20));
    writeFileSync(watchdogEventsFile(fleet), jsonl(21, 23));
    expect(readRecentEvents(fleet).map((e) => e.n)).toEqual(Array.from({ length: 13 }, (_, i) => 11 + i));
    // A budget that ends inside `.1`: its cut line is dropped, nothing torn is returned.
    const live = Buffer.byteLength(jsonl(21, 23));
    const one = Buffer.byteLength(jsonl(20, 20));
    expect(readRecentEvents(fleet, live + one + 3).map((e) => e.n)).toEqual([20, 21, 22, 23]);
    // A live file as big as the budget needs nothing older.
    expect(readRecentEvents(fleet, live).map((e) => e.n)).toEqual([21, 22, 23]);
  });

  it("reads `.1` alone right after a rotation, before the new file exists", () => {
    const fleet = fleetFrom(BASE);
    mkdirSync(path.dirname(watchdogEventsFile(fleet)), { recursive: true });
    writeFileSync(rotatedWatchdogEventsFile(fleet, 1), jsonl(1, 3));
    expect(readRecentEvents(fleet).map((e) => e.n)).toEqual([1, 2, 3]);
  });
});
