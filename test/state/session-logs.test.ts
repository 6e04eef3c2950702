// Rotation on disk: parts shift up, the live log becomes `.1` by rename (the same inode, so a
// writer holding it open keeps writing into `.1`), parts beyond log_keep go, nothing is truncated.
import { existsSync, openSync, readFileSync, statSync, writeSync, closeSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { rotateSessionLog, sessionLogSize } from "../../src/state/session-logs.js";
import { rotatedSessionLogFile, sessionLogFile, type PathFleet } from "../../src/state/paths.js";
import { tempDir } from "../helpers/tmp.js";

function fleet(): PathFleet {
  const logDir = path.join(tempDir("logs"), "logs");
  mkdirSync(logDir, { recursive: true });
  return { logDir, watchdogSession: "p-watchdog", loop: { state_file: "phase-idx" } } as unknown as PathFleet;
}

const live = (f: PathFleet) => sessionLogFile(f, "p-a");
const part = (f: PathFleet, n: number) => rotatedSessionLogFile(f, "p-a", n);
const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : undefined);
/** The contents of live, .1, .2, ... .5 (undefined where absent). */
const files = (f: PathFleet) => [read(live(f)), ...[1, 2, 3, 4, 5].map((n) => read(part(f, n)))];

describe("session logs", () => {
  test("a rotated part sits beside its live log", () => {
    const f = fleet();
    expect(part(f, 2)).toBe(`${live(f)}.2`);
  });

  test("size: the live log's bytes, 0 without one", () => {
    const f = fleet();
    expect(sessionLogSize(f, "p-a")).toBe(0);
    writeFileSync(live(f), "12345");
    expect(sessionLogSize(f, "p-a")).toBe(5);
  });

  test("no live log: nothing moves", () => {
    const f = fleet();
    writeFileSync(part(f, 1), "old");
    expect(rotateSessionLog(f, "p-a", 3)).toBe(false);
    expect(files(f)).toEqual([undefined, "old", undefined, undefined, undefined, undefined]);
  });

  test.each([
    { keep: 3, before: ["L", "1", "2", "3"], after: [undefined, "L", "1", "2", undefined, undefined], why: "keep 3: the oldest falls off" },
    { keep: 3, before: ["L"], after: [undefined, "L", undefined, undefined, undefined, undefined], why: "the first rotation" },
    { keep: 3, before: ["L", undefined, "2"], after: [undefined, "L", undefined, "2", undefined, undefined], why: "a gap stays a gap" },
    { keep: 1, before: ["L", "1", "2"], after: [undefined, "L", undefined, undefined, undefined, undefined], why: "keep 1: only .1" },
    {
      keep: 2,
      before: ["L", "1", "2", "3", "4", "5"],
      after: [undefined, "L", "1", undefined, undefined, undefined],
      why: "a smaller log_keep removes the parts a larger one left",
    },
  ])("$why", ({ keep, before, after }) => {
    const f = fleet();
    before.forEach((text, n) => {
      if (text !== undefined) writeFileSync(n === 0 ? live(f) : part(f, n), text);
    });
    expect(rotateSessionLog(f, "p-a", keep)).toBe(true);
    expect(files(f)).toEqual(after);
  });

  test("the live log is renamed, not copied: a writer holding it open keeps appending to .1", () => {
    const f = fleet();
    writeFileSync(live(f), "before\n");
    const ino = statSync(live(f)).ino;
    const fd = openSync(live(f), "a");
    try {
      rotateSessionLog(f, "p-a", 3);
      writeSync(fd, "after\n");
    } finally {
      closeSync(fd);
    }
    expect(statSync(part(f, 1)).ino).toBe(ino);
    expect(read(part(f, 1))).toBe("before\nafter\n");
    expect(existsSync(live(f))).toBe(false);
  });
});
