// The fold of Claude Code's real hook and statusLine lines into a SignalReading (parse.ts), phase
// by phase of one captured session, and line by line where the order matters.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { foldLines, limitReset, parseLine, rateWindows, windowOfMessage } from "../../src/signals/claude/parse.js";
import { emptyClaudeReading } from "../../src/signals/claude/read.js";
import type { SignalReading } from "../../src/signals/types.js";
import { PHASES, phaseLines, SESSION_ID, sessionText, type Phase } from "./claude-fixtures.js";

const fold = (text: string) => foldLines(text.split("\n"), emptyClaudeReading());
/** The session up to the end of `phase`, plus the first `extra` lines of the next phase. */
function upTo(phase: Phase, extra = 0): SignalReading {
  const i = PHASES.indexOf(phase);
  const next = PHASES[i + 1];
  const more = next ? phaseLines(next).slice(0, extra).join("\n") : "";
  return fold(sessionText(phase) + more).reading;
}

describe("claude signals: each phase of a real session", () => {
  const cases: Array<[string, () => SignalReading, Partial<SignalReading>]> = [
    ["start: kickoff answered, at the prompt", () => upTo("start"), { state: "idle", limit: undefined }],
    ["a prompt and its reply", () => upTo("prompt-reply"), { state: "idle", limit: undefined }],
    ["a turn with a tool call", () => upTo("tool-use"), { state: "idle", limit: undefined }],
    ["the 5-hour limit (after the statusLine refresh)", () => upTo("usage-limit-5h"), { state: "limited" }],
    ["the limit reset, Claude continued by itself", () => upTo("auto-continue"), { state: "idle", limit: undefined }],
    ["the weekly limit", () => upTo("usage-limit-7d"), { state: "limited" }],
    ["resumed after a restart", () => upTo("resume"), { state: "idle", limit: undefined }],
  ];
  it.each(cases)("%s", (_name, read, want) => {
    const r = read();
    expect(r).toMatchObject(want);
    expect(r.source).toBe("claude");
    expect(r.sessionId).toBe(SESSION_ID);
    expect(r.transcriptPath).toMatch(new RegExp(`/${SESSION_ID}\\.jsonl$`));
    expect(r.model).toBe("claude-sonnet-5-5");
  });

  it("start: the statusLine's cost, context and the account's windows (resets_at seconds → ms)", () => {
    const r = upTo("start");
    expect(r.costUsd).toBeGreaterThan(0);
    expect(r.contextPct).toBe(0);
    expect(r.tokens).toEqual({ input: 12, output: 6, total: 18 });
    expect(r.rateLimits).toEqual([
      { name: "five_hour", usedPct: 42, resetsAt: 1796202630_000 },
      { name: "seven_day", usedPct: 17, resetsAt: 1796713830_000 },
    ]);
  });

  it("the 5-hour limit: Claude's own words, the exact reset of the used-up window, the window", () => {
    expect(upTo("usage-limit-5h").limit).toEqual({
      message: "You've hit your 5-hour limit · resets 7:11am (UTC)",
      resetsAt: 1796195510_000,
      window: "five_hour",
    });
  });

  it("the weekly limit: the seven_day window's reset, not the five_hour one", () => {
    expect(upTo("usage-limit-7d").limit).toEqual({
      message: "You've hit your weekly limit · resets Dec 5, 7:13am (UTC)",
      resetsAt: 1796454786_000,
      window: "seven_day",
    });
  });
});

describe("claude signals: line by line", () => {
  // [phase before, lines of the next phase folded, expected]
  const steps: Array<[string, Phase, number, Partial<SignalReading>]> = [
    ["SessionStart alone: at the prompt", "start", 1, { state: "idle" }],
    ["UserPromptSubmit: working", "prompt-reply", 1, { state: "working" }],
    ["Stop: idle", "prompt-reply", 3, { state: "idle" }],
    ["PreToolUse (a marker line): working", "tool-use", 3, { state: "working" }],
    ["PostToolUse: still working", "tool-use", 4, { state: "working" }],
    // StopFailure arrives before the statusLine refresh that reports the window used up: limited,
    // but the five_hour figures still say 42% (from before the limit), so no reset is claimed yet.
    ["StopFailure before the refresh: limited, no reset yet", "usage-limit-5h", 3, { state: "limited", limit: { message: "You've hit your 5-hour limit · resets 7:11am (UTC)", window: "five_hour", resetsAt: undefined } }],
    ["after the reset, the refresh drops five_hour: still limited", "auto-continue", 1, { state: "limited" }],
    ["Notification quota_auto_resume_fired: Claude continues by itself", "auto-continue", 2, { state: "limited", limit: expect.objectContaining({ autoContinue: true }) }],
    ["its continuation prompt: working, the limit is over", "auto-continue", 4, { state: "working", limit: undefined }],
    ["SessionEnd: no word on the state any more", "resume", 1, { state: undefined }],
    ["SessionStart source resume: at the prompt", "resume", 3, { state: "idle" }],
  ];
  it.each(steps)("%s", (_name, phase, n, want) => {
    const i = PHASES.indexOf(phase);
    const before = i > 0 ? sessionText(PHASES[i - 1]) : "";
    const r = fold(before + phaseLines(phase).slice(0, n).join("\n")).reading;
    expect(r).toMatchObject(want);
  });

  it("counts records and progress: blank lines are not records, a repeated statusLine is no progress", () => {
    const status = phaseLines("prompt-reply").at(-2)!; // the last complete line: a statusLine refresh
    expect(parseLine(status)?.hook_event_name).toBeUndefined();
    const first = foldLines([status], emptyClaudeReading());
    expect(first).toMatchObject({ records: 1, progressed: true });
    // A timer refresh (the user's refreshInterval) repeats the same counters: not a sign of life.
    const again = foldLines([status, ""], first.reading, first.memory);
    expect(again).toMatchObject({ records: 1, progressed: false });
    // Any hook is.
    const hook = foldLines([phaseLines("prompt-reply")[0]!], again.reading, again.memory);
    expect(hook.progressed).toBe(true);
  });

  it("skips what does not parse: a line torn by a concurrent writer, garbage, an array", () => {
    const good = phaseLines("prompt-reply")[0]!;
    const r = foldLines([good.slice(0, 80), "not json", "[1,2]", good.slice(80)], emptyClaudeReading());
    expect(r.records).toBe(0);
    expect(r.reading.state).toBeUndefined();
  });

  it("does not change the reading it folds onto", () => {
    const prev = upTo("usage-limit-5h");
    const copy = structuredClone(prev);
    foldLines(phaseLines("auto-continue"), prev);
    expect(prev).toEqual(copy);
  });
});

describe("claude signals: a turn that fails for another reason", () => {
  it("StopFailure authentication_failed (a 401): the turn is over, Claude waits at its prompt, no limit", () => {
    const text = readFileSync(new URL("../fixtures/signals/claude/2.1.330/auth-error.jsonl", import.meta.url), "utf8");
    expect(text).toContain('"error":"authentication_failed"');
    expect(fold(text).reading).toMatchObject({ state: "idle", limit: undefined });
  });
});

describe("claude signals: Claude Code 2.1.197 (what npm installed on Node 20 before 2.1.330)", () => {
  // Same hooks and statusLine; the 5-hour window is the "session limit"; no offer to continue (it
  // opens its /rate-limit-options menu instead), and the statusLine reports the window used up only
  // some seconds after the StopFailure.
  const lines = readFileSync(new URL("../fixtures/signals/claude/2.1.197/session.jsonl", import.meta.url), "utf8").split("\n");
  const stopFailure = lines.findIndex((l) => l.includes('"StopFailure"'));

  it("StopFailure before the refresh: limited, the window from the message, no reset yet", () => {
    expect(foldLines(lines.slice(0, stopFailure + 1), emptyClaudeReading()).reading).toMatchObject({
      state: "limited",
      limit: { message: "You've hit your session limit · resets 8:14am (UTC)", window: "five_hour", resetsAt: undefined },
    });
  });

  it("after the refresh: the five_hour window's exact reset", () => {
    const r = foldLines(lines, emptyClaudeReading()).reading;
    expect(r.limit).toEqual({ message: "You've hit your session limit · resets 8:14am (UTC)", window: "five_hour", resetsAt: 1796199299_000 });
    expect(r.model).toBe("claude-sonnet-5");
  });
});

describe("claude signals: helpers", () => {
  it.each([
    ["You've hit your 5-hour limit · resets 7:11am (UTC)", "five_hour"],
    ["You've hit your weekly limit · resets Dec 5, 7:13am (UTC)", "seven_day"],
    ["You've hit your session limit · resets 8:14am (UTC)", "five_hour"],
    ["Hello from the mock. All good.", undefined],
    [undefined, undefined],
  ])("windowOfMessage(%j) = %j", (m, w) => expect(windowOfMessage(m)).toBe(w));

  it("limitReset: a used-up window wins, the named one first, else the later reset; none below 100%", () => {
    const w = rateWindows({ five_hour: { used_percentage: 100, resets_at: 10 }, seven_day: { used_percentage: 100, resets_at: 20 } });
    expect(limitReset(w, "five_hour")).toEqual({ resetsAt: 10_000, window: "five_hour" });
    expect(limitReset(w, undefined)).toEqual({ resetsAt: 20_000, window: "seven_day" });
    expect(limitReset(rateWindows({ five_hour: { used_percentage: 42, resets_at: 10 } }), "five_hour")).toEqual({ window: "five_hour" });
    expect(limitReset(undefined, undefined)).toEqual({ window: undefined });
  });
});
