// `agents selftest --live`: start the real agent CLIs against the offline mock model server, make
// them go through the states the watchdog must read (ready → working → idle → limited), and check
// that the built-in presets launch them and the built-in patterns read every state right. Recorded
// screens can't tell us when a new CLI release changes its wording; this can.
//
// Everything runs in throwaway dirs (its own HOME, XDG dirs and project) on a private tmux server,
// with a scrubbed environment, so nothing of the user's own setup is read, written or killed.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { loadConfigText, type Agent } from "../config/load.js";
import { classify } from "../detect/classify.js";
import { dialogAnswer } from "../detect/dialogs.js";
import { BUILTIN_DETECT, type BuiltinBackend } from "../detect/patterns.js";
import type { Classification, ScreenState } from "../detect/types.js";
import { buildLaunch } from "../fleet/command.js";
import { ping } from "../fleet/ping.js";
import { prepareAgentHome } from "../fleet/preseed.js";
import { shellQuote, Tmux, type PaneInfo } from "../tmux/tmux.js";
import { MockModelServer } from "./mock-server.js";

export const LIVE_BACKENDS = ["claude", "codex", "opencode"] as const;
export type LiveBackend = (typeof LIVE_BACKENDS)[number];

/** Where `npm run live:install` puts the CLIs (package root/.cache/live-clis). */
export const DEFAULT_CLI_DIR = fileURLToPath(new URL("../../.cache/live-clis", import.meta.url));

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

interface Profile {
  /** The model passed with the preset's model_flag. */
  model: string;
  env(mockUrl: string): Record<string, string>;
  /** Write the CLI's own config into the throwaway HOME, minus the project trust (preseed adds it). */
  writeConfig(home: string, mockUrl: string): void;
}

const PROFILES: Record<LiveBackend, Profile> = {
  claude: {
    model: "sonnet",
    // A subscriber login (OAuth token) rather than an API key: only then does Claude Code show its
    // usage-limit UI for a 429 with the unified rate-limit headers.
    env: (url) => ({
      ANTHROPIC_BASE_URL: url,
      CLAUDE_CODE_OAUTH_TOKEN: "mock-oauth-token",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    }),
    writeConfig(home) {
      // Without this file Claude Code tries the real login service and exits; the project entry
      // is left out on purpose so the run proves prepareAgentHome's trust pre-seeding works.
      writeJson(path.join(home, ".claude.json"), {
        hasCompletedOnboarding: true,
        theme: "dark",
        numStartups: 5,
        projects: {},
      });
    },
  },
  codex: {
    model: "mock-model",
    env: () => ({ MOCK_KEY: "x" }),
    writeConfig(home, url) {
      const dir = path.join(home, ".codex");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, "config.toml"),
        [
          `model = "mock-model"`,
          `model_provider = "mock"`,
          `check_for_update_on_startup = false`,
          ``,
          `[model_providers.mock]`,
          `name = "mock"`,
          `base_url = ${JSON.stringify(`${url}/v1`)}`,
          `env_key = "MOCK_KEY"`,
          `wire_api = "responses"`,
          ``,
        ].join("\n"),
      );
    },
  },
  opencode: {
    model: "mock/mock-model",
    env: () => ({
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    }),
    writeConfig(home, url) {
      writeJson(path.join(home, ".config", "opencode", "opencode.json"), {
        $schema: "https://opencode.ai/config.json",
        provider: {
          mock: {
            npm: "@ai-sdk/openai-compatible",
            name: "Mock",
            options: { baseURL: `${url}/v1`, apiKey: "x" },
            models: { "mock-model": { name: "Mock Model" } },
          },
        },
        model: "mock/mock-model",
        small_model: "mock/mock-model",
        autoupdate: false,
        share: "disabled",
      });
    },
  },
};

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

/** The CLI's executable: the live-install folder first (a pinned, known version), then PATH. */
export function findCli(bin: string, cliDir: string = DEFAULT_CLI_DIR): string | undefined {
  const local = path.join(cliDir, "node_modules", ".bin", bin);
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** One observation of the pane, as the watchdog would make it. */
interface Reading {
  text: string;
  pane?: PaneInfo;
  c: Classification;
  at: number;
}

interface StepResult {
  ok: boolean;
  reading?: Reading;
  ms: number;
  note?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Variables the throwaway session gets besides the CLI's own: nothing else of ours leaks in. */
function baseEnv(home: string, binDir: string | undefined): Record<string, string> {
  const pathParts = [binDir, process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"].filter(Boolean);
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_STATE_HOME: path.join(home, ".local", "state"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    PATH: pathParts.join(path.delimiter),
    // The TUIs draw box and spinner glyphs only in a UTF-8 locale.
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    USER: os.userInfo().username,
    SHELL: "/bin/sh",
    TZ: "UTC",
  };
}

function oneLine(s: string | undefined, max = 100): string {
  const t = (s ?? "").replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function summarize(r: Reading | undefined): string {
  if (!r) return "nothing read";
  const c = r.c;
  const parts = [`${c.state} [${c.rule}]`];
  if (c.line) parts.push(JSON.stringify(oneLine(c.line)));
  if (c.reset) parts.push(`reset ${JSON.stringify(c.reset.text)}${c.reset.at ? ` = ${new Date(c.reset.at).toISOString()}` : ""}`);
  const p = r.pane;
  parts.push(p ? `cmd=${p.command} title=${JSON.stringify(p.title)}${p.dead ? ` dead=${p.deadStatus ?? ""}` : ""}` : "no pane");
  return parts.join(" ");
}

class LiveRun {
  readonly tmux: Tmux;
  readonly socket = `agents-live-${randomBytes(5).toString("hex")}`;
  readonly session: string;
  private saved = new Set<string>();
  passed = 0;
  failed = 0;

  constructor(
    readonly backend: LiveBackend,
    readonly opts: LiveOptions,
    private saveDirOf: () => string,
  ) {
    this.tmux = new Tmux({ socket: this.socket });
    this.session = `live-${backend}`;
  }

  private out(line: string): void {
    this.opts.out(line);
  }

  report(ok: boolean, step: string, detail: string): void {
    if (ok) this.passed++;
    else this.failed++;
    this.out(`${ok ? "PASS" : "FAIL"} ${this.backend} ${step}: ${detail}`);
  }

  async read(): Promise<Reading | undefined> {
    const text = await this.tmux.capture(this.session);
    const panes = await this.tmux.listPanes();
    const pane = panes.find((p) => p.session === this.session);
    if (text === undefined && !pane) return undefined;
    const c = classify(
      { text: text ?? "", title: pane?.title, command: pane?.command, dead: pane?.dead },
      BUILTIN_DETECT[this.backend as BuiltinBackend],
      new Date(),
    );
    return { text: text ?? "", pane, c, at: Date.now() };
  }

  save(step: string, r: Reading, why: string): void {
    const hash = createHash("sha1").update(r.text).digest("hex").slice(0, 8);
    if (this.saved.has(hash)) return;
    this.saved.add(hash);
    const dir = this.saveDirOf();
    mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `${this.backend}-${step}-${r.c.state}-${hash}`);
    writeFileSync(`${base}.txt`, r.text);
    writeFileSync(
      `${base}.json`,
      JSON.stringify(
        {
          backend: this.backend,
          step,
          why,
          classification: r.c,
          command: r.pane?.command,
          title: r.pane?.title,
          dead: r.pane?.dead,
          capturedAt: new Date(r.at).toISOString(),
        },
        null,
        2,
      ) + "\n",
    );
    this.out(`     saved ${why} screen: ${base}.txt`);
  }

  /**
   * Poll until the pane reads as `want` on `stable` consecutive polls. A known start-up dialog is
   * answered (and reported: with pre-seeding it should not appear at all).
   */
  async waitFor(
    step: string,
    want: ScreenState,
    timeoutMs: number,
    opts: { stable?: number; until?: () => boolean } = {},
  ): Promise<StepResult> {
    const start = Date.now();
    const stable = opts.stable ?? 2;
    let streak = 0;
    let last: Reading | undefined;
    let lastKey = "";
    const answered = new Set<string>();
    let dialogSeen = 0;
    while (Date.now() - start < timeoutMs) {
      const r = await this.read();
      if (!r) return { ok: false, reading: last, ms: Date.now() - start, note: "the session is gone" };
      last = r;
      // State and rule only: progress bars and timers change the decisive line every poll.
      const key = `${r.c.state}/${r.c.rule}`;
      if (this.opts.verbose && key !== lastKey) {
        this.out(`     .. ${((Date.now() - start) / 1000).toFixed(1)}s ${summarize(r)}`);
      }
      lastKey = key;
      // A blank pane is just a CLI still starting, not a screen the patterns missed.
      if (r.c.state === "unknown" && r.text.trim() !== "") this.save(step, r, "unknown");
      const extra = opts.until ? opts.until() : true;
      if (r.c.state === want && extra) {
        if (++streak >= stable) return { ok: true, reading: r, ms: Date.now() - start };
      } else streak = 0;
      if (r.c.state === "dialog" && want !== "dialog") {
        // Seen twice first: a menu drawn a moment ago may not take keys yet, and a lost arrow key
        // turns Enter into the preselected answer (Claude's "No, exit").
        dialogSeen++;
        const answer = dialogSeen >= 2 ? dialogAnswer(this.backend, r.text) : undefined;
        if (answer && !answered.has(answer.option)) {
          answered.add(answer.option);
          this.save(step, r, "dialog");
          this.report(false, `${step} dialog`, `a start-up dialog appeared (${summarize(r)}); answering "${answer.option}"`);
          await this.answerDialog();
        }
      } else dialogSeen = 0;
      if (r.pane?.dead || r.c.state === "exited") {
        if (want !== "exited") return { ok: false, reading: r, ms: Date.now() - start, note: "the CLI exited" };
      }
      await sleep(1000);
    }
    return { ok: false, reading: last, ms: Date.now() - start, note: `timed out after ${Math.round(timeoutMs / 1000)}s` };
  }

  /** Move to the wanted option, check on screen that the cursor is there, only then confirm. */
  async answerDialog(): Promise<boolean> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const text = await this.tmux.capture(this.session);
      const answer = text === undefined ? undefined : dialogAnswer(this.backend, text);
      if (!answer) return false;
      const moves = answer.keys.slice(0, -1);
      if (moves.length === 0) {
        await this.tmux.sendKeys(this.session, answer.keys);
        return true;
      }
      for (const k of moves) {
        await this.tmux.sendKeys(this.session, [k]);
        await sleep(150);
      }
      await sleep(400);
    }
    return false;
  }

  async step(name: string, want: ScreenState, timeoutMs: number, opts: { stable?: number; until?: () => boolean } = {}): Promise<boolean> {
    const r = await this.waitFor(name, want, timeoutMs, opts);
    const secs = `${(r.ms / 1000).toFixed(1)}s`;
    if (r.ok) this.report(true, name, `${summarize(r.reading)} (${secs})`);
    else {
      this.report(false, name, `expected ${want}, ${r.note ?? ""}; last read: ${summarize(r.reading)}`);
      if (r.reading) this.save(name, r.reading, `expected-${want}`);
    }
    return r.ok;
  }

  async type(text: string, submitKey: string): Promise<boolean> {
    const res = await ping(this.tmux, this.session, text, { submitKey, timeoutMs: 15_000 });
    if (!res.ok) this.report(false, "type", `could not submit a prompt: ${res.reason}`);
    return res.ok;
  }

  async killServer(): Promise<void> {
    await this.tmux.killServer();
    this.tmux.close();
  }
}

/** Processes we started that outlive their pane (Codex's app-server daemon): found by our private root. */
function strayPids(root: string): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids; // no procfs (macOS): the tmux kill is all we can do
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    let hit = false;
    for (const f of ["cmdline", "environ"]) {
      try {
        // Only our own processes' environ is readable, so this can never match someone else's.
        if (readFileSync(`/proc/${pid}/${f}`, "latin1").includes(root)) hit = true;
      } catch {
        // gone, or not ours
      }
      if (hit) break;
    }
    if (hit) pids.push(pid);
  }
  return pids;
}

async function killStrays(root: string, out: (line: string) => void, verbose: boolean): Promise<void> {
  let pids = strayPids(root);
  if (!pids.length) return;
  if (verbose) out(`     stopping leftover processes ${pids.join(", ")}`);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    pids = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    if (!pids.length) return;
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** The version line, so a FAIL can be tied to the CLI release that caused it. */
async function cliVersion(bin: string, env: Record<string, string>): Promise<string> {
  const r = await execa(bin, ["--version"], { env, extendEnv: false, reject: false, timeout: 30_000, stdin: "ignore" });
  // Codex prints start-up warnings before the version; the version is the last line.
  const lines = `${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? `version unknown (exit ${r.exitCode ?? "?"})`;
}

const SLOW_TOKEN_MS = 1500;
// ~20 s at SLOW_TOKEN_MS: long enough to be seen busy on several polls, short enough for CI.
const SLOW_REPLY = "Working through it slowly: I read the files, check the tests and write a short summary.";

async function runBackend(backend: LiveBackend, cliPath: string, opts: LiveOptions, saveDirOf: () => string): Promise<{ passed: number; failed: number }> {
  const profile = PROFILES[backend];
  const root = mkdtempSync(path.join(os.tmpdir(), `agents-live-${backend}-`));
  const home = path.join(root, "home");
  const project = path.join(root, "project");
  mkdirSync(home);
  mkdirSync(project);
  writeFileSync(path.join(project, "README.md"), "# live selftest project\n");
  // Agents work in repositories, and Codex asks about trust only for one: without a repo the
  // check would pass even with trust pre-seeding broken.
  await execa("git", ["init", "-q"], { cwd: project, reject: false, stdin: "ignore" });

  const mock = new MockModelServer({ replyText: SLOW_REPLY, tokenMs: 30, slowTokenMs: SLOW_TOKEN_MS });
  await mock.start();
  const run = new LiveRun(backend, opts, saveDirOf);
  const cleanup = async () => {
    await run.killServer();
    await killStrays(root, opts.out, !!opts.verbose);
    await mock.close();
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
    else opts.out(`     ${backend}: kept ${root}`);
  };
  // Ctrl-C mid-run must not leave a CLI (or Codex's daemon) running against a dead mock.
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    profile.writeConfig(home, mock.url);
    const binDir = path.dirname(cliPath);
    const env = { ...baseEnv(home, binDir), ...profile.env(mock.url) };
    const toml = [
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
      `model = ${JSON.stringify(profile.model)}`,
      `prompt = "Say hello."`,
      `env = { ${Object.entries(env)
        .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
        .join(", ")} }`,
      ``,
    ].join("\n");
    opts.out(`     ${backend}: ${await cliVersion(cliPath, env)} (${cliPath})`);
    const agent: Agent = loadConfigText(path.join(project, "agents.toml"), toml).agents[0]!;

    await prepareAgentHome(agent);
    const kickoff = path.join(root, "kickoff.txt");
    writeFileSync(kickoff, agent.prompt ?? "Say hello.");
    const plan = buildLaunch(agent, { kickoffFile: kickoff, model: agent.model });
    // `env -i`: the tmux server hands every session its own start-up environment, which is ours;
    // the CLI must not see the user's API keys, CLAUDE_CONFIG_DIR, CODEX_HOME and the like.
    const assigns = Object.entries(plan.env).map(([k, v]) => shellQuote(`${k}=${v}`));
    const command = `exec env -i TERM="$TERM" ${assigns.join(" ")} ${plan.command}`;
    if (opts.verbose) opts.out(`     ${backend}: socket ${run.socket}, root ${root}\n     launch: ${plan.command}`);

    const created = await run.tmux.newSession({ name: run.session, cwd: project, command, width: 120, height: 40 });
    if (created.code !== 0) {
      run.report(false, "start", `tmux new-session failed: ${created.stderr.trim()}`);
      return run;
    }
    // Keep a crashed CLI's last screen readable instead of losing the session.
    await run.tmux.setWindowOption(run.session, "remain-on-exit", "on");

    // 1. The kickoff passed on the command line is answered (ok scenario), then the CLI is ready.
    const ready = await run.step("ready", "idle", 90_000, { until: () => mock.requestCount >= 1 });
    const pane = (await run.read())?.pane;
    const want = agent.backend.process_name;
    if (pane && want) {
      run.report(pane.command === want, "process_name", `#{pane_current_command} is ${JSON.stringify(pane.command)}, preset says ${JSON.stringify(want)}`);
    }
    if (!ready) return run;

    // 2. A prompt under a slow stream: busy while tokens trickle in.
    const submit = agent.backend.submit_key;
    mock.setScenario("slow");
    const before = mock.requestCount;
    if (!(await run.type("Summarize this project in one paragraph.", submit))) return run;
    const working = await run.step("working", "working", 30_000, { stable: 2, until: () => mock.requestCount > before });
    // 3. The slow reply ends and the CLI is idle again.
    const replyMs = SLOW_REPLY.split(/\s+/).length * SLOW_TOKEN_MS;
    if (working) await run.step("idle", "idle", replyMs + 60_000, { stable: 3 });
    else {
      // Still reach a known state before the next step, so one miss doesn't cascade.
      await run.waitFor("idle", "idle", replyMs + 60_000);
    }

    // 4. A usage limit: the CLI gives up and shows its limit banner.
    mock.setScenario("usage_limit", { resetInSeconds: 2 * 3600 });
    if (!(await run.type("Continue with the next task.", submit))) return run;
    await run.step("limited", "limited", 150_000, { stable: 2 });
    return run;
  } catch (err) {
    run.report(false, "run", `error: ${(err as Error).message}`);
    return run;
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
  const unknown = wanted.filter((b) => !(LIVE_BACKENDS as readonly string[]).includes(b));
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
  for (const backend of wanted as LiveBackend[]) {
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
