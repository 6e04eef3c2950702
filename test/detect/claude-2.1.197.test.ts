import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classify } from "../../src/detect/classify.js";
import { BUILTIN_DETECT } from "../../src/detect/patterns.js";

// Saved by the live selftest from Claude Code 2.1.197, the version npm installs on Node 20.
const screen = readFileSync(new URL("../fixtures/live-unclassified/claude-2.1.197-usage_limit-rate-limit-options.txt", import.meta.url), "utf8");

describe("Claude Code 2.1.197 usage limit with its auto-run /rate-limit-options menu", () => {
  it("reads as limited with the reset time", () => {
    const c = classify({ text: screen, title: "✳ Claude Code", command: "claude" }, BUILTIN_DETECT.claude, new Date("2026-11-21T20:00:00Z"));
    expect(c.state).toBe("limited");
    expect(c.reset?.at).toBe(Date.parse("2026-11-21T22:23:00Z"));
  });
});
