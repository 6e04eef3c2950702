// The watchdog state's account holds (issue 11 item 4): kept across a restart; files from before
// accounts, or with a malformed entry, load without them.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as paths from "../../src/state/paths.js";
import { emptyState, loadWatchdogState, writeWatchdogState } from "../../src/state/watchdog-state.js";
import { tempDir } from "../helpers/tmp.js";

function fleet() {
  const logDir = path.join(tempDir("state"), "logs");
  return { logDir, watchdogSession: "p-watchdog", loop: { state_file: "phase-idx", on_complete: { trigger_file: ".run" } } } as unknown as paths.PathFleet;
}

describe("watchdog state: accounts", () => {
  it("a hold survives a write and a load", () => {
    const f = fleet();
    const s = emptyState();
    s.accounts = { "claude:/root/.claude": { since: 1, until: 2, agent: "a", reason: "usage limit", resumeQueue: ["b"], lastResumeAt: 2 } };
    writeWatchdogState(f, s);
    expect(loadWatchdogState(f).state.accounts).toEqual(s.accounts);
  });
  it("old files have none; malformed entries are dropped, not fatal", () => {
    const f = fleet();
    mkdirSync(paths.stateDir(f), { recursive: true });
    const base = { version: 1, agents: {}, handoff: { inboxes: {} } };
    writeFileSync(paths.watchdogStateFile(f), JSON.stringify(base));
    expect(loadWatchdogState(f).state.accounts).toBeUndefined();
    writeFileSync(paths.watchdogStateFile(f), JSON.stringify({ ...base, accounts: "x" }));
    expect(loadWatchdogState(f).state.accounts).toBeUndefined();
    writeFileSync(paths.watchdogStateFile(f), JSON.stringify({ ...base, accounts: { a: { until: "soon" }, b: { since: 1, until: 5, agent: "z", reason: "r" } } }));
    expect(loadWatchdogState(f).state.accounts).toEqual({ b: { since: 1, until: 5, agent: "z", reason: "r" } });
  });
});
