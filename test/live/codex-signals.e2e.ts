// The Codex signal tap against the real CLI (npm run test:live), offline: a private tmux server, a
// throwaway HOME, the mock model server sending Codex's rate-limit headers. The agent is launched
// the way `agents up` would (config → prepareAgentHome → buildLaunch), then driven through start,
// a slow prompt, a usage limit and a resume (`codex resume <id>` from codexResumeArgs). findRollout
// must find its rollout and readCodexSignals read each state from it; the resumed turn must land in
// the same rollout. AGENTS_SAVE_SIGNAL_FIXTURES=<dir> saves the rollout (the unit tests' fixtures).
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { loadConfigText, type Agent } from "../../src/config/load.js";
import { buildLaunch } from "../../src/fleet/command.js";
import { prepareAgentHome } from "../../src/fleet/preseed.js";
import { killStrays } from "../../src/selftest/live/driver.js";
import { cliVersion } from "../../src/selftest/live/profiles.js";
import { codexHome, codexResumeArgs, findRollout, readCodexSignals, resumableThread, type CodexSignalCursor } from "../../src/signals/codex/index.js";
import type { SignalReading } from "../../src/signals/types.js";
import { shellQuote } from "../../src/tmux/tmux.js";
import { SAVE, sleep, startDriver, tapEnv, tapToml, withLiveTap, writeKickoff } from "./live-setup.js";

describe("codex signal tap, real CLI", () => {
  it("finds the rollout and reads start, a slow prompt, a usage limit and a resume from it", async (ctx) => {
    const mockOpts = {
      replyText: "Working through it slowly: I read the files and write a short summary.",
      tokenMs: 30,
      slowTokenMs: 800,
      codexRateLimits: { primaryUsedPct: 42, secondaryUsedPct: 17 },
    };
    const prepare = async ({ project }: { project: string }) => {
      await execa("git", ["init", "-q"], { cwd: project, reject: false, stdin: "ignore" });
    };
    await withLiveTap(ctx, "codex", { product: "Codex", mock: mockOpts, prepare }, async (s) => {
      const { cli, root, home, project, mock, out } = s;
      const env = tapEnv(s);
      const version = await cliVersion(cli, env);
      const toml = tapToml(s, "mock-model", env);
      const agent: Agent = loadConfigText(path.join(project, "agents.toml"), toml).agents[0]!;
      await prepareAgentHome(agent);
      const kickoff = writeKickoff(s, agent);
      const chome = codexHome(agent.env);
      expect(chome).toBe(path.join(home, ".codex"));

      const start = async (command: string) => {
        await startDriver(s, agent, buildLaunch(agent, { kickoffFile: kickoff, model: agent.model }).env, command);
      };
      const d = () => s.driver!;
      let cursor: CodexSignalCursor | undefined;
      let rollout: string | undefined;
      const until = async (what: string, ok: (r: SignalReading) => boolean, ms = 90_000): Promise<SignalReading> => {
        const end = Date.now() + ms;
        for (;;) {
          if (rollout) {
            cursor = readCodexSignals(rollout, cursor, { timeZone: "UTC" });
            if (ok(cursor.reading)) return cursor.reading;
          }
          if (Date.now() > end) {
            const screen = (await s.driver?.read())?.text ?? "";
            throw new Error(`${what}: timed out; rollout ${rollout}; last reading ${JSON.stringify(cursor?.reading)}\nscreen:\n${screen}\n${out.join("\n")}`);
          }
          await sleep(500);
        }
      };

      // 1. Start with the kickoff: the rollout appears (with the first prompt), the turn ends idle.
      const since = Date.now();
      await start(buildLaunch(agent, { kickoffFile: kickoff, model: agent.model }).command);
      const end = Date.now() + 90_000;
      while (!(rollout = findRollout(chome, since, project)) && Date.now() < end) await sleep(500);
      expect(rollout, out.join("\n")).toBeDefined();
      let r = await until("start", (x) => x.state === "idle" && x.tokens?.total !== undefined);
      const thread = r.sessionId!;
      expect(path.basename(rollout!).endsWith(`-${thread}.jsonl`)).toBe(true);
      expect(r.model).toBe("mock-model");
      expect(r.transcriptPath).toBe(rollout);
      expect(r.rateLimits?.find((w) => w.name === "primary")).toMatchObject({ usedPct: 42, windowMinutes: 300 });
      expect(r.rateLimits?.find((w) => w.name === "secondary")).toMatchObject({ usedPct: 17, windowMinutes: 10080 });
      expect(await d().step("idle", "idle", 30_000)).toBe(true);

      // 2. A slow reply: working while it streams (the screen agrees), idle after.
      mock.setScenario("slow");
      expect(await d().type("Summarize this project in one paragraph.", agent.backend.submit_key)).toBe(true);
      r = await until("working", (x) => x.state === "working");
      expect(await d().step("working", "working", 30_000)).toBe(true);
      const tokensBefore = cursor!.reading.tokens?.total ?? 0;
      r = await until("idle after the slow reply", (x) => x.state === "idle" && (x.tokens?.total ?? 0) > tokensBefore);

      // 3. A usage limit: limited, the reset from the window Codex reports used up.
      const resetIn = 2 * 3600;
      mock.setScenario("usage_limit", { resetInSeconds: resetIn });
      const asked = Date.now();
      expect(await d().type("Continue with the next task.", agent.backend.submit_key)).toBe(true);
      r = await until("limit", (x) => x.state === "limited");
      expect(r.limit?.message).toMatch(/usage limit/);
      expect(r.limit?.window).toBe("primary");
      expect(Math.abs(r.limit!.resetsAt! - (asked + resetIn * 1000))).toBeLessThan(10_000);
      expect(await d().step("limited", "limited", 30_000)).toBe(true);

      // 4. Restart and resume the thread: `codex resume <id>`, appending to the same rollout.
      mock.setScenario("ok");
      await d().killServer();
      await killStrays(root, () => {}, false);
      expect(resumableThread(chome, thread)).toBe(true);
      const since2 = Date.now();
      const args = codexResumeArgs(thread, { model: agent.model, flags: agent.backend.flags.split(/\s+/).filter(Boolean), prompt: "Resume: say hello again." });
      await start([agent.backend.bin, ...args].map(shellQuote).join(" "));
      r = await until("resumed", (x) => x.state === "idle" && x.grewAt >= since2);
      expect(r.sessionId).toBe(thread);
      expect(r.limit).toBeUndefined();
      // Not a new thread: nothing created since the restart, the same file by id.
      expect(findRollout(chome, since2, project)).toBeUndefined();
      expect(findRollout(chome, since2, project, thread)).toBe(rollout);
      if (SAVE) {
        mkdirSync(SAVE, { recursive: true });
        copyFileSync(rollout!, path.join(SAVE, path.basename(rollout!)));
      }
      expect(out.filter((l) => l.startsWith("FAIL"))).toEqual([]);
      console.log(`codex signal tap: verified with ${version}`);
    });
  });
});
