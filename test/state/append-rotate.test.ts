// The capped event log: the line that takes the file past maxBytes is written whole, then the file
// becomes `.1` (older parts shifted, at most `keep` kept) and the next line starts a new file; the
// sink's other guarantees (deleted file reopened, fallback while unwritable) hold across it.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createEventLog } from "../../src/log.js";
import { AppendSink } from "../../src/state/append.js";
import { tempDir } from "../helpers/tmp.js";

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);
/** A line of exactly 100 bytes. */
const line = (n: number) => `${JSON.stringify({ n, pad: "x".repeat(100 - 16 - String(n).length) })}\n`;
const parts = (file: string) => readdirSync(path.dirname(file)).filter((f) => f.startsWith(path.basename(file))).sort();
/** Every line in every part, oldest first. */
const allLines = (file: string, keep: number) =>
  [...Array.from({ length: keep }, (_, i) => lines(`${file}.${keep - i}`)).flat(), ...lines(file)];

describe("AppendSink rotation", () => {
  it("rotates after the line that crosses maxBytes, keeps whole lines, and at most `keep` parts", () => {
    const file = path.join(tempDir("rot"), "events.jsonl");
    const sink = new AppendSink(file, { maxBytes: 1000, keep: 2 });
    for (let n = 1; n <= 10; n++) sink.write(line(n));
    // The 10th line took the file to 1000 bytes: not past the cap yet.
    expect(sink.takeChanges()).toEqual([]);
    expect(lines(file)).toHaveLength(10);
    sink.write(line(11));
    expect(sink.takeChanges()).toEqual([{ kind: "rotated", reason: expect.stringMatching(/reached 1100 bytes .*keeping 2/) }]);
    expect(existsSync(file)).toBe(false); // the next line starts it
    expect(lines(`${file}.1`)).toHaveLength(11);
    for (let n = 12; n <= 60; n++) sink.write(line(n));
    sink.close();
    expect(parts(file)).toEqual(["events.jsonl", "events.jsonl.1", "events.jsonl.2"]);
    const kept = allLines(file, 2).map((l) => JSON.parse(l) as { n: number });
    // Every line whole and in order, the newest ones kept; no part above the cap by more than a line.
    expect(kept.map((e) => e.n)).toEqual(Array.from({ length: kept.length }, (_, i) => 60 - kept.length + 1 + i));
    expect(kept.length).toBeGreaterThanOrEqual(22);
    for (const p of parts(file)) expect(readFileSync(path.join(path.dirname(file), p)).length).toBeLessThanOrEqual(1100);
  });

  it("removes parts beyond keep that a larger keep left", () => {
    const file = path.join(tempDir("rot"), "events.jsonl");
    for (const n of [1, 2, 3, 4]) writeFileSync(`${file}.${n}`, `old ${n}\n`);
    const sink = new AppendSink(file, { maxBytes: 150, keep: 2 });
    sink.write(line(1));
    sink.write(line(2));
    sink.close();
    expect(parts(file)).toEqual(["events.jsonl.1", "events.jsonl.2"]);
    expect(lines(`${file}.2`)).toEqual(["old 1"]);
  });

  it("counts from the new file after its file was deleted (reopened, not rotated early)", () => {
    const logDir = path.join(tempDir("rot"), "logs");
    const file = path.join(logDir, "events.jsonl");
    const sink = new AppendSink(file, { maxBytes: 500, keep: 3 });
    for (let n = 1; n <= 4; n++) sink.write(line(n));
    rmSync(logDir, { recursive: true });
    sink.write(line(5));
    expect(sink.takeChanges()).toEqual([{ kind: "reopened", reason: expect.stringMatching(/removed or replaced/) }]);
    for (let n = 6; n <= 9; n++) sink.write(line(n));
    expect(sink.takeChanges()).toEqual([]);
    expect(lines(file)).toHaveLength(5);
    sink.write(line(10));
    sink.write(line(11));
    expect(sink.takeChanges()).toEqual([{ kind: "rotated", reason: expect.any(String) }]);
    expect(lines(`${file}.1`).map((l) => JSON.parse(l).n)).toEqual([5, 6, 7, 8, 9, 10]);
    sink.close();
  });

  it("writes to the fallback while the file is unwritable, and rotates the file once it is back", () => {
    const base = tempDir("rot");
    const logDir = path.join(base, "logs");
    const file = path.join(logDir, "events.jsonl");
    const fallback = path.join(base, "runtime", "events.jsonl");
    const sink = new AppendSink(file, { maxBytes: 500, keep: 2, fallback: () => (mkdirSync(path.dirname(fallback), { recursive: true }), fallback) });
    for (let n = 1; n <= 4; n++) sink.write(line(n));
    // log_dir becomes a file: nothing can be written there.
    rmSync(logDir, { recursive: true });
    writeFileSync(logDir, "in the way");
    for (let n = 5; n <= 12; n++) sink.write(line(n));
    expect(sink.takeChanges().map((c) => c.kind)).toEqual(["reopened", "degraded"]);
    // The fallback is not the capped file: nothing rotated while it took the lines.
    expect(lines(fallback)).toHaveLength(8);
    rmSync(logDir);
    for (let n = 13; n <= 19; n++) sink.write(line(n));
    expect(sink.takeChanges().map((c) => c.kind)).toEqual(["recovered", "rotated"]);
    expect(lines(`${file}.1`).map((l) => JSON.parse(l).n)).toEqual([13, 14, 15, 16, 17, 18]);
    expect(lines(file).map((l) => JSON.parse(l).n)).toEqual([19]);
    sink.close();
  });

  it("reports a rotation it cannot do once, keeps every line, and rotates when it can", () => {
    const file = path.join(tempDir("rot"), "events.jsonl");
    // A non-empty directory where `.1` must go: the rename fails (EISDIR/ENOTEMPTY), even as root.
    mkdirSync(path.join(`${file}.1`, "x"), { recursive: true });
    const sink = new AppendSink(file, { maxBytes: 150, keep: 1 });
    for (let n = 1; n <= 4; n++) sink.write(line(n));
    expect(sink.takeChanges()).toEqual([{ kind: "rotate-failed", errno: expect.any(String), reason: expect.stringMatching(/retrying/) }]);
    expect(lines(file)).toHaveLength(4);
    rmSync(`${file}.1`, { recursive: true });
    sink.write(line(5));
    expect(sink.takeChanges().map((c) => c.kind)).toEqual(["rotated"]);
    expect(lines(`${file}.1`)).toHaveLength(5);
    sink.close();
  });

  it("the event log's first line after a rotation is events-rotated, in the new file", () => {
    const file = path.join(tempDir("rot"), "events.jsonl");
    const seen: string[] = [];
    const log = createEventLog(file, () => {}, { maxBytes: 64 * 1024, keep: 2, onEvent: (_l, f) => seen.push(f.action) });
    const pad = "y".repeat(1000);
    let n = 0;
    while (!existsSync(`${file}.1`)) log.event("info", { action: "tick", reason: pad, n: ++n });
    expect(lines(file).map((l) => JSON.parse(l).action)).toEqual(["events-rotated"]);
    expect(lines(`${file}.1`).map((l) => JSON.parse(l).n)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(seen.at(-1)).toBe("events-rotated");
  });
});
