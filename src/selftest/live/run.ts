// `agents selftest --live`: start the real agent CLIs against the offline mock model server, make
// them go through the states the watchdog must read (ready → working → idle → limited), and check
// that the built-in presets launch them and the built-in patterns read every state right. Recorded
// screens can't tell us when a new CLI release changes its wording; this can.
//
// Everything runs in throwaway dirs (its own HOME, XDG dirs and project) on a private tmux server,
// with a scrubbed environment, so nothing of the user's own setup is read, written or killed.
// profiles.ts knows each CLI, driver.ts drives one in tmux, this file runs the scenario per backend.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { loadConfigText, type Agent } from "../../config/load.js";
import { bareCommand, buildLaunch } from "../../fleet/command.js";
import { prepareConversation } from "../../fleet/conversation.js";
import { prepareAgentHome } from "../../fleet/preseed.js";
import { ensureLogDirs } from "../../state/paths.js";
import { shellQuote } from "../../tmux/tmux.js";
import { MockModelServer } from "../mock-api/server.js";
import { CliDriver, killStrays, Tally } from "./driver.js";
import { SignalProbe } from "./signals.js";
import { baseEnv, cliVersion, DEFAULT_CLI_DIR, findCli, isLiveBackend, LIVE_BACKENDS, PROFILES, type LiveBackend } from "./profiles.js";

export { DEFAULT_CLI_DIR, findCli, LIVE_BACKENDS, type LiveBackend } from "./profiles.js";

export interface LiveOptions {
  out: (line: string) => void;
  /** Where screens that were read as `unknown` or wrong are saved (default: a new temp dir, named in the output). */
  saveDir?: string;
  /** A `npm install --prefix` folder holding the CLIs (default DEFAULT_CLI_DIR); PATH is searched after it. */
  cliDir?: string;
  /** Print every change of reading while waiting. */
  verbose?: boolean;
  /** Leave the throwaway dirs behind for inspection. */
  keep?: boolean;
}

const SLOW_TOKEN_MS = 1500;
// ~20 s at SLOW_TOKEN_MS: long enough to be seen busy on several polls, short enough for CI.
const SLOW_REPLY = "Working through it slowly: I read the files, check the tests and write a short summary.";

/** The one-agent agents.toml the run loads, so the CLI is launched exactly as `agents up` would. */
function agentToml(backend: LiveBackend, root: string, project: string, model: string, env: Record<string, string>): string {
  return [
    `[defaults]`,
    `session_prefix = "live-"`,
    `log_dir = ${JSON.stringify(path.join(root, "logs"))}`,
    ``,
    `[[agent]]`,
    `name = ${JSON.stringify(backend)}`,
    `backend = ${JSON.stringify(backend)}`,
    `kind = "persistent"`,
    `watch = "none"`,
    `dir = ${JSON.stringify(project)}`,
    `model = ${JSON.stringify(model)}`,
    `prompt = "Say hello."`,
    `env = { ${Object.entries(env)
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
      .join(", ")} }`,
    ``,
  ].join("\n");
}

/** The record's word for a turn starting and ending, per tap (for the PASS lines). */
const START_EVENT: Record<LiveBackend, string> = {
  claude: "UserPromptSubmit hook",
  codex: "task_started in the rollout",
  opencode: "session.status busy from the plugin",
};
const END_EVENT: Record<LiveBackend, string> = {
  claude: "Stop hook",
  codex: "task_complete in the rollout",
  opencode: "session.status idle from the plugin",
};

async function runBackend(backend: LiveBackend, cliPath: string, opts: LiveOptions, saveDirOf: () => string): Promise<Tally> {
  const profile = PROFILES[backend];
  const tally = new Tally(backend, opts.out);
  const root = mkdtempSync(path.join(os.tmpdir(), `agents-live-${backend}-`));
  const home = path.join(root, "home");
  const project = path.join(root, "project");
  mkdirSync(home);
  mkdirSync(project);
  writeFileSync(path.join(project, "README.md"), "# live selftest project\n");
  // Agents work in repositories, and Codex asks about trust only for one: without a repo the
  // check would pass even with trust pre-seeding broken.
  await execa("git", ["init", "-q"], { cwd: project, reject: false, stdin: "ignore" });

  // The subscriber's rate-limit headers (opt-in): the taps read each window and a limit's exact reset from them.
  const mock = new MockModelServer({
    replyText: SLOW_REPLY,
    tokenMs: 30,
    slowTokenMs: SLOW_TOKEN_MS,
    claudeRateLimits: { fiveHourUtilization: 0.42, sevenDayUtilization: 0.17 },
    codexRateLimits: { primaryUsedPct: 42, secondaryUsedPct: 17 },
  });
  await mock.start();
  let driver: CliDriver | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await driver?.killServer();
      await killStrays(root, opts.out, !!opts.verbose);
      await mock.close();
      if (!opts.keep) rmSync(root, { recursive: true, force: true });
      else opts.out(`     ${backend}: kept ${root}`);
    })());
  // Ctrl-C mid-run must not leave a CLI (or Codex's daemon) running against a dead mock.
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    profile.writeConfig(home, mock.url);
    const env = { ...baseEnv(home, path.dirname(cliPath)), ...profile.env(mock.url) };
    opts.out(`     ${backend}: ${await cliVersion(cliPath, env)} (${cliPath})`);
    const toml = agentToml(backend, root, project, profile.model, env);
    const fleet = loadConfigText(path.join(project, "agents.toml"), toml);
    const agent: Agent = fleet.agents[0]!;
    // Screens are read with the agent's resolved backend: the rules the watchdog would use.
    const run = (driver = new CliDriver(backend, agent.backend, tally, { out: opts.out, verbose: opts.verbose, saveDirOf }));

    await prepareAgentHome(agent);
    const kickoff = path.join(root, "kickoff.txt");
    writeFileSync(kickoff, agent.prompt ?? "Say hello.");
    // With its signal tap, as `agents up` starts it: Claude's --session-id and --settings (hooks,
    // statusLine), opencode's plugin through OPENCODE_CONFIG_CONTENT; Codex writes its rollout anyway.
    // log_dir/state/, where the taps write, exists before the CLI starts (as createSession makes it):
    // opencode's plugin appends to a file there and never creates a folder.
    ensureLogDirs(fleet);
    const conv = prepareConversation(fleet, agent, false);
    if (conv.problem) tally.report(false, "signals tap", conv.problem);
    const plan = buildLaunch(agent, { kickoffFile: kickoff, model: agent.model, tapArgs: conv.tapArgs });
    Object.assign(plan.env, conv.env);
    const signals = new SignalProbe(backend, fleet, agent, Date.now(), tally);
    // `env -i`: the tmux server hands every session its own start-up environment, which is ours;
    // the CLI must not see the user's API keys, CLAUDE_CONFIG_DIR, CODEX_HOME and the like.
    const assigns = Object.entries(plan.env).map(([k, v]) => shellQuote(`${k}=${v}`));
    const command = `exec env -i TERM="$TERM" ${assigns.join(" ")} ${bareCommand(plan.command)}`;
    if (opts.verbose) opts.out(`     ${backend}: socket ${run.socket}, root ${root}\n     launch: ${plan.command}`);

    const failed = await run.start(project, command);
    if (failed) {
      tally.report(false, "start", failed);
      return tally;
    }

    // 1. The kickoff passed on the command line is answered (ok scenario), then the CLI is ready.
    const ready = await run.step("ready", "idle", 90_000, { until: () => mock.requestCount >= 1 });
    const pane = (await run.read())?.pane;
    const want = agent.backend.process_name;
    if (pane && want) {
      tally.report(pane.command === want, "process_name", `#{pane_current_command} is ${JSON.stringify(pane.command)}, preset says ${JSON.stringify(want)}`);
    }
    if (!ready) return tally;
    await signals.checkReady();

    // 2. A prompt under a slow stream: busy while tokens trickle in.
    const submit = agent.backend.submit_key;
    mock.setScenario("slow");
    const before = mock.requestCount;
    if (!(await run.type("Summarize this project in one paragraph.", submit))) return tally;
    const working = await run.step("working", "working", 30_000, { stable: 2, until: () => mock.requestCount > before });
    // 3. The slow reply ends and the CLI is idle again.
    const replyMs = SLOW_REPLY.split(/\s+/).length * SLOW_TOKEN_MS;
    if (working) {
      await signals.checkState("working", START_EVENT[backend]);
      const grew = signals.read()?.grewAt ?? 0;
      await run.step("idle", "idle", replyMs + 60_000, { stable: 3 });
      await signals.checkState("idle", END_EVENT[backend], 30_000, (r) => r.grewAt > grew);
    } else {
      // Still reach a known state before the next step, so one miss doesn't cascade.
      await run.waitFor("idle", "idle", replyMs + 60_000);
    }

    // 4. A usage limit: the CLI gives up and shows its limit banner.
    const resetIn = 2 * 3600;
    mock.setScenario("usage_limit", { resetInSeconds: resetIn });
    const asked = Date.now();
    if (!(await run.type("Continue with the next task.", submit))) return tally;
    await run.step("limited", "limited", 150_000, { stable: 2 });
    await signals.checkLimit(asked + resetIn * 1000);
    return tally;
  } catch (err) {
    tally.report(false, "run", `error: ${(err as Error).message}`);
    return tally;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    const requests = mock.requests.length;
    await cleanup();
    if (opts.verbose) opts.out(`     ${backend}: mock saw ${requests} requests; cleaned up`);
  }
}

export async function runLiveSelftest(backends: string[], opts: LiveOptions): Promise<number> {
  const wanted = backends.length ? backends : [...LIVE_BACKENDS];
  const unknown = wanted.filter((b) => !isLiveBackend(b));
  if (unknown.length) {
    opts.out(`unknown backend for --live: ${unknown.join(", ")} (can drive: ${LIVE_BACKENDS.join(", ")})`);
    return 2;
  }
  // The CLI verb passes only `out`; these let a user debug a failing run without code changes.
  opts = {
    ...opts,
    verbose: opts.verbose ?? process.env.AGENTS_LIVE_VERBOSE === "1",
    keep: opts.keep ?? process.env.AGENTS_LIVE_KEEP === "1",
    saveDir: opts.saveDir ?? (process.env.AGENTS_LIVE_SAVE_DIR || undefined),
  };
  const cliDir = opts.cliDir ?? DEFAULT_CLI_DIR;
  let saveDir = opts.saveDir;
  const saveDirOf = () => (saveDir ??= mkdtempSync(path.join(os.tmpdir(), "agents-live-screens-")));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const backend of wanted.filter(isLiveBackend)) {
    const cli = findCli(backend, cliDir);
    if (!cli) {
      skipped++;
      opts.out(`SKIP ${backend}: not installed (npm run live:install)`);
      continue;
    }
    const r = await runBackend(backend, cli, opts, saveDirOf);
    passed += r.passed;
    failed += r.failed;
  }
  opts.out(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  return failed ? 1 : 0;
}
