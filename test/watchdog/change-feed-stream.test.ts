// ChangeFeed with rules (real files and inotify, no tmux): plain output is let settle for
// PLAIN_SETTLE_MS, a limit line makes the pane due at once even while its output flows.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_DETECT } from "../../src/detect/patterns.js";
import { ChangeFeed, PLAIN_SETTLE_MS, SETTLE_MS } from "../../src/watchdog/change-feed.js";
import { tempDir, onFileCleanup } from "../helpers/tmp.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ChangeFeed reading the stream", () => {
  it("defers plain output, and says at once when a limit line appears in a flowing pane", { timeout: 20_000 }, async () => {
    const dir = path.join(tempDir("feed-stream"), "logs");
    mkdirSync(dir);
    const file = path.join(dir, "t-a.log");
    writeFileSync(file, "");
    const due: { at: number; s: string[] }[] = [];
    const feed = new ChangeFeed({ onSettled: (s) => due.push({ at: Date.now(), s }) });
    onFileCleanup(() => feed.close());
    expect(feed.track(dir, new Map([["t-a", file]]), new Map([["t-a", BUILTIN_DETECT.demo]]))).toBeUndefined();

    appendFileSync(file, "working... 10:00:00\n");
    await sleep(SETTLE_MS + 400);
    expect(due).toEqual([]);
    expect(feed.streamOf("t-a")).toEqual({ settleMs: PLAIN_SETTLE_MS });

    // A flowing pane (a line every 200 ms) prints a limit banner and flows on.
    const start = Date.now();
    for (let i = 0; i < 10; i++) {
      appendFileSync(file, i === 3 ? "You've hit your usage limit · resets 7pm\n" : `working... ${i}\n`);
      await sleep(200);
    }
    expect(due.length).toBeGreaterThan(0);
    expect(due[0]!.s).toEqual(["t-a"]);
    expect(due[0]!.at - start).toBeLessThan(2_000 + 600);
    expect(feed.streamOf("t-a")?.actAt).toBeGreaterThanOrEqual(start);
  });
});
