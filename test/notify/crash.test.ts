// watchdog-crashed: an error escaping the watchdog loop is notified (bounded) before the watchdog
// dies of it, and its watchdog-down is not sent as a second, misleading "stopped". The loop runs
// in-process with a lock whose check throws after the first tick: the one failure that is not
// inside the tick's own catch.
import { readFileSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../helpers/tmp.js";

vi.mock("../../src/state/lock.js", async (importOriginal) => {
  const orig = await importOriginal<typeof import("../../src/state/lock.js")>();
  return {
    ...orig,
    watchdogLock: () => ({
      acquire() {},
      release() {},
      check() {
        throw new Error("boom: the lock check exploded");
      },
    }),
  };
});

const { runWatchdog } = await import("../../src/watchdog/loop.js");

const EVENTS = ["SIGTERM", "SIGINT", "SIGHUP", "uncaughtException", "unhandledRejection"] as const;
let before: Map<string, Function[]>;

afterEach(() => {
  // runWatchdog installs process handlers and a last-resort exit timer; undo both.
  for (const e of EVENTS) for (const l of process.listeners(e as never)) if (!before.get(e)!.includes(l)) process.removeListener(e, l as never);
  vi.restoreAllMocks();
});

describe("watchdog-crashed", () => {
  it("is delivered to the command sink before runWatchdog rejects, and watchdog-stopped is not", async () => {
    before = new Map(EVENTS.map((e) => [e, [...process.listeners(e as never)] as Function[]]));
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const dir = tempDir("crash");
    const out = path.join(dir, "notified.jsonl");
    const config = path.join(dir, "agents.toml");
    writeFileSync(
      config,
      `[defaults]\nsession_prefix = "c-"\nlog_dir = ".state"\nbackend = "demo"\ntmux_socket = "agents-crash-${process.pid}"\n[notify]\ncommand = "cat >> '${out}'"\n`,
    );
    await expect(runWatchdog(config, { once: true, echo: () => {} })).rejects.toThrow(/boom: the lock check exploded/);
    expect(existsSync(out)).toBe(true);
    const sent = readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(sent.map((j) => j.event)).toEqual(["watchdog-started", "watchdog-crashed"]);
    expect(sent[1]).toMatchObject({ fleet: "c", agent: null, record: null });
    expect(String(sent[1]!.summary)).toMatch(/^\[c\] WATCHDOG CRASHED .*Error: boom: the lock check exploded$/);
    const log = readFileSync(path.join(dir, ".state/c-watchdog.events.jsonl"), "utf8");
    expect(log).toMatch(/"action":"watchdog-down","reason":"crashed: boom: the lock check exploded","crashed":true/);
    // The last-resort exit (1 s later, for stray handles) reports the crash as a failure.
    await new Promise((r) => setTimeout(r, 1200));
    expect(exit).toHaveBeenCalledWith(1);
  }, 20_000);
});
