// The stream policy: what a pane's new output says (stream-hint.ts) and what the change feed does
// with it (change-feed.ts): test the bytes once the pane is quiet and every FLOW_SCAN_MS while it
// flows; a limit, fatal or dialog line captures at once, plain output waits PLAIN_SETTLE_MS.
import { describe, expect, it } from "vitest";
import { compileRules } from "../../src/detect/classify.js";
import { BUILTIN_DETECT } from "../../src/detect/patterns.js";
import { PLAIN_SETTLE_MS, SETTLE_MS, settleMsFor, streamHint, type StreamHint } from "../../src/watchdog/stream-hint.js";
import { captureDue, FLOW_CAPTURE_MS, FLOW_SCAN_MS, scanDue, settleOf, type PaneFlow } from "../../src/watchdog/change-feed.js";

const claude = compileRules(BUILTIN_DETECT.claude);
const bench = compileRules({ active_re: "working\\.\\.\\." });
const ESC = "\x1b";

describe("streamHint", () => {
  it.each<[string, string, ReturnType<typeof compileRules>, StreamHint]>([
    ["a working line", "working... a001 line 3 10:00:01\n", bench, "plain"],
    ["a title escape and a line", `${ESC}]2;◐ Claude Code\x07working... x\n`, bench, "plain"],
    ["no rules at all", "anything\n", compileRules({}), "plain"],
    ["claude's limit banner", `${ESC}[2K  ⎿  You've hit your 5-hour limit · resets 7:50pm (UTC)\r\n`, claude, "act"],
    ["claude's footer limit row, no newline", `${ESC}[38;5;1m  ⚠ Usage limit reached · limit resets 7:50pm${ESC}[0m`, claude, "act"],
    ["claude's fatal line", "  ⎿  Invalid API key · Fix external API key\n", claude, "act"],
    ["claude's trust dialog", " Do you trust the files in this folder?\n", claude, "act"],
    ["a reply that talks about limits", "● The usage limit of the API is 5 requests.\n", claude, "plain"],
    ["claude's idle box", "❯ \n? for shortcuts\n", claude, "read"],
    ["the idle box while the spinner runs", "✻ Smooshing… (4s · ↓ 3 tokens · esc to interrupt)\n❯ \n", claude, "plain"],
    ["a WAITING-UNTIL marker", "WAITING-UNTIL: 2026-12-02T12:00:00Z\n", bench, "read"],
  ])("%s", (_name, text, rules, want) => {
    expect(streamHint(text, rules)).toBe(want);
  });

  it("gives plain output the long settle, anything else the short one", () => {
    expect(settleMsFor("plain")).toBe(PLAIN_SETTLE_MS);
    expect(settleMsFor("read")).toBe(SETTLE_MS);
    expect(settleMsFor("act")).toBe(SETTLE_MS);
    expect(settleMsFor(undefined)).toBe(SETTLE_MS);
    expect(PLAIN_SETTLE_MS).toBeGreaterThan(SETTLE_MS);
    expect(PLAIN_SETTLE_MS).toBeLessThan(FLOW_CAPTURE_MS);
  });
});

const NOW = 1_000_000;
const flow = (f: Partial<PaneFlow>): PaneFlow => ({ lastWrite: NOW, unscanned: true, scannedAt: NOW, scannable: true, ...f });

describe("scanDue / settleOf", () => {
  it.each<[string, PaneFlow, boolean, { due: boolean; nextAt?: number }]>([
    ["just written: wait for quiet", flow({}), false, { due: false, nextAt: NOW + SETTLE_MS }],
    ["quiet: test its bytes first", flow({ lastWrite: NOW - SETTLE_MS, scannedAt: NOW - SETTLE_MS }), true, { due: false, nextAt: NOW }],
    ["tested plain, quiet 1 s: not yet", flow({ lastWrite: NOW - 1000, unscanned: false, hint: "plain" }), false, { due: false, nextAt: NOW - 1000 + PLAIN_SETTLE_MS }],
    ["tested plain, quiet long enough", flow({ lastWrite: NOW - PLAIN_SETTLE_MS, unscanned: false, hint: "plain" }), false, { due: true }],
    ["tested idle prompt, quiet", flow({ lastWrite: NOW - SETTLE_MS, unscanned: false, hint: "read" }), false, { due: true }],
    ["flowing, last tested long ago", flow({ lastWrite: NOW - 100, scannedAt: NOW - FLOW_SCAN_MS }), true, { due: false, nextAt: NOW }],
    ["flowing, tested just now", flow({ lastWrite: NOW - 100, scannedAt: NOW - 200 }), false, { due: false, nextAt: NOW - 100 + SETTLE_MS }],
    ["no rules: settles after SETTLE_MS as before", flow({ lastWrite: NOW - SETTLE_MS, scannable: false, hint: "plain" }), false, { due: true }],
  ])("%s", (_name, f, scan, settle) => {
    expect(scanDue(NOW, f)).toBe(scan);
    expect(settleOf(NOW, f)).toEqual(settle);
  });
});

describe("captureDue with what the stream said", () => {
  it.each<[string, number, number, { settleMs: number; actAt?: number } | undefined, boolean]>([
    ["plain output, quiet 1 s: keep the reading", NOW - 1000, NOW - 3000, { settleMs: PLAIN_SETTLE_MS }, false],
    ["plain output, quiet past the long settle", NOW - PLAIN_SETTLE_MS, NOW - 6000, { settleMs: PLAIN_SETTLE_MS }, true],
    ["a limit line since the last capture: now, still flowing", NOW - 50, NOW - 2000, { settleMs: SETTLE_MS, actAt: NOW - 100 }, true],
    ["a limit line already captured", NOW - 50, NOW - 50, { settleMs: PLAIN_SETTLE_MS, actAt: NOW - 100 }, false],
    ["plain but past the flow cap", NOW - 50, NOW - FLOW_CAPTURE_MS, { settleMs: PLAIN_SETTLE_MS }, true],
    ["nothing tested: the short settle", NOW - SETTLE_MS, NOW - 1000, undefined, true],
  ])("%s", (_name, lastWrite, capturedAt, stream, due) => {
    expect(captureDue(NOW, lastWrite, capturedAt, FLOW_CAPTURE_MS, stream)).toBe(due);
  });
});
