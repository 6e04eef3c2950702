// The opencode signal tap against the real CLI (npm run test:live), offline: a private tmux server,
// a throwaway HOME and XDG dirs, the mock model server (Chat Completions). The agent is launched the
// way `agents up` would (config → buildLaunch) plus opencodeTap's environment, which loads our
// plugin; then driven through start, a slow prompt with one Esc (the busy footer must still read
// working: "esc again to interrupt"), a usage limit and a restart with `--session <id>`.
// readOpencodeSignals must read each state. AGENTS_SAVE_SIGNAL_FIXTURES=<dir> saves the tap's file.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigText, type Agent } from "../../src/config/load.js";
import { buildLaunch } from "../../src/fleet/command.js";
import { killStrays } from "../../src/selftest/live/driver.js";
import { cliVersion } from "../../src/selftest/live/profiles.js";
import { opencodeTap, readOpencodeSignals, type OpencodeSignalCursor } from "../../src/signals/opencode/index.js";
import type { SignalReading } from "../../src/signals/types.js";
import { opencodeSignalFile } from "../../src/state/paths.js";
import { shellQuote } from "../../src/tmux/tmux.js";
import { SAVE, sleep, startDriver, tapEnv, tapToml, withLiveTap, writeKickoff } from "./live-setup.js";

describe("opencode signal tap, real CLI", () => {
  it("reads start, a slow prompt, a usage limit and a resumed session from the plugin's events", async (ctx) => {
    const mockOpts = { replyText: "Working through it slowly: I read the files and write a short summary.", tokenMs: 30, slowTokenMs: 1500 };
    await withLiveTap(ctx, "opencode", { product: "opencode", mock: mockOpts }, async (s) => {
      const { cli, root, home, project, mock, out } = s;
      const userConfig = readFileSync(path.join(home, ".config", "opencode", "opencode.json"), "utf8");
      const env = tapEnv(s);
      const version = await cliVersion(cli, env);
      const toml = tapToml(s, "mock/mock-model", env);
      const fleet = loadConfigText(path.join(project, "agents.toml"), toml);
      const agent: Agent = fleet.agents[0]!;
      const kickoff = writeKickoff(s, agent);
      const signalFile = opencodeSignalFile(fleet, agent.name);
      mkdirSync(path.dirname(signalFile), { recursive: true });

      /** Launch as `agents up` would, with the tap's environment (and `--session` to resume, no prompt). */
      const launch = async (resumeId?: string) => {
        const tap = opencodeTap({ signalFile, configContent: agent.env.OPENCODE_CONFIG_CONTENT, resumeId });
        const plan = buildLaunch(agent, { kickoffFile: kickoff, model: agent.model });
        const command = resumeId ? [agent.backend.bin, ...tap.args, `--model ${shellQuote(agent.model)}`].join(" ") : plan.command;
        await startDriver(s, agent, { ...plan.env, ...tap.env }, command);
        return tap;
      };
      const d = () => s.driver!;
      let cursor: OpencodeSignalCursor | undefined;
      const until = async (what: string, ok: (r: SignalReading) => boolean, ms = 120_000): Promise<SignalReading> => {
        const end = Date.now() + ms;
        for (;;) {
          cursor = readOpencodeSignals(signalFile, cursor, { timeZone: "UTC" });
          if (ok(cursor.reading)) return cursor.reading;
          if (Date.now() > end) {
            const screen = (await s.driver?.read())?.text ?? "";
            const tail = existsSync(signalFile) ? readFileSync(signalFile, "utf8").split("\n").slice(-15).map((l) => l.slice(0, 300)) : ["(no signal file)"];
            throw new Error(`${what}: timed out; last reading ${JSON.stringify(cursor.reading)}\nsignal lines:\n${tail.join("\n")}\nscreen:\n${screen}\n${out.join("\n")}`);
          }
          await sleep(500);
        }
      };

      // 1. Start with the kickoff (--prompt): the plugin announces itself, the reply ends idle.
      await launch();
      let r = await until("start", (x) => x.state === "idle" && x.sessionId !== undefined && x.tokens?.total !== undefined);
      const session = r.sessionId!;
      expect(session).toMatch(/^ses_/);
      expect(r.model).toBe("mock/mock-model");
      expect(await d().step("idle", "idle", 30_000)).toBe(true);

      // 2. A slow reply: working; one Esc only arms the interrupt, and the footer still reads busy.
      mock.setScenario("slow");
      expect(await d().type("Summarize this project in one paragraph.", agent.backend.submit_key)).toBe(true);
      r = await until("working", (x) => x.state === "working");
      expect(await d().step("working", "working", 30_000)).toBe(true);
      await d().tmux.sendKeys(d().session, ["Escape"]);
      await sleep(700);
      const armed = await d().read();
      expect(armed?.text).toContain("esc again to interrupt");
      expect(armed?.c.state, armed?.text).toBe("working");
      expect(readOpencodeSignals(signalFile, cursor).reading.state).toBe("working");
      r = await until("idle after the slow reply", (x) => x.state === "idle", 90_000);

      // 3. A usage limit: opencode retries it (working), then gives up: limited, in its own words.
      mock.setScenario("usage_limit", { resetInSeconds: 5400 });
      expect(await d().type("Continue with the next task.", agent.backend.submit_key)).toBe(true);
      r = await until("retrying", (x) => x.state === "working");
      r = await until("limit", (x) => x.state === "limited", 180_000);
      expect(r.limit?.message).toBe("The usage limit has been reached");
      expect(r.limit?.window).toBe("usage_limit_reached");
      expect(await d().step("limited", "limited", 30_000)).toBe(true);

      // 4. Restart with `--session <id>`: the same session continues; the new process resets the tap.
      mock.setScenario("ok");
      await d().killServer();
      await killStrays(root, () => {}, false);
      const again = await launch(session);
      expect(again.args).toEqual(["--session", session]);
      r = await until("restarted", (x) => x.state === undefined || x.state === "idle");
      expect(r.limit).toBeUndefined();
      // The TUI replays the session, whose last turn ended on the limit: the screen can read
      // `limited` until a new turn although opencode waits at its prompt. The tap knows better: a
      // new process, no turn yet. Wait for the prompt (either reading), then type.
      let screen = await d().read();
      for (const end = Date.now() + 90_000; Date.now() < end && !["idle", "limited"].includes(screen?.c.state ?? ""); await sleep(1000)) screen = await d().read();
      expect(["idle", "limited"], screen?.text).toContain(screen?.c.state);
      console.log(`opencode resumed with --session: the screen reads ${screen?.c.state} before the first new turn`);
      const tokensBefore = cursor!.reading.tokens?.total ?? 0;
      expect(await d().type("Resume: say hello again.", agent.backend.submit_key)).toBe(true);
      r = await until("resumed reply", (x) => x.state === "idle" && x.limit === undefined && (x.tokens?.total ?? 0) > tokensBefore);
      expect(r.sessionId).toBe(session);

      // Nothing of ours in the user's opencode config.
      expect(readFileSync(path.join(home, ".config", "opencode", "opencode.json"), "utf8")).toBe(userConfig);
      if (SAVE) {
        mkdirSync(SAVE, { recursive: true });
        copyFileSync(signalFile, path.join(SAVE, "signals.jsonl"));
      }
      expect(out.filter((l) => l.startsWith("FAIL"))).toEqual([]);
      console.log(`opencode signal tap: verified with ${version}`);
    });
  });
});
