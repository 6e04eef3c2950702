// toolSince from Claude's PreToolUse/PostToolUse markers, on the real 2.1.330 lines: set when a
// tool call begins (dated by the batch's time: hook lines carry none), kept while one of several
// parallel calls is still open, unset when the last ends or the turn ends (an interrupted tool
// sends no PostToolUse), and set by the reader from the signal file's mtime.
import { appendFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { foldLines, type ClaudeMemory } from "../../src/signals/claude/parse.js";
import { emptyClaudeReading, readClaudeSignals } from "../../src/signals/claude/read.js";
import type { SignalReading } from "../../src/signals/types.js";
import { tempDir } from "../helpers/tmp.js";
import { phaseLines, sessionText } from "./claude-fixtures.js";

const T0 = Date.parse("2026-12-02T07:00:00.000Z");
const line = {
  prompt: phaseLines("prompt-reply")[0]!, // UserPromptSubmit
  stop: phaseLines("prompt-reply")[2]!, // Stop
  pre: phaseLines("tool-use")[2]!, // PreToolUse
  post: phaseLines("tool-use")[3]!, // PostToolUse
  status: phaseLines("tool-use")[6]!, // a statusLine refresh
  sessionEnd: phaseLines("resume")[0]!, // SessionEnd
};

describe("claude toolSince", () => {
  it("the fixture lines are the events named", () => {
    expect(JSON.parse(line.pre).hook_event_name).toBe("PreToolUse");
    expect(JSON.parse(line.post).hook_event_name).toBe("PostToolUse");
    expect(JSON.parse(line.stop).hook_event_name).toBe("Stop");
    expect(JSON.parse(line.prompt).hook_event_name).toBe("UserPromptSubmit");
    expect(JSON.parse(line.sessionEnd).hook_event_name).toBe("SessionEnd");
    expect(JSON.parse(line.status).hook_event_name).toBeUndefined();
  });

  // Each row: the lines of one batch, and toolSince after it (batch i is dated T0 + i s).
  const table: Array<[name: string, batches: Array<keyof typeof line>[], want: Array<number | undefined>]> = [
    ["a tool call: set at its start, unset at its end", [["prompt"], ["pre"], ["status"], ["post"]], [undefined, T0 + 1000, T0 + 1000, undefined]],
    ["begun and ended in one batch: never set", [["prompt", "pre", "post", "status"]], [undefined]],
    ["parallel calls: from the first start until the last end", [["pre"], ["pre"], ["post"], ["post"]], [T0, T0, T0, undefined]],
    ["a Stop ends it (interrupted: no PostToolUse)", [["pre"], ["stop"]], [T0, undefined]],
    ["a new prompt ends it", [["pre"], ["prompt"]], [T0, undefined]],
    ["SessionEnd ends it", [["pre"], ["sessionEnd"]], [T0, undefined]],
    ["a stray PostToolUse leaves nothing open", [["post"], ["pre"], ["post"]], [undefined, T0 + 1000, undefined]],
  ];
  it.each(table)("%s", (_name, batches, want) => {
    let reading: SignalReading = { ...foldLines(sessionText("prompt-reply").split("\n"), emptyClaudeReading()).reading };
    let memory: ClaudeMemory = {};
    const got: Array<number | undefined> = [];
    batches.forEach((b, i) => {
      ({ reading, memory } = foldLines(b.map((k) => line[k]), reading, memory, T0 + i * 1000));
      got.push(reading.toolSince);
    });
    expect(got).toEqual(want);
  });

  it("the reader dates a tool call's start by the signal file's mtime", () => {
    const file = path.join(tempDir("claude-tool"), "s.jsonl");
    writeFileSync(file, sessionText("prompt-reply") + line.prompt + "\n" + line.pre + "\n");
    utimesSync(file, new Date(T0), new Date(T0));
    const a = readClaudeSignals(file);
    expect(a.reading).toMatchObject({ state: "working", toolSince: T0 });
    // A statusLine refresh later does not move it.
    appendFileSync(file, line.status + "\n");
    utimesSync(file, new Date(T0 + 30_000), new Date(T0 + 30_000));
    const b = readClaudeSignals(file, a);
    expect(b.reading.toolSince).toBe(T0);
    appendFileSync(file, line.post + "\n");
    expect(readClaudeSignals(file, b).reading.toolSince).toBeUndefined();
  });
});
