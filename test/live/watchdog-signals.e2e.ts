// The real watchdog over the real Claude Code and Codex (npm run test:live), offline: `agents up`
// starts the agents on a private tmux server, `agents watchdog` supervises them, each agent talks
// to its own mock model server from its own throwaway HOME. Every screen regex the watchdog could
// decide limits or activity from is overridden to match nothing (limit_re, active_re,
// title_active_re = "NEVERMATCHES" in [backend.claude] and [backend.codex]), so what is asserted
// here can only come from the signal layer (Claude's hooks and statusLine, Codex's rollout) and
// from the screen moving:
//   (a) a Codex reply streaming for longer than stall_idle (and than a working record stays
//       fresh) is not stall-killed; once it is idle for stall_idle it is (the control);
//   (b) a Claude subscriber limit and a Codex usage limit are each held until exactly
//       R + limit_reset_slack, R being the reset epoch the mock's 429 announced;
//   (c) a killed Claude is healed into the same conversation (--resume, same session_id);
//   (d) two Claude agents on one login (one HOME) are both held when one hits the limit, until
//       the same R + slack (the account derived from the login: CLAUDE_CONFIG_DIR else HOME/.claude).
// Needs the built CLI (npm run build) and the CLIs of npm run live:install; skipped without them.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ping } from "../../src/fleet/ping.js";
import { killStrays } from "../../src/selftest/live/driver.js";
import { baseEnv, findCli, PROFILES } from "../../src/selftest/live/profiles.js";
import { MockModelServer } from "../../src/selftest/mock-api/server.js";
import { Tmux } from "../../src/tmux/tmux.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// AGENTS_LIVE_ENTRY=<entry.js>: run that build instead of bin/agents (dist/ may be rebuilt meanwhile).
const ENTRY = process.env.AGENTS_LIVE_ENTRY;
const AGENTS = ENTRY ? process.execPath : path.join(ROOT, "bin", "agents");
const agentsArgs = (args: string[]) => (ENTRY ? [ENTRY, ...args] : args);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (line: string) => console.log(`[watchdog-signals ${new Date().toISOString().slice(11, 19)}] ${line}`);

const SLACK = 30; // limit_reset_slack: not the default (45), so the hold's end is provably the config's
const STALL_IDLE = 15; // [backend.codex] stall_idle
const LIMIT_RESET_IN = 3600; // a 5-hour window's reset an hour out: no auto-continue during the run
const SLOW_TOKEN_MS = 1600;
// ~45 words at SLOW_TOKEN_MS: ~72 s of streaming, > 4 x stall_idle and > the 60 s a working record stays fresh.
const SLOW_REPLY = Array.from({ length: 45 }, (_, i) => `word${i + 1}`).join(" ");

const claude = findCli("claude");
const codex = findCli("codex");
const built = existsSync(ENTRY ?? path.join(ROOT, "dist", "entry.js"));

interface Row {
  name: string;
  session_id?: string;
  status?: { state: string; reason?: string; until?: string; since?: string; evidence?: { screen?: string; signal?: string; chosen?: string } };
}

/** One agent of the fleet: its own HOME and mock model server. */
interface Member {
  name: string;
  backend: "claude" | "codex";
  /** The [backend.X] table it uses (default: the preset's name). */
  table?: string;
  watch: string;
  home: string;
  mock: MockModelServer;
}

class LiveFleet {
  readonly root = mkdtempSync(path.join(os.tmpdir(), "agents-live-wd-"));
  readonly project = path.join(this.root, "project");
  readonly logDir = path.join(this.root, "logs");
  readonly config = path.join(this.project, "agents.toml");
  readonly socket = `agents-live-wd-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly tmux = new Tmux({ socket: this.socket });
  readonly members = new Map<string, Member>();
  watchdog?: ResultPromise;
  /** What agents, tmux and the watchdog run with: no variable of the user's but PATH. */
  readonly env: Record<string, string>;

  constructor() {
    mkdirSync(this.project, { recursive: true });
    writeFileSync(path.join(this.project, "README.md"), "# a project\n");
    // The CLIs' folder on the fleet's own PATH: tmux 3.3 runs a new session's command with the
    // PATH of the client that asked for it, whatever the session's `-e PATH=` (an agent's env) says.
    this.env = { ...baseEnv(path.join(this.root, "fleet-home"), path.dirname(claude ?? codex ?? "/")), AGENTS_TMUX_SOCKET: this.socket, AGENTS_TICK_EVENTS: "1" };
    mkdirSync(this.env.HOME!, { recursive: true });
  }

  /** `login`: another member whose HOME (and mock) this one shares: one login, one account. */
  async add(name: string, backend: "claude" | "codex", watch: string, mockOpts: ConstructorParameters<typeof MockModelServer>[0], table?: string, login?: string): Promise<Member> {
    const shared = login !== undefined ? this.members.get(login)! : undefined;
    const home = shared?.home ?? path.join(this.root, `home-${name}`);
    let mock = shared?.mock;
    if (!mock) {
      mkdirSync(home, { recursive: true });
      mock = new MockModelServer(mockOpts);
      await mock.start();
      PROFILES[backend].writeConfig(home, mock.url);
    }
    const m = { name, backend, table, watch, home, mock };
    this.members.set(name, m);
    return m;
  }

  toml(): string {
    const lines = [
      `[defaults]`,
      `session_prefix = "lw-"`,
      `log_dir = ${JSON.stringify(this.logDir)}`,
      ``,
      `[watchdog]`,
      `signal_interval = 2`,
      `heavy_interval = 3`,
      `restart_backoff = 0`,
      `limit_reset_slack = ${SLACK}`,
      ``,
      // Nothing on the screen may say limited or working: only the signals and a moving screen.
      // And a pane whose process is sh is not taken for an exited agent: the watchdog launches
      // every agent as \`sh -c '<cli> ... "$(cat kickoff)"'\`, dash (Debian's sh) does not exec the
      // CLI, so #{pane_current_command} reads "sh" all along, and a screen matching none of
      // idle_re/active_re/title_active_re/dialog_re (a CLI still drawing its first frame, Codex's
      // limit screen with these regexes disabled) reads "exited": restarted, in a loop, then parked.
      // [backend.codex-sh] keeps the default shell_commands to show that (the cx-limit case).
      `[backend.claude]`,
      `limit_re = "NEVERMATCHES"`,
      `active_re = "NEVERMATCHES"`,
      `title_active_re = "NEVERMATCHES"`,
      `shell_commands = ["bash", "zsh", "fish"]`,
      ``,
      `[backend.codex]`,
      `limit_re = "NEVERMATCHES"`,
      `active_re = "NEVERMATCHES"`,
      `title_active_re = "NEVERMATCHES"`,
      `stall_idle = ${STALL_IDLE}`,
      `shell_commands = ["bash", "zsh", "fish"]`,
      ``,
      `[backend.codex-sh]`,
      `preset = "codex"`,
      `limit_re = "NEVERMATCHES"`,
      `active_re = "NEVERMATCHES"`,
      `title_active_re = "NEVERMATCHES"`,
      `stall_idle = ${STALL_IDLE}`,
      ``,
    ];
    for (const m of this.members.values()) {
      const cli = m.backend === "claude" ? claude! : codex!;
      const env = { ...baseEnv(m.home, path.dirname(cli)), ...PROFILES[m.backend].env(m.mock.url) };
      lines.push(
        `[[agent]]`,
        `name = ${JSON.stringify(m.name)}`,
        `backend = ${JSON.stringify(m.table ?? m.backend)}`,
        `model = ${JSON.stringify(PROFILES[m.backend].model)}`,
        `watch = ${JSON.stringify(m.watch)}`,
        `dir = ${JSON.stringify(this.project)}`,
        `prompt = "Say hello."`,
        `env = { ${Object.entries(env).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")} }`,
        ``,
      );
    }
    return lines.join("\n");
  }

  cli(args: string[]) {
    return execa(AGENTS, agentsArgs([...args, "--config", this.config]), { env: this.env, extendEnv: false, reject: false, cwd: this.project, stdin: "ignore" });
  }

  async start(): Promise<void> {
    writeFileSync(this.config, this.toml());
    await execa("git", ["init", "-q"], { cwd: this.project, reject: false, stdin: "ignore" });
    const up = await this.cli(["up", ...this.members.keys()]);
    log(`agents up: exit ${up.exitCode}\n${up.stdout}\n${up.stderr}`);
    if (up.exitCode !== 0) throw new Error(`agents up failed: ${up.stdout}\n${up.stderr}`);
    this.watchdog = execa(AGENTS, agentsArgs(["watchdog", "--config", this.config]), { env: this.env, extendEnv: false, reject: false, cwd: this.project, stdin: "ignore" });
  }

  async rows(): Promise<Map<string, Row>> {
    const r = await this.cli(["status", "--json"]);
    const doc = JSON.parse(r.stdout) as { rows: Row[] };
    return new Map(doc.rows.map((x) => [x.name, x]));
  }

  async row(name: string): Promise<Row | undefined> {
    return (await this.rows()).get(name);
  }

  events(agent?: string): Record<string, unknown>[] {
    const f = path.join(this.logDir, "lw-watchdog.events.jsonl");
    if (!existsSync(f)) return [];
    return readFileSync(f, "utf8")
      .split("\n")
      .filter(Boolean)
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      })
      .filter((e) => agent === undefined || e.agent === agent);
  }

  async pane(name: string) {
    return (await this.tmux.listPanes()).find((p) => p.session === `lw-${name}`);
  }

  async type(name: string, text: string): Promise<void> {
    const r = await ping(this.tmux, `lw-${name}`, text, { submitKey: "Enter", timeoutMs: 20_000 });
    if (!r.ok) throw new Error(`could not type into ${name}: ${r.reason}`);
  }

  async until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms: number, stepMs = 1000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) {
        const rows = await this.rows().catch(() => new Map());
        throw new Error(`${what}: timed out after ${ms / 1000}s\nstatus: ${JSON.stringify([...rows.values()], null, 1)}`);
      }
      await sleep(stepMs);
    }
  }

  async cleanup(): Promise<void> {
    if (this.watchdog) {
      this.watchdog.kill("SIGTERM");
      await this.watchdog.catch(() => undefined);
    }
    await this.tmux.killServer().catch(() => undefined);
    this.tmux.close();
    await killStrays(this.root, () => {}, false);
    for (const mock of new Set([...this.members.values()].map((m) => m.mock))) await mock.close();
    if (process.env.AGENTS_LIVE_KEEP === "1") console.log(`kept ${this.root}`);
    else rmSync(this.root, { recursive: true, force: true });
  }
}

/** Every process whose command line names this session id and --resume (the healed Claude). */
function resumedProcesses(sessionId: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const args = readFileSync(`/proc/${e}/cmdline`, "latin1").split("\0");
      const i = args.indexOf("--resume");
      if (i >= 0 && args[i + 1] === sessionId) found.push(`${e}: ${args.join(" ").slice(0, 200)}`);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** The reset epochs (s) the mock's usage-limit 429s announced: floor(at) + resetIn, as failureReply computes them. */
function announcedResets(mock: MockModelServer, api: string, resetIn: number): number[] {
  return mock.requests.filter((r) => r.scenario === "usage_limit" && r.api === api).map((r) => Math.floor(r.at / 1000) + resetIn);
}

const isoS = (epochS: number) => new Date(epochS * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

const ready = !!claude && !!codex && built;
if (!ready) console.warn(`SKIP watchdog over signals: ${!built ? "npm run build first" : "Claude Code and Codex not installed (npm run live:install)"}`);

describe.skipIf(!ready)("the real watchdog over the real Claude Code and Codex, screen regexes disabled", () => {
  let fleet: LiveFleet;
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;

  beforeAll(async () => {
    fleet = new LiveFleet();
    // (a) streams its kickoff's reply slowly from the start.
    await fleet.add("cx-slow", "codex", "heal+stall", { replyText: SLOW_REPLY, tokenMs: 30, slowTokenMs: SLOW_TOKEN_MS, scenario: "slow" });
    // (b) answer the kickoff, then are switched to a usage limit.
    await fleet.add("cx-limit", "codex", "heal", { replyText: "Hello.", tokenMs: 20, codexRateLimits: { primaryUsedPct: 42, secondaryUsedPct: 17 } });
    // The same on the default shell_commands (sh is an exited agent).
    await fleet.add("cx-limit-sh", "codex", "heal", { replyText: "Hello.", tokenMs: 20, codexRateLimits: { primaryUsedPct: 42, secondaryUsedPct: 17 } }, "codex-sh");
    await fleet.add("cl-limit", "claude", "heal", { replyText: "Hello.", tokenMs: 20, claudeRateLimits: { fiveHourUtilization: 0.42, sevenDayUtilization: 0.17 } });
    // (c) killed and healed.
    await fleet.add("cl-heal", "claude", "heal", { replyText: "Hello.", tokenMs: 20 });
    // (d) one login (one HOME, hence one CLAUDE config dir and account), one mock.
    await fleet.add("cl-acct-a", "claude", "heal", { replyText: "Hello.", tokenMs: 20, claudeRateLimits: { fiveHourUtilization: 0.42, sevenDayUtilization: 0.17 } });
    await fleet.add("cl-acct-b", "claude", "heal", {}, undefined, "cl-acct-a");
    await fleet.start();
    log(`fleet up in ${since()} (root ${fleet.root})`);
  }, 120_000);

  afterAll(async () => {
    await fleet?.cleanup();
  }, 60_000);

  it("(a) a streaming Codex reply is not stall-killed with stall_idle shorter than the stream", async () => {
    const name = "cx-slow";
    const mock = fleet.members.get(name)!.mock;
    // The baseline: the pane whose reply is streaming (the record says working), after any restart at start-up.
    await fleet.until("the slow reply starts", () => mock.requests.some((r) => r.scenario === "slow" && r.api === "responses"), 90_000);
    await fleet.until("cx-slow working by its record", async () => (await fleet.row(name))?.status?.state === "working", 60_000, 500);
    const first = (await fleet.pane(name))!;
    const streamFrom = Date.now();
    const stallRestarts = () => fleet.events(name).filter((e) => (e.action === "restarted" || e.action === "killed") && Date.parse(String(e.time)) >= streamFrom);
    const states = new Set<string>();
    // The stream lasts ~72 s; the tap's rollout ends it with task_complete (idle in status).
    await fleet.until(
      "cx-slow idle after the stream",
      async () => {
        const row = await fleet.row(name);
        if (row?.status) states.add(`${row.status.state}/${row.status.evidence?.chosen ?? "-"}`);
        return row?.status?.state === "idle" && Date.now() - streamFrom > 20_000;
      },
      180_000,
    );
    const streamed = (Date.now() - streamFrom) / 1000;
    const restarts = stallRestarts();
    const pane = await fleet.pane(name);
    log(`(a) stream ran ${streamed.toFixed(0)}s with stall_idle ${STALL_IDLE}s; states seen ${[...states].join(", ")}; restarts/kills ${restarts.length}; pane pid ${first.pid} -> ${pane?.pid}`);
    expect(restarts).toEqual([]);
    expect(pane?.pid).toBe(first.pid);
    expect(streamed).toBeGreaterThan(3 * STALL_IDLE);
    // The control: idle now, nothing moves, so stall_idle later it is rebooted as a stall.
    const idleAt = Date.now();
    const reboot = await fleet.until("cx-slow stall reboot once idle", () => stallRestarts()[0], (STALL_IDLE + 60) * 1000);
    log(`(a) control: rebooted ${((Date.now() - idleAt) / 1000).toFixed(0)}s after going idle: ${JSON.stringify(reboot.reason)}`);
  }, 360_000);

  const codexLimit = (name: string) => async () => {
    const mock = fleet.members.get(name)!.mock;
    await fleet.until(`${name} idle after its kickoff`, async () => (await fleet.row(name))?.status?.state === "idle", 120_000);
    mock.setScenario("usage_limit", { resetInSeconds: LIMIT_RESET_IN });
    const asked = Date.now();
    await fleet.type(name, "Continue with the next task.");
    const row = await fleet.until(`${name} limited`, async () => {
      const r = await fleet.row(name);
      if (r?.status?.state === "parked") {
        const restarts = fleet.events(name).filter((e) => e.action === "restarted" && Date.parse(String(e.time)) >= asked);
        throw new Error(`${name} parked instead of held: ${r.status.reason}; restarts since the prompt: ${restarts.map((e) => `${String(e.time).slice(11, 19)} ${e.reason}`).join("; ")}`);
      }
      return r?.status?.state === "limited" && r.status.until ? r : undefined;
    }, 120_000);
    const announced = announcedResets(mock, "responses", LIMIT_RESET_IN);
    const until = Date.parse(row.status!.until!) / 1000;
    const R = until - SLACK;
    log(`(b) ${name} limited ${((Date.now() - asked) / 1000).toFixed(1)}s after the prompt; until ${row.status!.until} = R ${isoS(R)} + ${SLACK}s; mock announced ${announced.map(isoS).join(", ")}; reason ${JSON.stringify(row.status!.reason)}; evidence ${JSON.stringify(row.status!.evidence)}`);
    expect(row.status!.until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // R is the mock's reset to the second (the 429 computes it from its own clock: within 1 s of the request's).
    expect(announced.some((a) => Math.abs(a - R) <= 1)).toBe(true);
    expect(row.status!.evidence?.chosen).toBe("signal");
    // Still held a few ticks later, at the same end.
    await sleep(8_000);
    const later = await fleet.row(name);
    expect(later?.status?.state).toBe("limited");
    expect(later?.status?.until).toBe(row.status!.until);
  };


  it("(b) a Codex usage limit is held until exactly R + limit_reset_slack", codexLimit("cx-limit"), 300_000);
  it("(b) the same with sh in shell_commands (the default): a live limited Codex under sh must not read exited", codexLimit("cx-limit-sh"), 300_000);

  it("(b) a Claude subscriber limit is held until exactly R + limit_reset_slack", async () => {
    const name = "cl-limit";
    const mock = fleet.members.get(name)!.mock;
    await fleet.until("cl-limit idle after its kickoff", async () => (await fleet.row(name))?.status?.state === "idle", 120_000);
    mock.setScenario("usage_limit", { resetInSeconds: LIMIT_RESET_IN, limitClaim: "five_hour" });
    const asked = Date.now();
    await fleet.type(name, "Continue with the next task.");
    // A hold begun before the statusLine's exact reset arrives is refined once it does: wait for
    // an `until` R + slack that the mock announced.
    let seen: string[] = [];
    const row = await fleet.until("cl-limit limited until an announced reset + slack", async () => {
      const r = await fleet.row(name);
      if (r?.status?.state === "limited" && r.status.until) {
        if (!seen.includes(r.status.until)) seen = [...seen, r.status.until];
        const R = Date.parse(r.status.until) / 1000 - SLACK;
        if (announcedResets(mock, "anthropic", LIMIT_RESET_IN).some((a) => Math.abs(a - R) <= 1)) return r;
      }
      return undefined;
    }, 120_000);
    const announced = announcedResets(mock, "anthropic", LIMIT_RESET_IN);
    log(`(b) claude limited ${((Date.now() - asked) / 1000).toFixed(1)}s after the prompt; until values seen ${seen.join(" -> ")}; mock announced ${announced.map(isoS).join(", ")}; reason ${JSON.stringify(row.status!.reason)}; evidence ${JSON.stringify(row.status!.evidence)}`);
    expect(row.status!.until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(row.status!.evidence?.chosen).toBe("signal");
    await sleep(8_000);
    const later = await fleet.row(name);
    expect(later?.status?.state).toBe("limited");
    expect(later?.status?.until).toBe(row.status!.until);
  }, 300_000);

  it("(c) a killed Claude is healed into the same conversation (--resume, same session_id)", async () => {
    const name = "cl-heal";
    const before = await fleet.until("cl-heal idle with a session id", async () => {
      const r = await fleet.row(name);
      return r?.status?.state === "idle" && r.session_id ? r : undefined;
    }, 120_000);
    const id = before.session_id!;
    const pane = (await fleet.pane(name))!;
    const killedAt = Date.now();
    process.kill(pane.pid, "SIGKILL"); // the pane's process, by pid: the CLI dies, its session with it
    const restart = await fleet.until("cl-heal restarted", () => fleet.events(name).find((e) => e.action === "restarted" && Date.parse(String(e.time)) >= killedAt - 1000), 60_000);
    const healedMs = Date.now() - killedAt;
    const after = await fleet.until("cl-heal idle again", async () => {
      const r = await fleet.row(name);
      const p = await fleet.pane(name);
      return r?.status?.state === "idle" && p && p.pid !== pane.pid ? r : undefined;
    }, 120_000);
    const procs = resumedProcesses(id);
    log(`(c) healed in ${(healedMs / 1000).toFixed(1)}s (${JSON.stringify(restart.reason)}; ${JSON.stringify(restart.detail)}); idle again ${((Date.now() - killedAt) / 1000).toFixed(0)}s after the kill; session_id ${id} -> ${after.session_id}; --resume processes: ${procs.join(" | ")}`);
    expect(String(restart.detail)).toContain(`resumed ${id}`);
    expect(after.session_id).toBe(id);
    expect(procs.length).toBeGreaterThan(0);
  }, 300_000);

  it("(d) two Claude agents with one login (same HOME) are both held when one hits the limit", async () => {
    const [a, b] = ["cl-acct-a", "cl-acct-b"];
    const mock = fleet.members.get(a)!.mock;
    await fleet.until("both idle after their kickoffs", async () => {
      const rows = await fleet.rows();
      return rows.get(a)?.status?.state === "idle" && rows.get(b)?.status?.state === "idle";
    }, 120_000);
    const requestsOfB = mock.requests.length;
    mock.setScenario("usage_limit", { resetInSeconds: LIMIT_RESET_IN, limitClaim: "five_hour" });
    const asked = Date.now();
    await fleet.type(a, "Continue with the next task.");
    const [ra, rb] = await fleet.until("both limited until A's reset + slack", async () => {
      const rows = await fleet.rows();
      const x = rows.get(a);
      const y = rows.get(b);
      if (x?.status?.state !== "limited" || y?.status?.state !== "limited" || !x.status.until) return undefined;
      const R = Date.parse(x.status.until) / 1000 - SLACK;
      return announcedResets(mock, "anthropic", LIMIT_RESET_IN).some((r) => Math.abs(r - R) <= 1) && y.status.until === x.status.until ? [x, y] : undefined;
    }, 120_000);
    const holdEvents = fleet.events().filter((e) => e.action === "account-hold");
    log(`(d) both held ${((Date.now() - asked) / 1000).toFixed(1)}s after A's prompt: A until ${ra!.status!.until} (${JSON.stringify(ra!.status!.reason)}); B until ${rb!.status!.until} (${JSON.stringify(rb!.status!.reason)}); mock requests since the prompt (both agents): ${mock.requests.length - requestsOfB}; account-hold events: ${holdEvents.map((e) => JSON.stringify(e.reason)).join(" | ")}`);
    expect(rb!.status!.reason).toContain(`limited by ${a}`);
    await sleep(8_000);
    const rows = await fleet.rows();
    expect(rows.get(b)?.status?.state).toBe("limited");
    expect(rows.get(b)?.status?.until).toBe(ra!.status!.until);
  }, 300_000);
});
