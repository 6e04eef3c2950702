// src/signals/codex/parse.ts on real Codex 0.169.0 rollouts (test/fixtures/signals/codex/README.md):
// each row folds a fixture up to a given record and checks what the reading says at that moment.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { codexLimitReset, emptyCodexReading, foldCodexLines, limitKind } from "../../src/signals/codex/parse.js";
import type { SignalReading } from "../../src/signals/types.js";

const DIR = fileURLToPath(new URL("../fixtures/signals/codex/", import.meta.url));
const lines = (name: string) => readFileSync(path.join(DIR, name), "utf8").split("\n").filter(Boolean);

/** The fixture's lines up to and including the n-th (1-based) event_msg of `type`. */
function upTo(name: string, type: string, n = 1): string[] {
  const all = lines(name);
  let seen = 0;
  const i = all.findIndex((l) => l.includes(`"type":"event_msg"`) && l.includes(`"payload":{"type":"${type}"`) && ++seen === n);
  if (i < 0) throw new Error(`${name} has no ${type} #${n}`);
  return all.slice(0, i + 1);
}

const fold = (ls: string[], timeZone?: string) => foldCodexLines(ls, emptyCodexReading(), {}, { timeZone });
const ms = (iso: string) => Date.parse(iso);
const THREAD = "01a2357a-ff5b-7851-bbcc-3b8fa6a569a0";
const LIMIT_MESSAGE =
  "You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at 8:40 AM.";

interface Row {
  name: string;
  lines: () => string[];
  timeZone?: string;
  expect: Partial<SignalReading>;
}

const rows: Row[] = [
  {
    name: "the first line alone (session_meta): the thread, nothing about a turn",
    lines: () => lines("limit-resumed.jsonl").slice(0, 1),
    expect: { sessionId: THREAD, state: undefined, at: ms("2026-12-02T06:39:43.047Z") },
  },
  {
    name: "task_started: working",
    lines: () => upTo("limit-resumed.jsonl", "task_started"),
    expect: { state: "working", sessionId: THREAD },
  },
  {
    name: "a slow reply still streaming (copied mid-turn): working",
    lines: () => lines("working.jsonl"),
    expect: { state: "working", at: ms("2026-12-02T06:39:56.663Z"), tokens: { input: 12, output: 16, total: 28 } },
  },
  {
    name: "task_complete: idle, token totals, both rate windows (resets_at s → ms), the model",
    lines: () => upTo("limit-resumed.jsonl", "task_complete"),
    expect: {
      state: "idle",
      model: "mock-model",
      tokens: { input: 12, output: 16, total: 28 },
      contextPct: 0,
      rateLimits: [
        { name: "primary", usedPct: 42, windowMinutes: 300, resetsAt: 1796200783000 },
        { name: "secondary", usedPct: 17, windowMinutes: 10080, resetsAt: 1796711983000 },
      ],
      at: ms("2026-12-02T06:39:43.629Z"),
      grewAt: ms("2026-12-02T06:39:43.629Z"),
    },
  },
  {
    name: "usage limit: limited, reset from the window at 100%, Codex's own message",
    lines: () => upTo("limit-resumed.jsonl", "task_complete", 3),
    expect: { state: "limited", limit: { message: LIMIT_MESSAGE, resetsAt: 1796200814000, window: "primary" } },
  },
  {
    name: "the resumed turn appended to the same rollout: idle again, the limit gone",
    lines: () => lines("limit-resumed.jsonl"),
    expect: { state: "idle", limit: undefined, sessionId: THREAD, tokens: { input: 36, output: 48, total: 84 } },
  },
  {
    name: "usage limit without rate-limit headers: the reset is read from the message (TZ=UTC)",
    lines: () => lines("limit-no-rate-headers.jsonl"),
    timeZone: "UTC",
    expect: { state: "limited", rateLimits: undefined, limit: { message: LIMIT_MESSAGE.replace("8:40", "8:38"), resetsAt: ms("2026-12-02T08:38:00Z"), window: undefined } },
  },
  {
    name: "the message's wall time is read in the agent's zone",
    lines: () => lines("limit-no-rate-headers.jsonl"),
    timeZone: "Europe/Berlin",
    expect: { state: "limited", limit: { message: LIMIT_MESSAGE.replace("8:40", "8:38"), resetsAt: ms("2026-12-02T07:38:00Z"), window: undefined } },
  },
  {
    name: "Esc during a reply (turn_aborted): idle",
    lines: () => upTo("errors.jsonl", "turn_aborted"),
    expect: { state: "idle", sessionId: "01a2357c-3a47-7523-854a-5e3115e6457f" },
  },
  {
    name: "a 529 after Codex's retries: the turn ended, idle (not a limit)",
    lines: () => upTo("errors.jsonl", "task_complete", 2),
    expect: { state: "idle", limit: undefined },
  },
  {
    name: "a plain 429 after Codex's retries: limited, no reset known (no window at 100%)",
    lines: () => lines("errors.jsonl"),
    expect: {
      state: "limited",
      limit: { message: "exceeded retry limit, last status: 429 Too Many Requests, request id: req_mock11", resetsAt: undefined, window: "rate_limit" },
    },
  },
];

describe("foldCodexLines on real rollouts", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_name, row) => {
    const r = fold(row.lines(), row.timeZone).reading;
    expect(r.source).toBe("codex");
    for (const [k, v] of Object.entries(row.expect)) expect(r[k as keyof SignalReading], k).toEqual(v);
  });

  it("remembers the cwd and the last non-limit error", () => {
    const { memory } = fold(upTo("errors.jsonl", "task_complete", 2));
    expect(memory.cwd).toBe("/tmp/agx-codex-lymi/project");
    expect(memory.lastError?.info).toBe("http_connection_failed 529");
    expect(memory.lastError?.message).toMatch(/^unexpected status 529/);
    // A new turn forgets it.
    expect(fold(upTo("errors.jsonl", "task_started", 4)).memory.lastError).toBeUndefined();
  });

  it("folding in two batches gives the same reading as in one", () => {
    const all = lines("limit-resumed.jsonl");
    const one = fold(all).reading;
    const first = fold(all.slice(0, 20));
    const two = foldCodexLines(all.slice(20), first.reading, first.memory).reading;
    expect(two).toEqual(one);
  });

  it("skips torn and foreign lines, counting only records", () => {
    const all = lines("limit-resumed.jsonl").slice(0, 3);
    const torn = all[2]!.slice(0, 50);
    const f = fold([all[0]!, "", "not json", torn, all[1]!]);
    expect(f.records).toBe(2);
    expect(f.reading.state).toBe("working");
  });
});

describe("limits", () => {
  it.each([
    ["usage_limit_exceeded", "usage"],
    [{ response_too_many_failed_attempts: { http_status_code: 429 } }, "rate"],
    [{ http_connection_failed: { http_status_code: 529 } }, undefined],
    [undefined, undefined],
    ["something_else", undefined],
  ] as const)("codex_error_info %j → %s", (info, kind) => {
    expect(limitKind(info)).toBe(kind);
  });

  it("of two spent windows the later reset wins; an unspent one is ignored", () => {
    const w = [
      { name: "primary", usedPct: 100, resetsAt: 2_000 },
      { name: "secondary", usedPct: 100, resetsAt: 9_000 },
      { name: "other", usedPct: 99, resetsAt: 99_000 },
    ];
    expect(codexLimitReset(w, "try again at 8:40 AM.", 0)).toEqual({ resetsAt: 9_000, window: "secondary" });
  });
});
