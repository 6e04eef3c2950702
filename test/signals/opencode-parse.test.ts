// src/signals/opencode/{parse,limits,read}.ts on what our plugin wrote inside the real opencode
// 1.18.33 (test/fixtures/signals/opencode/README.md): each row folds the capture up to a given
// event and checks the reading at that moment; then incremental reads and error classification.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { classifyError, durationMs, emptyOpencodeMemory, emptyOpencodeReading, foldOpencodeLines, readOpencodeSignals } from "../../src/signals/opencode/index.js";
import type { SignalReading } from "../../src/signals/types.js";
import { tempDir } from "../helpers/tmp.js";

const FILE = fileURLToPath(new URL("../fixtures/signals/opencode/signals.jsonl", import.meta.url));
const all = () => readFileSync(FILE, "utf8").split("\n").filter(Boolean);
const SESSION = "ses_dca5b6287ffeT6jr2gGoX34NSG";

/** The capture's lines up to and including the n-th (1-based) line matching `needle`. */
function upTo(needle: string, n = 1): string[] {
  const ls = all();
  let seen = 0;
  const i = ls.findIndex((l) => l.includes(needle) && ++seen === n);
  if (i < 0) throw new Error(`no ${needle} #${n}`);
  return ls.slice(0, i + 1);
}

const fold = (ls: string[]) => foldOpencodeLines(ls, emptyOpencodeReading(), emptyOpencodeMemory());
const BUSY = `"status":{"type":"busy"}`;
const IDLE = `"type":"session.idle"`;
const RETRY = `"status":{"type":"retry"`;

const rows: Array<[string, () => string[], Partial<SignalReading>]> = [
  ["the plugin's start line only: live, nothing known", () => all().slice(0, 1), { state: undefined, sessionId: undefined, at: 1796196307094 }],
  ["the session exists, no turn yet", () => upTo(`"type":"session.created"`), { state: undefined, sessionId: SESSION }],
  ["the first busy: working", () => upTo(BUSY), { state: "working", sessionId: SESSION, at: 1796196310572 }],
  ["the reply done (session.idle): idle, the model", () => upTo(IDLE), { state: "idle", model: "mock/mock-model", at: 1796196317932, grewAt: 1796196317932 }],
  ["…then the session's totals", () => upTo(IDLE).concat(all()[upTo(IDLE).length]!), { state: "idle", tokens: { input: 12, output: 16, total: 28 }, costUsd: 0 }],
  ["Esc Esc (MessageAbortedError): idle, not an error state", () => upTo(IDLE, 3), { state: "idle", limit: undefined }],
  ["a 429 being retried (retry status): working", () => upTo(RETRY), { state: "working" }],
  ["between two attempts (busy): still working", () => upTo(RETRY, 2).slice(0, -1), { state: "working" }],
  [
    "usage limit, retries spent: limited, the provider's words, its error type",
    () => upTo(IDLE, 5),
    { state: "limited", limit: { message: "The usage limit has been reached", resetsAt: undefined, window: "usage_limit_reached" } },
  ],
  [
    "a plain rate limit, retries spent: limited until retry-after (10 s) from the error",
    () => upTo(IDLE, 7),
    {
      state: "limited",
      limit: {
        message: "Rate limit reached for mock-model in organization org-mock on tokens per min (TPM): Limit 1000, Used 1000, Requested 100. Please try again in 10s.",
        resetsAt: 1796196481288 + 10_000,
        window: "rate_limit_exceeded",
      },
    },
  ],
  ["the next turn clears the limit", () => upTo(BUSY, 1 + all().filter((l) => l.includes(BUSY)).length - 1), { state: "working", limit: undefined }],
  ["the whole capture: idle, session totals", () => all(), { state: "idle", limit: undefined, sessionId: SESSION, tokens: { input: 36, output: 48, total: 84 }, at: 1796196485035 }],
];

describe("foldOpencodeLines on a real run", () => {
  it.each(rows)("%s", (_name, lines, want) => {
    const r = fold(lines()).reading;
    expect(r.source).toBe("opencode");
    for (const [k, v] of Object.entries(want)) expect(r[k as keyof SignalReading], k).toEqual(v);
  });

  it("one batch or many: the same reading", () => {
    const ls = all();
    let r = emptyOpencodeReading();
    let m = emptyOpencodeMemory();
    for (const l of ls) ({ reading: r, memory: m } = foldOpencodeLines([l], r, m));
    expect(r).toEqual(fold(ls).reading);
  });

  it("a restarted opencode (a new pid) voids the old process's busy sessions", () => {
    const busy = upTo(BUSY);
    const r = fold([...busy, JSON.stringify({ at: 1796196999000, type: "agents.tap", properties: { pid: 1 } })]).reading;
    expect(r.state).toBeUndefined();
    expect(r.sessionId).toBe(SESSION);
  });

  it("a subagent session busy keeps the agent working; the main session stays the root one", () => {
    const idle = upTo(IDLE);
    const child = "ses_child000000000000000000";
    const ev = (type: string, properties: object) => JSON.stringify({ at: 1796196400000, type, properties });
    const f = fold([...idle, ev("session.created", { sessionID: child, info: { id: child, parentID: SESSION } }), ev("session.status", { sessionID: child, status: { type: "busy" } })]);
    expect(f.reading.state).toBe("working");
    expect(f.reading.sessionId).toBe(SESSION);
  });
});

describe("readOpencodeSignals", () => {
  it("reads by byte offset: a torn last line waits, a truncated file is read again", () => {
    const text = readFileSync(FILE);
    const file = path.join(tempDir("oc-read"), "signals.jsonl");
    const cut = text.indexOf(`"status":{"type":"idle"}`);
    writeFileSync(file, text.subarray(0, cut));
    const a = readOpencodeSignals(file);
    expect(a.reading.state).toBe("working");
    expect(text[a.offset - 1]).toBe(0x0a);
    appendFileSync(file, text.subarray(cut));
    const b = readOpencodeSignals(file, a);
    expect(b.offset).toBe(text.length);
    expect(b.reading.state).toBe("idle");
    expect(readOpencodeSignals(file, b)).toEqual(b);
    writeFileSync(file, text.subarray(0, text.indexOf("\n") + 1));
    const c = readOpencodeSignals(file, b);
    expect(c.offset).toBe(text.indexOf("\n") + 1);
  });

  it("no file (the plugin did not load): the previous cursor, or an empty reading", () => {
    const none = path.join(tempDir("oc-read"), "none.jsonl");
    expect(readOpencodeSignals(none).reading).toEqual({ source: "opencode", at: 0, grewAt: 0 });
  });
});

describe("classifyError", () => {
  const at = 1_800_000_000_000;
  const api = (data: object) => ({ name: "APIError", data });
  it.each([
    ["usage limit with the OpenAI body's resets_at", api({ message: "x", statusCode: 429, responseBody: '{"error":{"type":"usage_limit_reached","resets_at":1800000600}}' }), { resetsAt: 1_800_000_600_000, window: "usage_limit_reached" }],
    ["resets_in_seconds", api({ message: "x", statusCode: 429, responseBody: '{"error":{"type":"usage_limit_reached","resets_in_seconds":90}}' }), { resetsAt: at + 90_000, window: "usage_limit_reached" }],
    ["Anthropic's unified reset and claim", api({ statusCode: 429, responseHeaders: { "anthropic-ratelimit-unified-reset": "1800003600", "anthropic-ratelimit-unified-representative-claim": "five_hour" } }), { resetsAt: 1_800_003_600_000, window: "five_hour" }],
    ["retry-after as an HTTP date", api({ statusCode: 429, responseHeaders: { "retry-after": "Fri, 15 Jan 2027 08:00:00 GMT" } }), { resetsAt: Date.parse("2027-01-15T08:00:00Z"), window: undefined }],
    ["x-ratelimit-reset-* durations: the later one", api({ statusCode: 429, responseHeaders: { "x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s" } }), { resetsAt: at + 360_000, window: undefined }],
    ["only the message tells", api({ message: "Rate limit reached. Please try again in 20s.", statusCode: 429 }), { resetsAt: at + 20_000, window: undefined }],
    ["insufficient_quota without a 429", api({ message: "You exceeded your current quota", statusCode: 403, responseBody: '{"error":{"code":"insufficient_quota"}}' }), { resetsAt: undefined, window: "insufficient_quota" }],
  ])("%s", (_what, error, limit) => {
    expect(classifyError(error, at).limit).toEqual(limit);
  });

  it.each([
    ["an abort (Esc Esc)", { name: "MessageAbortedError", data: { message: "Aborted" } }],
    ["an overload", api({ message: "The server is overloaded", statusCode: 529 })],
    ["an auth error", { name: "ProviderAuthError", data: { message: "Incorrect API key" } }],
    ["nothing", undefined],
  ])("%s is not a limit", (_what, error) => {
    expect(classifyError(error, at).limit).toBeUndefined();
  });

  it.each([
    ["20ms", 20],
    ["1s", 1000],
    ["6m0s", 360_000],
    ["1h2m3.5s", 3_723_500],
    ["", undefined],
    ["soon", undefined],
  ])("durationMs(%j) = %s", (v, ms) => {
    expect(durationMs(v)).toBe(ms);
  });
});
