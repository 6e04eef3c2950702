// The one incremental line reader of all three taps (src/signals/lines.ts) and the taps reading
// through it, on the real fixtures: by byte offset, a half-written last line waits, a shrunk or
// replaced file is read again from 0, reads cross chunk boundaries (also inside a UTF-8
// character), and a FIFO where the file should be reads as absent at once (never blocks).
import { appendFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readClaudeSignals } from "../../src/signals/claude/index.js";
import { readCodexSignals, readSessionMeta } from "../../src/signals/codex/index.js";
import { CHUNK, forEachNewLine, readNewLines } from "../../src/signals/lines.js";
import { readOpencodeSignals } from "../../src/signals/opencode/index.js";
import { fifo, timed } from "../helpers/fifo.js";
import { tempDir } from "../helpers/tmp.js";

const FIX = fileURLToPath(new URL("../fixtures/signals/", import.meta.url));
const fixture = (name: string) => readFileSync(path.join(FIX, name));
const linesOf = (b: Buffer) => b.toString("utf8").split("\n").slice(0, -1);

describe("readNewLines", () => {
  it("reads by byte offset; a half-written last line waits for its newline", () => {
    const full = fixture("opencode/signals.jsonl");
    const file = path.join(tempDir("lines"), "s.jsonl");
    const cut = full.indexOf("\n", full.length >> 1) - 7; // inside a line
    writeFileSync(file, full.subarray(0, cut));
    const a = readNewLines(file)!;
    expect(a.restarted).toBe(false);
    expect(full[a.offset - 1]).toBe(0x0a);
    expect(a.lines).toEqual(linesOf(full.subarray(0, a.offset)));
    // Nothing new: nothing read, the same offset.
    expect(readNewLines(file, a)).toMatchObject({ lines: [], offset: a.offset, file: a.file });
    appendFileSync(file, full.subarray(cut));
    const b = readNewLines(file, a)!;
    expect(b.offset).toBe(full.length);
    expect([...a.lines, ...b.lines]).toEqual(linesOf(full));
  });

  it("a shrunk or replaced file is read again from 0", () => {
    const dir = tempDir("lines");
    const file = path.join(dir, "r.jsonl");
    writeFileSync(file, fixture("codex/limit-resumed.jsonl"));
    const a = readNewLines(file)!;
    writeFileSync(file, fixture("codex/working.jsonl")); // shorter: truncated and rewritten
    const b = readNewLines(file, a)!;
    expect(b.restarted).toBe(true);
    expect(b.lines).toEqual(linesOf(fixture("codex/working.jsonl")));
    // Replaced by a longer file (rotated: renamed over): another dev:ino, read from 0.
    const next = path.join(dir, "next.jsonl");
    writeFileSync(next, fixture("codex/limit-resumed.jsonl"));
    renameSync(next, file);
    const c = readNewLines(file, b)!;
    expect(c.restarted).toBe(true);
    expect(c.lines).toEqual(linesOf(fixture("codex/limit-resumed.jsonl")));
  });

  it("reads in chunks: lines across chunk boundaries (and inside UTF-8 characters) come whole", () => {
    const one = fixture("codex/limit-resumed.jsonl");
    // Shift by a multi-byte line so the boundaries fall elsewhere than in the fixture alone.
    const pad = Buffer.from(`{"note":"é€😀"}\n`);
    const parts: Buffer[] = [];
    let size = 0;
    while (size < 3 * CHUNK) {
      parts.push(one, pad);
      size += one.length + pad.length;
    }
    const full = Buffer.concat(parts);
    const file = path.join(tempDir("lines"), "big.jsonl");
    writeFileSync(file, full);
    let calls = 0;
    const seen: string[] = [];
    const got = forEachNewLine(file, { offset: 0 }, (l) => {
      calls++;
      seen.push(...l);
    })!;
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(got.offset).toBe(full.length);
    expect(seen).toEqual(linesOf(full));
  });

  it("a FIFO, a directory or a missing file reads as absent, at once", () => {
    const dir = tempDir("lines");
    const pipe = fifo(path.join(dir, "pipe.jsonl"));
    const t = timed(() => readNewLines(pipe));
    expect(t.ms).toBeLessThan(1000);
    expect(t.value).toBeUndefined();
    expect(readNewLines(dir)).toBeUndefined();
    expect(readNewLines(path.join(dir, "none.jsonl"))).toBeUndefined();
  });
});

describe("the taps read a FIFO as absent, at once", () => {
  it("codex: a FIFO named like a rollout (readCodexSignals, readSessionMeta)", () => {
    const dir = tempDir("lines");
    const pipe = fifo(path.join(dir, "rollout.jsonl"));
    const a = timed(() => readCodexSignals(pipe));
    expect(a.ms).toBeLessThan(1000);
    expect(a.value.reading).toEqual({ source: "codex", at: 0, grewAt: 0 });
    const m = timed(() => readSessionMeta(pipe));
    expect(m.ms).toBeLessThan(1000);
    expect(m.value).toBeUndefined();
  });

  it("opencode and claude: a FIFO as the signal file; what was known stands", () => {
    const dir = tempDir("lines");
    const file = path.join(dir, "s.jsonl");
    writeFileSync(file, fixture("opencode/signals.jsonl"));
    const known = readOpencodeSignals(file);
    expect(known.reading.at).toBeGreaterThan(0);
    const pipe = fifo(path.join(dir, "pipe.jsonl"));
    const o = timed(() => readOpencodeSignals(pipe, known));
    expect(o.ms).toBeLessThan(1000);
    expect(o.value).toBe(known);
    const c = timed(() => readClaudeSignals(pipe));
    expect(c.ms).toBeLessThan(1000);
    expect(c.value.reading).toEqual({ source: "claude", at: 0, grewAt: 0 });
  });
});
