// Reads of files a user or an agent could replace (state, markers, locks, prompts) take only a
// regular file, opened non-blocking: a FIFO there must read as absent/unreadable, never block.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NotRegularFile, readJsonOr, readRegularFile, readTextOr } from "../../src/state/files.js";
import { holderOf } from "../../src/state/lock.js";
import { readParked } from "../../src/state/parked.js";
import * as paths from "../../src/state/paths.js";
import { readWatchdogState } from "../../src/state/watchdog-state.js";
import { fifo, timed } from "../helpers/fifo.js";
import { tempDir } from "../helpers/tmp.js";

describe("readRegularFile", () => {
  it("reads a regular file; a missing one throws the fs error (ENOENT)", () => {
    const dir = tempDir("regfile");
    writeFileSync(path.join(dir, "f"), "text\n");
    expect(readRegularFile(path.join(dir, "f"))).toBe("text\n");
    expect(() => readRegularFile(path.join(dir, "none"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  it("a FIFO, a directory, a device: NotRegularFile naming the path and what is there, at once", () => {
    const dir = tempDir("regfile-odd");
    const cases: [string, string][] = [
      [fifo(path.join(dir, "fifo")), "a FIFO (named pipe)"],
      [dir, "a directory"],
      ["/dev/null", "a character device"],
    ];
    for (const [file, what] of cases) {
      const { value: err, ms } = timed(() => {
        try {
          readRegularFile(file);
        } catch (e) {
          return e;
        }
        return undefined;
      });
      expect(ms, file).toBeLessThan(1000);
      expect(err, file).toBeInstanceOf(NotRegularFile);
      expect((err as NotRegularFile).what).toBe(what);
      expect((err as NotRegularFile).message).toBe(`${file}: is ${what}, not a regular file`);
    }
  });

  it("readTextOr / readJsonOr: a FIFO reads as the fallback, promptly", () => {
    const dir = tempDir("regfile-or");
    const f = fifo(path.join(dir, "state.json"));
    const text = timed(() => readTextOr(f, "fallback"));
    expect(text.value).toBe("fallback");
    const json = timed(() => readJsonOr(f, { absent: true }));
    expect(json.value).toEqual({ absent: true });
    expect(text.ms + json.ms).toBeLessThan(1000);
  });
});

describe("state readers with a FIFO in a file's place", () => {
  const fleet = (): paths.PathFleet =>
    ({ logDir: path.join(tempDir("regfile-state"), "logs"), watchdogSession: "p-watchdog", loop: { state_file: "phase-idx" } }) as unknown as paths.PathFleet;

  it("the watchdog state reads as empty, a parked marker still parks, a legacy lock names no holder", () => {
    const f = fleet();
    mkdirSync(paths.parkedDir(f), { recursive: true });
    fifo(paths.watchdogStateFile(f));
    fifo(paths.parkedMarkerFile(f, "builder"));
    fifo(paths.legacyWatchdogLockFile(f));
    const { value, ms } = timed(() => ({
      state: readWatchdogState(f),
      parked: readParked(f),
      holder: holderOf(paths.watchdogLockFile(f)),
    }));
    expect(ms).toBeLessThan(1000);
    expect(value.state.agents).toEqual({});
    expect(value.parked.get("builder")).toEqual({ reason: "parked", at: undefined });
    expect(value.holder).toBeUndefined();
  });
});
