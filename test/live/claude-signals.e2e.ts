// The Claude Code signal tap against the real CLI (npm run test:live), offline: a private tmux
// server, a throwaway HOME with the user's own hook and statusLine in ~/.claude/settings.json, the
// mock model server with a subscriber's rate-limit headers. The agent is launched the way `agents
// up` would (config → prepareAgentHome → buildLaunch) plus claudeTap's arguments, then driven
// through start, a prompt, a tool call, a 5-hour usage limit that Claude continues by itself, a weekly limit,
// and a resume. readClaudeSignals must read each state; the user's hook and statusLine must still
// run. AGENTS_SAVE_SIGNAL_FIXTURES=<dir> saves every phase's real lines (the unit tests' fixtures).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigText, type Agent } from "../../src/config/load.js";
import { buildLaunch } from "../../src/fleet/command.js";
import { prepareAgentHome } from "../../src/fleet/preseed.js";
import { killStrays } from "../../src/selftest/live/driver.js";
import { cliVersion } from "../../src/selftest/live/profiles.js";
import { claudeTap, readClaudeSignals, type ClaudeSignalCursor } from "../../src/signals/claude/index.js";
import type { SignalReading } from "../../src/signals/types.js";
import { shellQuote } from "../../src/tmux/tmux.js";
import { SAVE, sleep, startDriver, tapEnv, tapToml, withLiveTap, writeKickoff } from "./live-setup.js";

describe("claude signal tap, real CLI", () => {
  it("reads start, prompt, usage limits, auto-continue and resume from the hooks and statusLine", async (ctx) => {
    const mockOpts = {
      replyText: "Hello from the mock. All good.",
      tokenMs: 30,
      claudeRateLimits: { fiveHourUtilization: 0.42, sevenDayUtilization: 0.17 },
    };
    // Claude's config dir in HOME (the project's README.md is what the tool_use scenario reads).
    const prepare = ({ home }: { home: string }) => {
      mkdirSync(path.join(home, ".claude"), { recursive: true });
    };
    await withLiveTap(ctx, "claude", { product: "Claude Code", mock: mockOpts, prepare }, async (s) => {
      const { cli, root, home, project, mock, out } = s;
      // The user's own setup, which the tap must leave working: a hook and a statusLine reading stdin.
      const userHookLog = path.join(root, "user-hook.log");
      const userSettings = JSON.stringify({
        hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: `echo prompt >> ${shellQuote(userHookLog)}` }] }] },
        statusLine: { type: "command", command: `sed -n 's/.*"version":"\\([^"]*\\)".*/USER-STATUS v\\1/p'`, padding: 0 },
      });
      writeFileSync(path.join(home, ".claude", "settings.json"), userSettings);
      const env = tapEnv(s);
      const version = await cliVersion(cli, env);
      const toml = tapToml(s, "sonnet", env, [`resume = true`]);
      const fleet = loadConfigText(path.join(project, "agents.toml"), toml);
      const agent: Agent = fleet.agents[0]!;
      await prepareAgentHome(agent);
      const kickoff = writeKickoff(s, agent);

      /** Launch as `agents up` would, with the tap's arguments among the backend's flags. */
      const launch = async () => {
        const tap = claudeTap(agent, { fleet });
        const tapped = { ...agent, backend: { ...agent.backend, flags: [agent.backend.flags, ...tap.args].filter(Boolean).join(" ") } };
        const plan = buildLaunch(tapped, { kickoffFile: kickoff, model: agent.model });
        await startDriver(s, agent, plan.env, plan.command);
        return tap;
      };

      const tap = await launch();
      expect(tap.resumed).toBe(false);
      expect(tap.userStatusLineFrom).toBe(path.join(home, ".claude", "settings.json"));
      let cursor: ClaudeSignalCursor | undefined;
      let mark = 0;
      const phase = (name: string) => {
        const lines = readFileSync(tap.signalFile, "utf8").split("\n");
        const complete = lines.slice(0, -1); // the last element is after the final newline
        if (SAVE) {
          mkdirSync(SAVE, { recursive: true });
          writeFileSync(path.join(SAVE, `${name}.jsonl`), complete.slice(mark).join("\n") + "\n");
        }
        mark = complete.length;
      };
      const until = async (what: string, ok: (r: SignalReading) => boolean, ms = 60_000): Promise<SignalReading> => {
        const end = Date.now() + ms;
        for (;;) {
          cursor = readClaudeSignals(tap.signalFile, cursor);
          if (ok(cursor.reading)) return cursor.reading;
          if (Date.now() > end) {
            const screen = (await s.driver?.read())?.text ?? "";
            const tail = readFileSync(tap.signalFile, "utf8").split("\n").slice(mark).map((l) => l.slice(0, 300));
            throw new Error(`${what}: timed out; last reading ${JSON.stringify(cursor.reading)}\nsignal lines:\n${tail.join("\n")}\nscreen:\n${screen}\n${out.join("\n")}`);
          }
          await sleep(500);
        }
      };
      const d = () => s.driver!;

      // 1. Start: the kickoff is answered, Claude waits at its prompt.
      let r = await until("start", (x) => x.state === "idle" && x.costUsd !== undefined && x.costUsd > 0);
      expect(r.sessionId).toBe(tap.sessionId);
      expect(r.model).toMatch(/claude/);
      expect(r.transcriptPath).toContain(tap.sessionId);
      expect(r.rateLimits?.find((w) => w.name === "five_hour")?.usedPct).toBe(42);
      expect(await d().step("idle-with-tap", "idle", 30_000)).toBe(true);
      // The user's statusLine, chained by the tap, still renders (from the same JSON Claude sent us).
      expect((await d().read())?.text).toContain(`USER-STATUS v${version.split(" ")[0]}`);
      phase("start");

      // 2. A prompt and its reply.
      expect(await d().type("Say hello please.", agent.backend.submit_key)).toBe(true);
      const before = r.costUsd!;
      r = await until("prompt", (x) => x.state === "idle" && x.costUsd! > before);
      phase("prompt-reply");

      // 3. A turn with a tool call (Read): the tool hooks' markers come between prompt and Stop.
      mock.setScenario("tool_use");
      const beforeTool = r.costUsd!;
      expect(await d().type("Read the README.", agent.backend.submit_key)).toBe(true);
      r = await until("tool", (x) => x.state === "idle" && x.costUsd! > beforeTool);
      const events = readFileSync(tap.signalFile, "utf8").split("\n").slice(mark).filter(Boolean).map((l) => JSON.parse(l).hook_event_name);
      expect(events.filter(Boolean)).toEqual(["UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop"]);
      phase("tool-use");

      // 4. A 5-hour usage limit: limited, the exact reset from rate_limits, the offer to continue.
      const resetIn = 75;
      mock.setScenario("usage_limit", { resetInSeconds: resetIn, limitClaim: "five_hour" });
      const asked = Date.now();
      expect(await d().type("Continue with the next task.", agent.backend.submit_key)).toBe(true);
      r = await until("limit", (x) => x.state === "limited" && x.limit?.resetsAt !== undefined);
      expect(r.limit?.message).toMatch(/5-hour limit/);
      expect(r.limit?.window).toBe("five_hour");
      expect(Math.abs(r.limit!.resetsAt! - (asked + resetIn * 1000))).toBeLessThan(5000);
      expect(r.limit?.autoContinue).toBe(true);
      expect(await d().step("limited-with-tap", "limited", 30_000)).toBe(true);
      phase("usage-limit-5h");
      if (SAVE) saveTranscript(r.transcriptPath!, path.join(SAVE, "transcript-limit-offer.jsonl"));

      // 5. At the reset Claude continues by itself (checks every 30 s): working, then idle.
      mock.setScenario("ok");
      r = await until("auto-continue", (x) => x.state === "idle" && x.limit === undefined, (resetIn + 150) * 1000);
      phase("auto-continue");

      // 6. A weekly limit.
      mock.setScenario("usage_limit", { resetInSeconds: 3 * 86_400, limitClaim: "seven_day" });
      expect(await d().type("Continue with the next task.", agent.backend.submit_key)).toBe(true);
      r = await until("weekly", (x) => x.state === "limited" && x.limit?.window === "seven_day");
      // A reset more than a day out is not continued by itself: Claude opens its "What do you want
      // to do?" menu, and while it is open the statusLine may not refresh (so no exact reset yet).
      // Escape closes it, as the watchdog's nudge_keys do; then the refresh says the window is used up.
      await d().tmux.sendKeys(d().session, ["Escape"]);
      r = await until("weekly reset", (x) => (x.limit?.resetsAt ?? 0) > Date.now() + 86_400_000);
      expect(r.state).toBe("limited");
      phase("usage-limit-7d");

      // 7. Restart with resume = true: the same conversation continues.
      mock.setScenario("ok");
      await d().killServer();
      await killStrays(root, () => {}, false);
      const again = await launch();
      expect(again.resumed).toBe(true);
      expect(again.sessionId).toBe(tap.sessionId);
      r = await until("resume", (x) => x.state === "idle" && x.limit === undefined);
      expect(r.sessionId).toBe(tap.sessionId);
      phase("resume");

      expect(readFileSync(userHookLog, "utf8").split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(3);
      expect(readFileSync(path.join(home, ".claude", "settings.json"), "utf8")).toBe(userSettings);
      expect(out.filter((l) => l.startsWith("FAIL"))).toEqual([]);
      console.log(`claude signal tap: verified with ${version}`);
    });
  });
});

/** The transcript's conversation records (user, assistant, system), verbatim; not its request blobs. */
function saveTranscript(file: string, to: string): void {
  if (!existsSync(file)) return;
  const keep = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => {
      try {
        return ["user", "assistant", "system"].includes((JSON.parse(l) as { type?: string }).type ?? "");
      } catch {
        return false;
      }
    });
  writeFileSync(to, keep.map((l) => l + "\n").join(""));
}
