import { describe, expect, it } from "vitest";
import { captureDue, FLOW_CAPTURE_MS, SETTLE_MS } from "../../src/watchdog/change-feed.js";
import { localOriginPath } from "../../src/watchdog/handoff-refs.js";

const NOW = 1_000_000;

describe("captureDue", () => {
  it.each<[string, number | undefined, number | undefined, boolean]>([
    ["no write seen: tmux's word decides", undefined, NOW - 10, true],
    ["never captured", NOW - 10, undefined, true],
    ["settled", NOW - SETTLE_MS, NOW - 100, true],
    ["still flowing, captured a moment ago", NOW - 50, NOW - 1_000, false],
    ["still flowing, captured just under the flow bound", NOW - 50, NOW - FLOW_CAPTURE_MS + 1, false],
    ["still flowing, but not read for the flow bound", NOW - 50, NOW - FLOW_CAPTURE_MS, true],
    ["quiet a moment less than the settle time", NOW - SETTLE_MS + 1, NOW - 200, false],
  ])("%s", (_what, lastWrite, capturedAt, due) => {
    expect(captureDue(NOW, lastWrite, capturedAt)).toBe(due);
  });

  it("takes a longer bound for a pane whose title says working", () => {
    expect(captureDue(NOW, NOW - 50, NOW - FLOW_CAPTURE_MS, 3 * FLOW_CAPTURE_MS)).toBe(false);
    expect(captureDue(NOW, NOW - 50, NOW - 3 * FLOW_CAPTURE_MS, 3 * FLOW_CAPTURE_MS)).toBe(true);
  });
});

describe("localOriginPath", () => {
  it.each<[string, string | undefined]>([
    ["/srv/git/origin.git", "/srv/git/origin.git"],
    ["../origin", "/work/origin"],
    ["file:///srv/o.git", "/srv/o.git"],
    ["git@github.com:me/repo.git", undefined],
    ["https://github.com/me/repo.git", undefined],
    ["ssh://host/repo", undefined],
  ])("%s → %s", (url, want) => {
    expect(localOriginPath(url, "/work/repo")).toBe(want);
  });
});

describe("ChangeFeed", () => {
  it("sees a write to a tracked log, settles it once, and retries a dir it could not watch", async () => {
    const { mkdtempSync, mkdirSync, appendFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { ChangeFeed } = await import("../../src/watchdog/change-feed.js");
    const root = mkdtempSync(path.join(tmpdir(), "feed-"));
    const dir = path.join(root, "logs");
    const settledSessions: string[][] = [];
    let clock = 0;
    const feed = new ChangeFeed({ onSettled: (s) => settledSessions.push(s), now: () => (clock ? clock : Date.now()) });
    try {
      const logs = new Map([["s-a", path.join(dir, "s-a.log")]]);
      expect(feed.track(dir, logs)).toMatch(/cannot watch/);
      expect(feed.track(dir, logs)).toBeUndefined();
      expect(feed.watching).toBe(false);
      mkdirSync(dir);
      clock = Date.now() + 31_000;
      expect(feed.track(dir, logs)).toBeUndefined();
      expect(feed.watching).toBe(true);
      clock = 0;
      appendFileSync(path.join(dir, "s-a.log"), "x");
      appendFileSync(path.join(dir, "other.log"), "x");
      const end = Date.now() + 5_000;
      while (!settledSessions.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(settledSessions).toEqual([["s-a"]]);
      expect(feed.lastWriteOf("s-a")).toBeGreaterThan(0);
      expect(feed.lastWriteOf("other")).toBeUndefined();
    } finally {
      feed.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
