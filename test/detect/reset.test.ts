import { describe, expect, it } from "vitest";
import { parseReset, parseResetValue, wallToInstant } from "../../src/detect/reset.js";

// 18:24 UTC on Saturday 2026-11-21 = 03:24 on Sunday in Tokyo = 13:24 in New York (EST, UTC-5).
const now = new Date("2026-11-21T18:24:00Z");
const at = (text: string, zone = "UTC", clock = now): string | undefined => {
  const r = parseReset(text, clock, zone);
  return r?.at === undefined ? undefined : new Date(r.at).toISOString();
};

describe("parseReset formats", () => {
  it.each([
    ["resets 3pm", "UTC", "2026-11-22T15:00:00.000Z"], // 3pm today is past: tomorrow
    ["resets 8pm", "UTC", "2026-11-21T20:00:00.000Z"],
    ["resets 3pm", "America/New_York", "2026-11-21T20:00:00.000Z"], // 13:24 local: 3pm is today
    ["resets 8:30pm (Asia/Tokyo)", "UTC", "2026-11-22T11:30:00.000Z"], // printed zone beats the default
    ["resets 8:30pm (Asia/Tokyo)", "America/New_York", "2026-11-22T11:30:00.000Z"],
    ["resets Sep 15 at 7pm", "UTC", "2027-09-15T19:00:00.000Z"], // far in the past: next year
    ["resets Dec 1 at 7pm", "UTC", "2026-12-01T19:00:00.000Z"],
    ["resets Jul 31, 2am (UTC)", "Asia/Tokyo", "2027-07-31T02:00:00.000Z"],
    ["You've hit your weekly limit · resets Nov 24, 1:18am (UTC)", "Asia/Tokyo", "2026-11-24T01:18:00.000Z"],
    ["⚠ Usage limit reached · limit resets 7:50pm", "UTC", "2026-11-21T19:50:00.000Z"],
    ["try again at 3:28 PM.", "UTC", "2026-11-22T15:28:00.000Z"],
    ["try again at 3:28 PM.", "America/New_York", "2026-11-21T20:28:00.000Z"],
    ["try again at Sep 20th, 2026 4:00 PM", "UTC", "2026-09-20T16:00:00.000Z"], // explicit year kept, even if past
    ["try again at Nov 24th, 2026 1:30 AM", "UTC", "2026-11-24T01:30:00.000Z"],
    ["purchase more credits or try again at Nov\n24th, 2026 1:30 AM.", "UTC", "2026-11-24T01:30:00.000Z"],
    ["or try\nagain at 7:15\nPM.", "UTC", "2026-11-21T19:15:00.000Z"],
    ["try again in 3 days 6 hours 57 minutes", "UTC", "2026-11-25T01:21:00.000Z"],
    ["Please try again in 10s. Visit https://x", "UTC", "2026-11-21T18:24:10.000Z"],
    ["Your quota will reset after 2h52m39s.", "UTC", "2026-11-21T21:16:39.000Z"],
    ["Claude AI usage limit reached|1749924000", "UTC", "2025-06-14T18:00:00.000Z"],
    ["⚠ 5h limit: only <1% left · resets at 19:15 · /status", "UTC", "2026-11-21T19:15:00.000Z"],
    ["resets 7pm UTC", "Asia/Tokyo", "2026-11-21T19:00:00.000Z"],
  ])("%s (default zone %s)", (text, zone, iso) => {
    expect(at(text, zone)).toBe(iso);
  });

  it("keeps the reset text as printed", () => {
    expect(parseReset("You've hit your weekly limit · resets Nov 24, 1:18am (UTC)", now)?.text).toBe("Nov 24, 1:18am (UTC)");
    expect(parseReset("try again in 3 days 6 hours 57 minutes.", now)?.text).toBe("in 3 days 6 hours 57 minutes");
    expect(parseReset("or try again at Nov\n24th, 2026 1:30 AM.", now)?.text).toBe("Nov 24th, 2026 1:30 AM");
  });

  it("takes the last reset phrase on screen", () => {
    const text = "⎿ You've hit your 5-hour limit · resets 3pm (UTC)\n…\n⎿ You've hit your weekly limit · resets Nov 24, 1:18am (UTC)";
    expect(at(text)).toBe("2026-11-24T01:18:00.000Z");
  });

  it("borrows the zone printed next to the same time elsewhere on screen", () => {
    const text = "⎿ You've hit your 5-hour limit · resets 7:50pm (Asia/Tokyo)\n⚠ Usage limit reached · limit resets 7:50pm";
    expect(at(text, "UTC")).toBe("2026-11-22T10:50:00.000Z");
  });

  it("a bare time that only just passed is not pushed to tomorrow", () => {
    const clock = new Date("2026-11-21T18:05:00Z");
    expect(at("limit resets 6:04pm", "UTC", clock)).toBe("2026-11-21T18:04:00.000Z");
    expect(at("limit resets 5:30pm", "UTC", clock)).toBe("2026-11-22T17:30:00.000Z");
  });

  it("handles a DST change between now and the reset", () => {
    // 2026-03-08 02:00 America/New_York springs forward; 3pm on Mar 8 is EDT (UTC-4).
    const clock = new Date("2026-03-07T20:00:00Z");
    expect(at("resets Mar 8 at 3pm", "America/New_York", clock)).toBe("2026-03-08T19:00:00.000Z");
    expect(at("resets 3pm (America/New_York)", "UTC", new Date("2026-03-08T12:00:00Z"))).toBe("2026-03-08T19:00:00.000Z");
  });

  it("ignores advice and retry loops that are not reset times", () => {
    expect(parseReset("try again in a moment", now)).toBeUndefined();
    expect(parseReset("✻ API error · retrying in 9s · attempt 1/10", now)).toBeUndefined();
    expect(parseReset("Usage limit reached", now)).toBeUndefined();
  });

  it("an unknown zone falls back to the default zone", () => {
    expect(at("resets 8pm (Mars/Olympus)", "UTC")).toBe("2026-11-21T20:00:00.000Z");
  });
});

describe("parseResetValue", () => {
  it("parses the bare values LABELS.tsv records", () => {
    expect(parseResetValue("7:15 PM", now, "UTC")).toBe(Date.parse("2026-11-21T19:15:00Z"));
    expect(parseResetValue("in 10s", now, "UTC")).toBe(now.getTime() + 10_000);
    expect(parseResetValue("Nov 24th, 2026 1:30 AM", now, "UTC")).toBe(Date.parse("2026-11-24T01:30:00Z"));
    expect(parseResetValue("2026-11-22T03:00:00Z", now)).toBe(Date.parse("2026-11-22T03:00:00Z"));
    expect(parseResetValue("soon", now)).toBeUndefined();
    expect(parseResetValue("13pm", now)).toBeUndefined();
  });
});

describe("wallToInstant", () => {
  it("converts wall time in a zone to an instant", () => {
    expect(wallToInstant({ y: 2026, mo: 6, d: 1, h: 12, mi: 0 }, "Europe/Berlin")).toBe(Date.parse("2026-07-01T10:00:00Z"));
    expect(wallToInstant({ y: 2026, mo: 0, d: 1, h: 12, mi: 0 }, "Europe/Berlin")).toBe(Date.parse("2026-01-01T11:00:00Z"));
    expect(wallToInstant({ y: 2026, mo: 0, d: 1, h: 9, mi: 30 }, "Asia/Kolkata")).toBe(Date.parse("2026-01-01T04:00:00Z"));
  });
});
