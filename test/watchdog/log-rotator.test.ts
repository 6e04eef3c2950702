// The log rotator's effects on a temp log_dir and the in-memory tmux: what a look renames, the one
// tmux call that re-points a pane's pipe, retries, dry runs, throttled events, and a clean stop.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test, vi } from "vitest";
import type { EventFields, EventLog } from "../../src/log.js";
import { readClaudeSignals } from "../../src/signals/claude/index.js";
import { claudeSignalFile, opencodeSignalFile, rotatedSessionLogFile, sessionLogFile, stateDir } from "../../src/state/paths.js";
import { Tmux } from "../../src/tmux/tmux.js";
import { LogRotator } from "../../src/watchdog/log-rotator.js";
import { phaseText, sessionText } from "../signals/claude-fixtures.js";
import { FakeTmux } from "../helpers/fake-tmux.js";
import { BASE, T0, fleetFrom } from "./helpers.js";

const TOML = `${BASE}log_max_bytes = 65536
log_keep = 2

[[agent]]
name = "a"

[[service]]
name = "svc"
command = "sleep 1000"
`;
/** Over the threshold of a 64 KiB cap (half of it: the cap is too small for flood headroom). */
const FULL = "x".repeat(40 * 1024);

function setup(opts: { dryRun?: boolean; signalMaxBytes?: number } = {}) {
  // A fresh temp project (and log_dir) per test.
  const FLEET = fleetFrom(TOML);
  let clock = T0;
  const fake = new FakeTmux({ now: () => clock });
  fake.add("t-a");
  fake.add("t-svc");
  fake.add("t-watchdog");
  const events: (EventFields & { level: string })[] = [];
  const log: EventLog = { event: (level, fields) => void events.push({ level, ...fields }), flush() {} };
  const looks = { count: 0 };
  const rotator = new LogRotator({
    fleet: () => FLEET,
    tmux: new Tmux({ transport: fake }),
    log,
    dryRun: opts.dryRun,
    signalMaxBytes: opts.signalMaxBytes,
    now: () => (looks.count++, clock),
  });
  mkdirSync(FLEET.logDir, { recursive: true });
  for (const s of ["t-a", "t-svc", "t-watchdog"]) writeFileSync(sessionLogFile(FLEET, s), "");
  return {
    fleet: FLEET,
    fake,
    rotator,
    events,
    looks,
    advance: (ms: number) => void (clock += ms),
    write: (session: string, text: string) => writeFileSync(sessionLogFile(FLEET, session), text),
    read: (session: string, n = 0) => {
      const f = n ? rotatedSessionLogFile(FLEET, session, n) : sessionLogFile(FLEET, session);
      return existsSync(f) ? readFileSync(f, "utf8") : undefined;
    },
  };
}

describe("LogRotator", () => {
  test("a full log is moved to .1 and its pane's pipe replaced (no -o) by one exact pipe-pane", async () => {
    const t = setup();
    t.write("t-a", FULL);
    await t.rotator.check();
    expect(t.read("t-a")).toBeUndefined();
    expect(t.read("t-a", 1)).toBe(FULL);
    expect(t.fake.history()).toEqual([`pipe-pane -t =t-a: exec cat >> ${sessionLogFile(t.fleet, "t-a")}`]);
    expect(t.events).toMatchObject([{ level: "info", agent: "a", action: "log-rotated" }]);
  });

  test("services' and the watchdog's own logs are capped too; logs under the threshold are left alone", async () => {
    const t = setup();
    t.write("t-svc", FULL);
    t.write("t-watchdog", FULL);
    t.write("t-a", "small");
    await t.rotator.check();
    expect(t.fake.history().map((l) => l.split(" ")[2])).toEqual(["=t-svc:", "=t-watchdog:"]);
    expect(t.events.map((e) => e.agent)).toEqual(["svc", "watchdog"]);
    expect(t.read("t-a")).toBe("small");
  });

  test("a session that is gone: the log is rotated, nothing to re-point, no retry", async () => {
    const t = setup();
    t.fake.sessions.delete("t-a");
    t.write("t-a", FULL);
    await t.rotator.check();
    expect(t.read("t-a", 1)).toBe(FULL);
    expect(t.fake.history().map((l) => l.split(" ")[0])).toEqual(["pipe-pane", "has-session"]);
    t.fake.clearCalls();
    t.advance(1000);
    await t.rotator.check();
    expect(t.fake.history()).toEqual([]);
  });

  test("a failed re-point of a running session is reported and retried at the next look until it works", async () => {
    const t = setup();
    t.write("t-a", FULL);
    t.fake.fail("pipe-pane", "pipe-pane: busy");
    await t.rotator.check();
    expect(t.events.at(-1)).toMatchObject({ level: "error", agent: "a", action: "log-repipe-failed" });
    expect(String(t.events.at(-1)?.reason)).toContain("pipe-pane: busy");
    t.fake.restore("pipe-pane");
    t.fake.clearCalls();
    t.advance(1000);
    await t.rotator.check();
    expect(t.fake.history()).toEqual([`pipe-pane -t =t-a: exec cat >> ${sessionLogFile(t.fleet, "t-a")}`]);
    expect(t.fake.get("t-a").pipe).toBe(`exec cat >> ${sessionLogFile(t.fleet, "t-a")}`);
    t.fake.clearCalls();
    t.advance(1000);
    await t.rotator.check();
    expect(t.fake.history()).toEqual([]);
  });

  test("dry run: says what it would rotate, moves nothing, calls no tmux", async () => {
    const t = setup({ dryRun: true });
    t.write("t-a", FULL);
    await t.rotator.check();
    expect(t.read("t-a")).toBe(FULL);
    expect(t.read("t-a", 1)).toBeUndefined();
    expect(t.fake.history()).toEqual([]);
    expect(t.events).toMatchObject([{ agent: "a", action: "would-rotate-log" }]);
  });

  test("a flood rotating every look logs one event a minute, and the next one counts the rest", async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) {
      t.write("t-a", FULL);
      await t.rotator.check();
      t.advance(1000);
    }
    expect(t.events).toHaveLength(1);
    t.advance(60_000);
    t.write("t-a", FULL);
    await t.rotator.check();
    expect(t.events).toHaveLength(2);
    expect(String(t.events[1]!.reason)).toContain("(4 more since the last report)");
    expect(t.fake.history("pipe-pane")).toHaveLength(6);
  });

  test("keeps at most log_keep parts", async () => {
    const t = setup();
    for (const text of ["one", "two", "three"]) {
      t.write("t-a", text + FULL);
      await t.rotator.check();
      t.advance(1000);
    }
    expect([t.read("t-a", 1)?.slice(0, 5), t.read("t-a", 2)?.slice(0, 3)]).toEqual(["three", "two"]);
    expect(existsSync(rotatedSessionLogFile(t.fleet, "t-a", 3))).toBe(false);
  });

  test("started, it looks at once and again when planned; stopped, it looks no more", async () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      t.rotator.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(t.looks.count).toBe(1);
      // An idle 64 KiB cap is looked at every MIN_CHECK_MS (a flood could fill it in less).
      await vi.advanceTimersByTimeAsync(1000);
      expect(t.looks.count).toBeGreaterThan(5);
      await t.rotator.stop();
      const after = t.looks.count;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(t.looks.count).toBe(after);
    } finally {
      vi.useRealTimers();
    }
  });

  test("an agent's signal files over their cap are moved to .1 (one kept), no tmux call; the reader carries on in the new file", async () => {
    const t = setup({ signalMaxBytes: 4096 });
    mkdirSync(stateDir(t.fleet), { recursive: true });
    const claude = claudeSignalFile(t.fleet, "a");
    const opencode = opencodeSignalFile(t.fleet, "a");
    const old = sessionText("tool-use");
    expect(old.length).toBeGreaterThan(4096);
    writeFileSync(claude, old);
    writeFileSync(opencode, readFileSync(new URL("../fixtures/signals/opencode/signals.jsonl", import.meta.url)).subarray(0, 100));
    const before = readClaudeSignals(claude);
    await t.rotator.check();
    expect(existsSync(claude)).toBe(false);
    expect(readFileSync(`${claude}.1`, "utf8")).toBe(old);
    expect(existsSync(opencode)).toBe(true); // under its cap
    expect(t.fake.history()).toEqual([]);
    expect(t.events).toMatchObject([{ level: "info", agent: "a", action: "signals-rotated" }]);
    // The hooks' next append creates a new file; the reader reads it from 0 on top of what it knew.
    appendFileSync(claude, phaseText("usage-limit-5h"));
    const after = readClaudeSignals(claude, before);
    expect(after.reading.state).toBe("limited");
    expect(after.reading.sessionId).toBe(before.reading.sessionId);
    // Over the cap again: the older part is replaced, one kept.
    appendFileSync(claude, old);
    t.advance(60_000);
    await t.rotator.check();
    expect(readFileSync(`${claude}.1`, "utf8")).toBe(phaseText("usage-limit-5h") + old);
    expect(existsSync(`${claude}.2`)).toBe(false);
  });

  test("a dry run names the signal file it would rotate and moves nothing", async () => {
    const t = setup({ dryRun: true, signalMaxBytes: 4096 });
    mkdirSync(stateDir(t.fleet), { recursive: true });
    const claude = claudeSignalFile(t.fleet, "a");
    writeFileSync(claude, sessionText("tool-use"));
    await t.rotator.check();
    expect(readFileSync(claude, "utf8")).toBe(sessionText("tool-use"));
    expect(t.events).toMatchObject([{ action: "would-rotate-signals", agent: "a" }]);
  });
});
