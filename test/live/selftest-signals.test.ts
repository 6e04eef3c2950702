// selftest --live's signal checks (src/selftest/live/signals.ts) on the real Claude Code 2.1.330
// lines of test/fixtures/signals: the PASS/FAIL lines they print, with no CLI run.
import { appendFileSync, copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfigText } from "../../src/config/load.js";
import { Tally } from "../../src/selftest/live/driver.js";
import { SignalProbe } from "../../src/selftest/live/signals.js";
import { readClaudeSignals } from "../../src/signals/claude/index.js";
import { claudeSignalFile } from "../../src/state/paths.js";
import { writeSessionId } from "../../src/state/session-id.js";
import { tempDir } from "../helpers/tmp.js";

const FIX = fileURLToPath(new URL("../fixtures/signals/claude/2.1.330/", import.meta.url));

function setup() {
  const dir = tempDir("selftest-signals");
  const fleet = loadConfigText(
    path.join(dir, "agents.toml"),
    [`[defaults]`, `session_prefix = "live-"`, `log_dir = "logs"`, `[[agent]]`, `name = "claude"`, `backend = "claude"`, `prompt = "Say hello."`].join("\n"),
  );
  const agent = fleet.agents[0]!;
  const lines: string[] = [];
  const tally = new Tally("claude", (l) => lines.push(l));
  return { fleet, agent, lines, tally, file: claudeSignalFile(fleet, agent.name) };
}

describe("selftest --live: the signal checks", () => {
  it("passes the pinned session id, idle, and a usage limit with its exact reset", async () => {
    const { fleet, agent, lines, tally, file } = setup();
    mkdirSync(path.dirname(file), { recursive: true });
    copyFileSync(path.join(FIX, "start.jsonl"), file);
    const id = readClaudeSignals(file).reading.sessionId!;
    writeSessionId(fleet, agent.name, id);
    const probe = new SignalProbe("claude", fleet, agent, Date.now(), tally);
    await probe.checkReady(1000);
    expect(lines[0]).toBe(`PASS claude signals session-id: pinned ${id} at launch, the record names it`);
    expect(lines[1]).toMatch(new RegExp(`^PASS claude signals idle: state idle, session ${id}, cost \\$\\d+\\.\\d{4}, \\d+ tokens \\(\\d+\\.\\ds\\)$`));

    appendFileSync(file, readFileSync(path.join(FIX, "usage-limit-5h.jsonl")));
    const reset = readClaudeSignals(file).reading.limit!.resetsAt!;
    await probe.checkLimit(reset + 3000, 1000);
    expect(lines[2]).toMatch(/^PASS claude signals limited: state limited, .*limit \(five_hour\) resets \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ.*: "You've hit your 5-hour limit/);
    expect(lines[3]).toMatch(/^PASS claude signals reset: resets \S+, the mock announced \S+ \(-3s\)$/);
    expect(tally.failed).toBe(0);
  });

  it("fails, saying why, when the tap wrote nothing or names another session", async () => {
    const { fleet, agent, lines, tally } = setup();
    writeSessionId(fleet, agent.name, "00000000-0000-4000-8000-000000000000");
    const probe = new SignalProbe("claude", fleet, agent, Date.now(), tally);
    await probe.checkReady(600);
    await probe.checkState("working", "UserPromptSubmit hook", 600);
    expect(lines).toEqual([
      "FAIL claude signals session-id: pinned 00000000-0000-4000-8000-000000000000, the record says nothing",
      expect.stringMatching(/^FAIL claude signals idle: expected idle; no record yet \(\d\.\ds\)$/),
      expect.stringMatching(/^FAIL claude signals working: expected working \(UserPromptSubmit hook\): no record yet \(\d\.\ds\)$/),
    ]);
    expect(tally.failed).toBe(3);
  });
});
