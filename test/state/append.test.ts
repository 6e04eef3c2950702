// The event log's file: recreated when log_dir is deleted, diverted to a fallback (then stderr)
// while it cannot be written, back as soon as it can, and never left holding half a line.
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppendSink } from "../../src/state/append.js";
import { fifo, timed } from "../helpers/fifo.js";
import { tempDir } from "../helpers/tmp.js";
import { mountTmpfs, tmpfsSkipReason } from "../helpers/tmpfs.js";

const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean);

describe("AppendSink", () => {
  it("recreates its file and folder after log_dir is deleted, and says so once", () => {
    const logDir = path.join(tempDir("sink"), "logs");
    const file = path.join(logDir, "events.jsonl");
    const sink = new AppendSink(file);
    sink.write("one\n");
    expect(sink.takeChanges()).toEqual([]);
    rmSync(logDir, { recursive: true });
    sink.write("two\n");
    expect(sink.takeChanges()).toEqual([{ kind: "reopened", reason: expect.stringMatching(/removed or replaced/) }]);
    sink.write("three\n");
    expect(sink.takeChanges()).toEqual([]);
    expect(lines(file)).toEqual(["two", "three"]);
    sink.close();
  });

  it("follows a file replaced under it (a rotation), not the old inode", () => {
    const file = path.join(tempDir("sink"), "events.jsonl");
    const sink = new AppendSink(file);
    sink.write("old\n");
    unlinkSync(file);
    writeFileSync(file, "rotated\n");
    sink.write("new\n");
    expect(lines(file)).toEqual(["rotated", "new"]);
    sink.close();
  });

  it("diverts to the fallback while the file cannot be written, reports it once, and comes back", () => {
    const base = tempDir("sink");
    const blocker = path.join(base, "logs");
    writeFileSync(blocker, "a file where log_dir should be");
    const file = path.join(blocker, "events.jsonl");
    const fallback = path.join(base, "runtime", "events.jsonl");
    const sink = new AppendSink(file, { fallback: () => (mkdirSync(path.dirname(fallback), { recursive: true }), fallback) });
    sink.write("a\n");
    sink.write("b\n");
    const changes = sink.takeChanges();
    expect(changes).toEqual([{ kind: "degraded", errno: expect.stringMatching(/^(ENOTDIR|EEXIST)$/), reason: expect.stringContaining(fallback) }]);
    expect(lines(fallback)).toEqual(["a", "b"]);
    rmSync(blocker);
    sink.write("c\n");
    expect(sink.takeChanges()).toEqual([{ kind: "recovered", reason: expect.stringMatching(/writable again \(was (ENOTDIR|EEXIST)\)/) }]);
    expect(lines(file)).toEqual(["c"]);
    expect(lines(fallback)).toEqual(["a", "b"]);
    sink.close();
  });

  it("a FIFO in the file's place is written around at once (an O_WRONLY open would wait for a reader)", () => {
    const base = tempDir("sink");
    const file = fifo(path.join(base, "events.jsonl"), "write");
    const fallback = path.join(base, "fb.jsonl");
    const sink = new AppendSink(file, { fallback: () => fallback });
    const { ms } = timed(() => {
      sink.write("a\n");
      sink.write("b\n");
    });
    expect(ms).toBeLessThan(1000);
    expect(sink.takeChanges()).toEqual([{ kind: "degraded", errno: expect.stringMatching(/^(ENXIO|ENOTREG)$/), reason: expect.stringContaining(fallback) }]);
    expect(lines(fallback)).toEqual(["a", "b"]);
    sink.close();
  });

  it("uses stderr when the fallback fails too, and never throws", () => {
    const base = tempDir("sink");
    writeFileSync(path.join(base, "logs"), "");
    const said: string[] = [];
    const sink = new AppendSink(path.join(base, "logs", "e.jsonl"), {
      fallback: () => {
        throw new Error("no runtime dir");
      },
      stderr: (t) => said.push(t),
    });
    expect(() => sink.write("x\n")).not.toThrow();
    expect(said).toEqual(["x\n"]);
    expect(sink.takeChanges()[0]).toMatchObject({ kind: "degraded", reason: expect.stringMatching(/events go to stderr/) });
  });

  it.skipIf(tmpfsSkipReason)("on a full disk, never leaves half a line; resumes when there is room", () => {
    const fs = mountTmpfs(path.join(tempDir("sink"), "mnt"), 64);
    const file = path.join(fs.dir, "events.jsonl");
    const fallback = path.join(tempDir("sink"), "fb.jsonl");
    const sink = new AppendSink(file, { fallback: () => fallback });
    sink.write(JSON.stringify({ n: 1 }) + "\n");
    fs.fill();
    // Bigger than the room left in the file's last page: the kernel writes part of it, then ENOSPC.
    const big = JSON.stringify({ n: 2, pad: "x".repeat(10_000) }) + "\n";
    sink.write(big);
    expect(sink.takeChanges()).toEqual([{ kind: "degraded", errno: "ENOSPC", reason: expect.any(String) }]);
    expect(lines(file).map((l) => JSON.parse(l))).toEqual([{ n: 1 }]);
    expect(readFileSync(fallback, "utf8")).toBe(big);
    fs.unfill();
    sink.write(JSON.stringify({ n: 3 }) + "\n");
    expect(sink.takeChanges()).toEqual([{ kind: "recovered", reason: expect.stringMatching(/was ENOSPC/) }]);
    expect(lines(file).map((l) => JSON.parse(l))).toEqual([{ n: 1 }, { n: 3 }]);
    sink.close();
    fs.unmount();
    expect(existsSync(file)).toBe(false);
  });
});
