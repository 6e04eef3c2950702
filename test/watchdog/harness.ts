// A real fleet on a private tmux server for watchdog integration tests: temp project, the built
// CLI, the demo agent as the fake agent, and helpers to poll for conditions.
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { afterEach } from "vitest";
import { Tmux } from "../../src/tmux/tmux.js";
import { waitFor as sharedWaitFor } from "../helpers/tmux.js";
import { onFileCleanup, tempDir } from "../helpers/tmp.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = path.join(ROOT, "bin", "agents");

export function childEnv(socket: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AGENTS_TMUX_SOCKET: socket };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

export class TestFleet {
  readonly dir: string;
  readonly socket: string;
  readonly tmux: Tmux;
  readonly config: string;
  private children: ResultPromise[] = [];

  constructor(toml: string, files: Record<string, string> = {}) {
    this.dir = tempDir("wd");
    this.socket = `agents-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.tmux = new Tmux({ socket: this.socket });
    // Tests call cleanup() themselves; this is for one that failed before it could.
    onFileCleanup(() => this.cleanup());
    mkdirSync(path.join(this.dir, "prompts"), { recursive: true });
    for (const f of ["builder", "adversary", "kickoff"]) this.write(`prompts/${f}.md`, `${f} prompt\n`);
    for (const [f, text] of Object.entries(files)) this.write(f, text);
    this.config = path.join(this.dir, "agents.toml");
    writeFileSync(this.config, toml);
  }

  /** Atomic (temp + rename), as a careful editor saves: the watchdog never sees half a file. */
  write(rel: string, text: string): void {
    const p = path.join(this.dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(`${p}.tmp`, text);
    renameSync(`${p}.tmp`, p);
  }

  read(rel: string): string | undefined {
    const p = path.join(this.dir, rel);
    return existsSync(p) ? readFileSync(p, "utf8") : undefined;
  }

  cli(args: string[]) {
    return execa(CLI, [...args, "--config", this.config], {
      env: childEnv(this.socket),
      extendEnv: false,
      reject: false,
      cwd: this.dir,
    });
  }

  /** The watchdog as a direct child (not in tmux) so tests can signal it and read its exit code. */
  watchdog(): ResultPromise {
    const child = execa(CLI, ["watchdog", "--config", this.config], {
      env: { ...childEnv(this.socket), AGENTS_TICK_EVENTS: "1" },
      extendEnv: false,
      reject: false,
      cwd: this.dir,
    });
    this.children.push(child);
    return child;
  }

  events(): Record<string, unknown>[] {
    const text = this.read(".state/t-watchdog.events.jsonl") ?? "";
    return text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  eventsFor(agent: string, action?: string): Record<string, unknown>[] {
    return this.events().filter((e) => e.agent === agent && (action === undefined || e.action === action));
  }

  async pid(session: string): Promise<number | undefined> {
    return (await this.tmux.listPanes()).find((p) => p.session === session)?.pid;
  }

  async screen(session: string): Promise<string> {
    return (await this.tmux.capture(session)) ?? "";
  }

  /**
   * Text and Enter in one tmux invocation: the demo agent prints a working line whenever its read
   * times out, and one landing between the text and Enter would glue itself onto the typed line.
   */
  async type(session: string, line: string): Promise<void> {
    const t = `=${session}:`;
    await this.tmux.run(["send-keys", "-t", t, "-l", "--", line, ";", "send-keys", "-t", t, "Enter"]);
  }

  async cleanup(): Promise<void> {
    for (const c of this.children) c.kill("SIGTERM");
    await Promise.allSettled(this.children);
    await this.tmux.killServer();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

type TomlValue = string | number | Record<string, string> | undefined;
type TomlTable = Record<string, TomlValue>;

const BASE_DEFAULTS: TomlTable = { session_prefix: "t-", log_dir: ".state", backend: "demo", env: { DEMO_TICK: "1" } };
const BASE_WATCHDOG: TomlTable = { signal_interval: 1, heavy_interval: 1, restart_backoff: 0 };

const tomlValue = (v: string | number | Record<string, string>): string =>
  typeof v === "number" ? String(v) : typeof v === "string" ? JSON.stringify(v) : `{ ${Object.entries(v).map(([k, x]) => `${k} = ${JSON.stringify(x)}`).join(", ")} }`;

function tomlTable(name: string, base: TomlTable, over: TomlTable = {}): string {
  const lines = Object.entries({ ...base, ...over }).flatMap(([k, v]) => (v === undefined ? [] : [`${k} = ${tomlValue(v)}`]));
  return `[${name}]\n${lines.join("\n")}\n`;
}

/**
 * The `[defaults]` and `[watchdog]` tables the integration tests share: prefix "t-", logs in
 * .state, the demo backend ticking every second, 1 s signal and heavy ticks, no restart backoff.
 * A key in `defaults` or `watchdog` replaces or adds to the base; `undefined` drops it. Callers
 * append their own tables (agents, services, backends).
 */
export function baseToml(over: { defaults?: TomlTable; watchdog?: TomlTable } = {}): string {
  return `\n${tomlTable("defaults", BASE_DEFAULTS, over.defaults)}\n${tomlTable("watchdog", BASE_WATCHDOG, over.watchdog)}`;
}

/**
 * The fleet a test runs, cleaned up after each test. `set` hands the fleet back for the test to
 * use; `before` runs ahead of the cleanup (with the fleet, if any) and `after` behind it.
 */
export function useTestFleet(hooks: { before?: (f: TestFleet | undefined) => unknown; after?: () => unknown } = {}): {
  set: (f: TestFleet) => TestFleet;
  get: () => TestFleet | undefined;
} {
  let fleet: TestFleet | undefined;
  afterEach(async () => {
    await hooks.before?.(fleet);
    await fleet?.cleanup();
    fleet = undefined;
    await hooks.after?.();
  });
  return { set: (f) => (fleet = f), get: () => fleet };
}

/** The shared poller, with this file's longer default: a watchdog acts on its next tick. */
export const waitFor = <T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000, stepMs = 200) =>
  sharedWaitFor(what, fn, timeoutMs, stepMs);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The banner of ../shared/captures/claude/usage_limit-event.txt, resetting tomorrow. */
export function weeklyBanner(): string {
  const d = new Date(Date.now() + 86400_000);
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return `⎿  You've hit your weekly limit · resets ${month} ${d.getUTCDate()}, 1:18am (UTC)`;
}

/**
 * A fleet whose demo agent "a" (session t-a) is started, working and read over the control client,
 * then `quietMs` past its start-up ticks, so the next reaction can only come from an event.
 */
export async function settledFleet(fleets: ReturnType<typeof useTestFleet>, toml: string, quietMs: number): Promise<TestFleet> {
  const fleet = fleets.set(new TestFleet(toml));
  fleet.watchdog();
  await waitFor("a started", () => fleet.pid("t-a"));
  await waitFor("working", async () => (await fleet.screen("t-a")).includes("working..."));
  await waitFor("the control client", () => fleet.events().find((e) => e.action === "tmux-control"));
  await sleep(quietMs);
  return fleet;
}

/** A bare origin and a working clone of it, both on real git. */
export async function gitPair(base: string): Promise<{ origin: string; clone: string; push: (subject: string, files?: Record<string, string>) => Promise<void> }> {
  const origin = path.join(base, "origin.git");
  const clone = path.join(base, "repo");
  const author = path.join(base, "author");
  const g = (cwd: string, args: string[]) =>
    execa("git", args, {
      cwd,
      env: { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
    });
  await execa("git", ["init", "-q", "--bare", "-b", "main", origin]);
  await execa("git", ["clone", "-q", origin, author]);
  await g(author, ["checkout", "-q", "-b", "main"]);
  writeFileSync(path.join(author, "README"), "x\n");
  await g(author, ["add", "."]);
  await g(author, ["commit", "-qm", "init"]);
  await g(author, ["push", "-q", "origin", "main"]);
  await execa("git", ["clone", "-q", origin, clone]);
  const push = async (subject: string, files: Record<string, string> = {}) => {
    for (const [f, t] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(author, f)), { recursive: true });
      writeFileSync(path.join(author, f), t);
    }
    await g(author, ["add", "-A"]);
    await g(author, ["commit", "-q", "--allow-empty", "-m", subject]);
    await g(author, ["push", "-q", "origin", "main"]);
  };
  return { origin, clone, push };
}
