import { describe, expect, it } from "vitest";
import { formatClassification } from "../../src/detect/explain.js";
import type { Classification } from "../../src/detect/types.js";

const limited: Classification = {
  state: "limited",
  rule: "limit_re",
  line: "⎿  You've hit your weekly limit · resets Nov 24, 1:18am (UTC)",
  lineNo: 11,
  reset: { text: "Nov 24, 1:18am (UTC)", at: Date.parse("2026-11-24T01:18:00Z") },
};

describe("formatClassification", () => {
  it("starts with the state, and for a parsed limit the reset instant and text", () => {
    expect(formatClassification(limited, {})).toBe("limited until 2026-11-24T01:18:00.000Z (Nov 24, 1:18am (UTC))");
    expect(formatClassification({ state: "idle", rule: "idle_re" }, {})).toBe("idle");
    expect(formatClassification({ state: "limited", rule: "limit_re", reset: { text: "later" } }, {})).toMatch(/^limited /);
  });

  it("--explain adds the rule, the row and the reset", () => {
    const out = formatClassification(limited, { explain: true }).split("\n");
    expect(out[0]).toMatch(/^limited until/);
    expect(out).toContain("  rule: limit_re");
    expect(out).toContain("  line 12: ⎿  You've hit your weekly limit · resets Nov 24, 1:18am (UTC)");
    expect(out.some((l) => l.startsWith("  reset: Nov 24, 1:18am (UTC) = 2026-11-24T01:18:00.000Z"))).toBe(true);
  });

  it("--json prints the same verdict as JSON", () => {
    const parsed = JSON.parse(formatClassification(limited, { json: true })) as Record<string, unknown>;
    expect(parsed).toMatchObject({ state: "limited", rule: "limit_re", lineNo: 11, resetIso: "2026-11-24T01:18:00.000Z" });
    expect((parsed.reset as { at: number }).at).toBe(Date.parse("2026-11-24T01:18:00Z"));
  });

  it("marks a dead pane whose last screen explains the death", () => {
    expect(formatClassification({ state: "fatal", rule: "fatal_re", dead: true }, {})).toBe("fatal (pane dead)");
    expect(formatClassification({ state: "exited", rule: "dead", dead: true }, {})).toBe("exited");
  });
});
