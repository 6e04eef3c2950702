// readClaudeSignals on a real captured session written to disk piece by piece: offsets, a last line
// still being written, a cut inside a UTF-8 character, a truncated or replaced file, dating by
// mtime, and the auto-continue offer read from the transcript while limited.
import { appendFileSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readClaudeSignals, type ClaudeSignalCursor } from "../../src/signals/claude/read.js";
import { autoContinueOffer, transcriptTail } from "../../src/signals/claude/transcript.js";
import { fifo, timed } from "../helpers/fifo.js";
import { tempDir } from "../helpers/tmp.js";
import { fixturePath, phaseText, sessionText } from "./claude-fixtures.js";

const setMtime = (file: string, ms: number) => utimesSync(file, ms / 1000, ms / 1000);
const T0 = Date.parse("2026-12-02T06:53:00Z");

describe("readClaudeSignals", () => {
  it("a missing file: nothing known, offset 0, and a later read starts from the beginning", () => {
    const file = path.join(tempDir("claude-read"), "none.jsonl");
    const c = readClaudeSignals(file);
    expect(c.offset).toBe(0);
    expect(c.reading).toEqual({ source: "claude", at: 0, grewAt: 0 });
    writeFileSync(file, phaseText("start"));
    expect(readClaudeSignals(file, c).reading.state).toBe("idle");
  });

  it("reads only what was added, and the same reading whether read at once or byte by byte in chunks", () => {
    const dir = tempDir("claude-read");
    const text = Buffer.from(sessionText("usage-limit-7d"));
    const whole = path.join(dir, "whole.jsonl");
    writeFileSync(whole, text);
    const once = readClaudeSignals(whole);
    expect(once.offset).toBe(text.length);

    // Written in uneven pieces: cuts inside lines and inside the multi-byte "·" of the limit message.
    const cut = text.indexOf(Buffer.from("·"));
    expect(cut).toBeGreaterThan(0);
    const stops = [1, 700, cut + 1, cut + 2, cut + 900, Math.floor(text.length / 2), text.length - 3, text.length].sort((a, b) => a - b);
    const piecewise = path.join(dir, "piecewise.jsonl");
    writeFileSync(piecewise, "");
    let c: ClaudeSignalCursor | undefined;
    let last = 0;
    for (const stop of stops) {
      appendFileSync(piecewise, text.subarray(last, stop));
      last = stop;
      c = readClaudeSignals(piecewise, c);
      // The offset never passes the end of a complete line.
      expect(c.offset === 0 || text[c.offset - 1] === 0x0a).toBe(true);
    }
    const { at: _a, grewAt: _g, ...want } = once.reading;
    const { at: _a2, grewAt: _g2, ...got } = c!.reading;
    expect(got).toEqual(want);
    expect(got.limit?.message).toBe("You've hit your weekly limit · resets Dec 5, 7:13am (UTC)");
  });

  it("leaves a last line still being written for the next read", () => {
    const file = path.join(tempDir("claude-read"), "s.jsonl");
    const stopFailure = phaseText("usage-limit-5h").split("\n")[2]!;
    writeFileSync(file, phaseText("start") + stopFailure.slice(0, 100));
    const a = readClaudeSignals(file);
    expect(a.reading.state).toBe("idle");
    expect(a.offset).toBe(Buffer.byteLength(phaseText("start")));
    appendFileSync(file, stopFailure.slice(100) + "\n");
    expect(readClaudeSignals(file, a).reading.state).toBe("limited");
  });

  it("a truncated or replaced file is read again from its start, on top of what was known", () => {
    const dir = tempDir("claude-read");
    const file = path.join(dir, "s.jsonl");
    writeFileSync(file, sessionText("prompt-reply"));
    const a = readClaudeSignals(file);
    // Truncated (rotated in place) and then written to: smaller than the offset.
    writeFileSync(file, phaseText("usage-limit-5h"));
    const b = readClaudeSignals(file, a);
    expect(b.reading.state).toBe("limited");
    expect(b.reading.sessionId).toBe(a.reading.sessionId);
    expect(b.offset).toBe(Buffer.byteLength(phaseText("usage-limit-5h")));
    // Replaced by a new file (rename over it) that happens to be longer than the offset.
    const next = path.join(dir, "next.jsonl");
    writeFileSync(next, phaseText("auto-continue") + phaseText("prompt-reply"));
    renameSync(next, file);
    const c = readClaudeSignals(file, b);
    expect(c.reading.state).toBe("idle");
    expect(c.reading.limit).toBeUndefined();
    // Deleted: the last reading stands.
    rmSync(file);
    expect(readClaudeSignals(file, c)).toBe(c);
  });

  it("a FIFO as the signal file or the transcript reads as absent, at once", () => {
    const dir = tempDir("claude-read");
    const pipe = fifo(path.join(dir, "pipe.jsonl"));
    const { value, ms } = timed(() => readClaudeSignals(pipe));
    expect(ms).toBeLessThan(1000);
    expect(value.reading).toEqual({ source: "claude", at: 0, grewAt: 0 });
    const t = timed(() => transcriptTail(fifo(path.join(dir, "transcript.jsonl"))));
    expect(t.ms).toBeLessThan(1000);
    expect(t.value).toEqual([]);
  });

  it("dates records by the file's mtime; a repeated statusLine refresh moves `at`, not `grewAt`", () => {
    const file = path.join(tempDir("claude-read"), "s.jsonl");
    writeFileSync(file, sessionText("prompt-reply"));
    setMtime(file, T0);
    const a = readClaudeSignals(file);
    expect(a.reading).toMatchObject({ at: T0, grewAt: T0 });
    // Nothing new: the dates stay even if the mtime moves (touched, or a torn write).
    setMtime(file, T0 + 5_000);
    expect(readClaudeSignals(file, a).reading).toMatchObject({ at: T0, grewAt: T0 });
    // The last statusLine again, unchanged (a refreshInterval tick): news, but not progress.
    const status = phaseText("prompt-reply").split("\n").at(-2)!;
    appendFileSync(file, status + "\n");
    setMtime(file, T0 + 10_000);
    const b = readClaudeSignals(file, a);
    expect(b.reading).toMatchObject({ at: T0 + 10_000, grewAt: T0 });
    // A hook is progress.
    appendFileSync(file, phaseText("usage-limit-5h").split("\n")[0] + "\n");
    setMtime(file, T0 + 20_000);
    expect(readClaudeSignals(file, b).reading).toMatchObject({ at: T0 + 20_000, grewAt: T0 + 20_000, state: "working" });
  });

  it("while limited, reads Claude's offer to continue by itself from the transcript the records name", () => {
    const dir = tempDir("claude-read");
    const transcript = path.join(dir, "transcript.jsonl");
    const records = readFileSync(fixturePath("transcript-limit-offer"), "utf8").split("\n");
    const offer = records.findIndex((l) => l.includes("set to continue automatically"));
    // The captured lines name the transcript in the capture's temp dir: point them at this copy.
    const original = JSON.parse(phaseText("start").split("\n")[0]!).transcript_path as string;
    const file = path.join(dir, "s.jsonl");
    writeFileSync(file, sessionText("usage-limit-5h").split(original).join(transcript));
    // The transcript without the notice yet: no word on it.
    writeFileSync(transcript, records.slice(0, offer).join("\n") + "\n");
    const early = readClaudeSignals(file);
    expect(early.reading.limit?.autoContinue).toBeUndefined();
    // The notice lands after the signal lines were read: the next read sees it, with no new line.
    writeFileSync(transcript, records.join("\n"));
    const a = readClaudeSignals(file, early);
    expect(a.offset).toBe(early.offset);
    expect(a.reading.limit).toMatchObject({ window: "five_hour", autoContinue: true });
    // Without the transcript there is no word on it.
    rmSync(transcript);
    expect(readClaudeSignals(file).reading.limit?.autoContinue).toBeUndefined();
  });
});

describe("the transcript's auto-continue notices", () => {
  const lines = readFileSync(fixturePath("transcript-limit-offer"), "utf8").split("\n");
  const offer = lines.findIndex((l) => l.includes("set to continue automatically"));

  it.each([
    ["the limit turn ends with the offer", lines, true],
    ["before the limit turn: no notice", lines.slice(0, offer - 2), undefined],
    ["a later user turn forgets the offer", [...lines, lines.find((l) => l.includes('"type":"user"'))!], undefined],
  ])("%s", (_n, ls, want) => expect(autoContinueOffer(ls)).toBe(want));

  it("reads only the tail of a long transcript, dropping the cut first line", () => {
    const file = path.join(tempDir("claude-read"), "t.jsonl");
    writeFileSync(file, lines.join("\n"));
    const tail = transcriptTail(file, 2000);
    expect(tail.join("\n").length).toBeLessThanOrEqual(2000);
    expect(lines.join("\n").endsWith(tail.join("\n"))).toBe(true);
    expect(tail[0]!.startsWith("{") || tail[0] === "").toBe(true);
    expect(transcriptTail(path.join(path.dirname(file), "missing"))).toEqual([]);
  });
});
