// LogFollower: what a session log gained since the last look, bounded, across rotation and truncation.
import { appendFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LogFollower } from "../../src/state/log-follow.js";
import { tempDir } from "../helpers/tmp.js";

describe("LogFollower", () => {
  it("reads only what was appended, with the unfinished line again", () => {
    const file = path.join(tempDir("follow"), "s.log");
    writeFileSync(file, "history: You've hit your limit\n");
    const f = new LogFollower();
    f.follow(file);
    expect(f.read(file)).toBe("");
    appendFileSync(file, "line 1\npart");
    expect(f.read(file)).toBe("line 1\npart");
    appendFileSync(file, "ial\n");
    expect(f.read(file)).toBe("partial\n");
    expect(f.read(file)).toBe("");
  });

  it("starts over on a rotated (new inode) or truncated log", () => {
    const dir = tempDir("follow");
    const file = path.join(dir, "s.log");
    writeFileSync(file, "old\n");
    const f = new LogFollower();
    f.follow(file);
    renameSync(file, path.join(dir, "s.log.1"));
    writeFileSync(file, "fresh\n");
    expect(f.read(file)).toBe("fresh\n");
    // Truncated and written again, shorter than what was read (a longer rewrite reads as appended bytes).
    truncateSync(file, 0);
    appendFileSync(file, "cut\n");
    expect(f.read(file)).toBe("cut\n");
  });

  it("reads at most its bound, the newest bytes; a missing file reads as nothing, then from its start", () => {
    const file = path.join(tempDir("follow"), "s.log");
    const f = new LogFollower(8);
    f.follow(file);
    expect(f.read(file)).toBe("");
    writeFileSync(file, "0123456789abcdef\n");
    expect(f.read(file)).toBe("9abcdef\n");
  });
});
