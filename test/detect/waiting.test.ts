import { describe, expect, it } from "vitest";
import { parseWaitingUntil } from "../../src/detect/waiting.js";

const pad = (rows: string[], total = 40): string => [...rows, ...Array(Math.max(0, total - rows.length)).fill("")].join("\n");

describe("parseWaitingUntil", () => {
  it("reads the last marker on screen", () => {
    const text = "WAITING-UNTIL: 2026-11-21T19:00:00Z\nlater...\nWAITING-UNTIL: 2026-11-21T20:30:00+01:00\n";
    expect(parseWaitingUntil(text, false)).toBe(Date.parse("2026-11-21T19:30:00Z"));
  });

  it("accepts markdown decoration and compact offsets", () => {
    expect(parseWaitingUntil("**WAITING-UNTIL: `2026-11-21T19:00:00Z`**.", false)).toBe(Date.parse("2026-11-21T19:00:00Z"));
    expect(parseWaitingUntil("WAITING-UNTIL: 2026-11-21T19:00+0200", false)).toBe(Date.parse("2026-11-21T17:00:00Z"));
  });

  it("treats an offset-less time as local wall time", () => {
    expect(parseWaitingUntil("WAITING-UNTIL: 2026-11-21T19:00:00", false)).toBe(new Date(2026, 10, 21, 19, 0, 0).getTime());
  });

  it("returns undefined for an invalid time, even when an older marker was valid", () => {
    expect(parseWaitingUntil("WAITING-UNTIL: tomorrow", false)).toBeUndefined();
    expect(parseWaitingUntil("WAITING-UNTIL: 2026-02-30T10:00:00Z", false)).toBeUndefined();
    expect(parseWaitingUntil("WAITING-UNTIL: 2026-11-21T25:00:00Z", false)).toBeUndefined();
    expect(parseWaitingUntil("WAITING-UNTIL: 2026-11-21T19:00:00Z\nWAITING-UNTIL: soon", false)).toBeUndefined();
    expect(parseWaitingUntil("no marker here", false)).toBeUndefined();
  });

  it("on a footer UI only the bottom rows count", () => {
    const old = pad(["WAITING-UNTIL: 2026-11-21T19:00:00Z", ...Array(20).fill("transcript"), "  ┃  footer", "  ctrl+p commands"]);
    expect(parseWaitingUntil(old, true)).toBeUndefined();
    expect(parseWaitingUntil(old, false)).toBe(Date.parse("2026-11-21T19:00:00Z"));
    const fresh = pad([...Array(20).fill("transcript"), "     WAITING-UNTIL: 2026-11-21T19:00:00Z", "", "  ┃  footer", "  ctrl+p commands"]);
    expect(parseWaitingUntil(fresh, true)).toBe(Date.parse("2026-11-21T19:00:00Z"));
  });

  it("ignores ANSI colouring", () => {
    expect(parseWaitingUntil("\x1b[1mWAITING-UNTIL:\x1b[0m 2026-11-21T19:00:00Z", false)).toBe(Date.parse("2026-11-21T19:00:00Z"));
  });
});
