// lastLines: what `up` shows of a watchdog that failed to start, read from its session log. The
// log sits in log_dir, where something else may stand in its place: that must never block `up`.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lastLines } from "../../src/commands/watchdog-start.js";
import { fifo, timed } from "../helpers/fifo.js";
import { tempDir } from "../helpers/tmp.js";

describe("lastLines", () => {
  it("the last non-empty lines written after `from`", () => {
    const file = path.join(tempDir("lastlines"), "w.log");
    const before = "old start\n";
    writeFileSync(file, `${before}one\n\ntwo\nthree\n`);
    expect(lastLines(file, before.length, 2)).toEqual(["two", "three"]);
    expect(lastLines(file, before.length)).toEqual(["one", "two", "three"]);
    expect(lastLines(path.join(path.dirname(file), "none.log"), 0)).toEqual([]);
  });

  it("a FIFO in the log's place gives no lines, at once", () => {
    const file = fifo(path.join(tempDir("lastlines"), "w.log"));
    const { value, ms } = timed(() => lastLines(file, 0));
    expect(ms).toBeLessThan(1000);
    expect(value).toEqual([]);
  });
});
