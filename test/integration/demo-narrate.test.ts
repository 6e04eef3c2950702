// scripts/narrate.mjs, the demo's [notify] command sink: the product's own payloads (renderPayload)
// on stdin, one story line appended per event; bad input is one line and exit 2.
import { readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { renderPayload, type Notification } from "../../src/notify/events.js";
import { ROOT, tempDir } from "../helpers/tmux.js";

const SCRIPT = path.join(ROOT, "scripts/narrate.mjs");
const AT = Date.parse("2026-12-02T09:38:41.333Z");

async function narrate(n: Notification): Promise<string> {
  const file = path.join(tempDir("narrate"), "narration.log");
  const input = JSON.stringify(renderPayload("demo", n, AT));
  const r = await execa("node", [SCRIPT, file], { input, env: { TZ: "UTC" }, reject: false });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return readFileSync(file, "utf8");
}

const ev = (event: Notification["event"], agent: string | null, reason: string, record: string | null = null): Notification => ({ event, agent, reason, record });

describe("narrate.mjs", () => {
  test.each([
    [ev("restarted", "builder", "session missing", "builder-restarted-x.json"), "builder crashed (its session is gone) → restarted; forensic record builder-restarted-x.json"],
    [ev("restarted", "builder", "pane exited (status 1)"), "builder crashed (exit 1) → restarted"],
    [ev("restarted", "builder", "fatal: API Error: 401"), "builder showed a fatal error (API Error: 401) → restarted"],
    [
      ev("limit-hold", "adversary", "usage limit; banner says reset 2026-12-02T09:38:54Z; holding until 2026-12-02T09:38:56Z"),
      "adversary hit a usage limit (reset 2026-12-02T09:38:54Z) → held until 09:38:56, not restarted",
    ],
    [
      ev("limit-hold", "adversary", "account a limited by adversary: usage limit; resets 7pm; holding builder, supervisor too until 2026-12-02T19:00:45Z"),
      "adversary's usage limit holds its whole account: builder, supervisor held too until 19:00:45",
    ],
    [ev("limit-hold", "adversary", "usage limit; reset time unknown; probing every 300s"), "adversary hit a usage limit → held, not restarted (usage limit; reset time unknown; probing every 300s)"],
    [ev("limit-resumed", "adversary", "agent is working again"), "adversary's usage-limit hold is over: agent is working again"],
    [ev("limit-resumed", null, "account a: every agent resumed"), "usage-limit hold over: account a: every agent resumed"],
    [ev("phase-advanced", null, "phase P1 done; advancing to P2"), "phase advanced on DONE: phase P1 done; advancing to P2"],
    [ev("watchdog-started", null, "pid 1"), "watchdog started: supervising the fleet"],
    // Anything the story has no words for reads as the product's own summary.
    [ev("dialog", "builder", "unknown dialog"), "[demo] builder needs a human: unknown dialog"],
  ])("%# %j", async (n, line) => {
    expect(await narrate(n)).toBe(`09:38:41  ${line}\n`);
  });

  test("stdin that is not an event, or no file: one line, exit 2, nothing written", async () => {
    const dir = tempDir("narrate-bad");
    const bad = await execa("node", [SCRIPT, path.join(dir, "n.log")], { input: "not json", reject: false });
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr).trim().split("\n")).toHaveLength(1);
    const none = await execa("node", [SCRIPT], { input: "{}", reject: false });
    expect(none.exitCode).toBe(2);
    expect(String(none.stderr)).toMatch(/^usage: node scripts\/narrate\.mjs/);
  });
});
