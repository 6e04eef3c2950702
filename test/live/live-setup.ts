// What the live signal-tap tests (claude-, codex-, opencode-signals.e2e.ts) share: finding the
// installed CLI (else skipping, with why), a throwaway root with HOME and a project, the mock model
// server, the driver on its private tmux server, and the teardown of all of it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type TestContext } from "vitest";
import type { Agent } from "../../src/config/load.js";
import { bareCommand } from "../../src/fleet/command.js";
import { CliDriver, killStrays, Tally } from "../../src/selftest/live/driver.js";
import { baseEnv, findCli, PROFILES } from "../../src/selftest/live/profiles.js";
import { MockModelServer } from "../../src/selftest/mock-api/server.js";
import { shellQuote } from "../../src/tmux/tmux.js";

export const SAVE = process.env.AGENTS_SAVE_SIGNAL_FIXTURES;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type TapBackend = "claude" | "codex" | "opencode";

export interface LiveTap {
  readonly backend: TapBackend;
  /** The installed CLI. */
  readonly cli: string;
  readonly root: string;
  readonly home: string;
  readonly project: string;
  readonly mock: MockModelServer;
  /** The driver's and the tally's lines. */
  readonly out: string[];
  readonly tally: Tally;
  /** The running CLI's driver (the last one started); killed at teardown. */
  driver?: CliDriver;
}

interface TapOptions {
  /** The CLI's name in the skip message, e.g. "Claude Code". */
  product: string;
  mock: ConstructorParameters<typeof MockModelServer>[0];
  /** Run once root, home and project exist, before the mock starts. */
  prepare?: (dirs: { root: string; home: string; project: string }) => Promise<void> | void;
}

/**
 * Run `body` against the installed CLI of `backend` in a throwaway root (home/, project/ with a
 * README.md) with a started mock model server whose URL the CLI's own config in HOME points at.
 * Skips the test when the CLI is not installed. Afterwards: the driver's tmux server, any stray
 * process under root (by pid), the mock and root are gone (root kept with AGENTS_LIVE_KEEP=1).
 */
export async function withLiveTap(ctx: TestContext, backend: TapBackend, opts: TapOptions, body: (s: LiveTap) => Promise<void>): Promise<void> {
  const cli = findCli(backend);
  if (!cli) {
    console.warn(`SKIP ${backend} signal tap: ${opts.product} not installed (npm run live:install)`);
    ctx.skip();
    return;
  }
  const root = mkdtempSync(path.join(os.tmpdir(), `agents-live-${backend}-tap-`));
  const home = path.join(root, "home");
  const project = path.join(root, "project");
  mkdirSync(home);
  mkdirSync(project);
  writeFileSync(path.join(project, "README.md"), "# a project\n");
  await opts.prepare?.({ root, home, project });
  const mock = new MockModelServer(opts.mock);
  await mock.start();
  const out: string[] = [];
  const s: LiveTap = { backend, cli, root, home, project, mock, out, tally: new Tally(backend, (l) => out.push(l)) };
  try {
    PROFILES[backend].writeConfig(home, mock.url);
    await body(s);
  } finally {
    await s.driver?.killServer().catch(() => {});
    await killStrays(root, () => {}, false);
    await mock.close();
    if (process.env.AGENTS_LIVE_KEEP === "1") console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

/** The CLI's environment: a bare base (HOME, PATH with the CLI's folder) plus its profile's mock settings. */
export function tapEnv(s: LiveTap): Record<string, string> {
  return { ...baseEnv(s.home, path.dirname(s.cli)), ...PROFILES[s.backend].env(s.mock.url) };
}

/** agents.toml for one agent named after the backend, in the project, with `env`; `extra` lines follow `model`. */
export function tapToml(s: LiveTap, model: string, env: Record<string, string>, extra: string[] = []): string {
  return [
    `[defaults]`,
    `session_prefix = "tap-"`,
    `log_dir = ${JSON.stringify(path.join(s.root, "logs"))}`,
    `[[agent]]`,
    `name = "${s.backend}"`,
    `backend = "${s.backend}"`,
    `dir = ${JSON.stringify(s.project)}`,
    `model = ${JSON.stringify(model)}`,
    ...extra,
    `prompt = "Say hello."`,
    `env = { ${Object.entries(env).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")} }`,
  ].join("\n");
}

/** The kickoff file `agents up` would write for the agent's prompt. */
export function writeKickoff(s: LiveTap, agent: Agent): string {
  const kickoff = path.join(s.root, "kickoff.txt");
  writeFileSync(kickoff, agent.prompt ?? "Say hello.");
  return kickoff;
}

/** Start `command` in the project under exactly `env` (env -i) in a new driver, which becomes s.driver. */
export async function startDriver(s: LiveTap, agent: Agent, env: Record<string, string>, command: string): Promise<CliDriver> {
  const assigns = Object.entries(env).map(([k, v]) => shellQuote(`${k}=${v}`));
  const driver = new CliDriver(s.backend, agent.backend, s.tally, { out: (l) => s.out.push(l), saveDirOf: () => path.join(s.root, "screens") });
  s.driver = driver;
  expect(await driver.start(s.project, `exec env -i TERM="$TERM" ${assigns.join(" ")} ${bareCommand(command)}`)).toBeUndefined();
  return driver;
}
