// The built CLI's user-facing contract where no fleet needs to run: init, phase, exit codes and
// one-line errors for bad configs and bad usage. Still on a private tmux socket, so a verb that
// looks at tmux (status, up) can never reach the default server.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { ROOT, copyDemoFleet, privateTmux, removeDir, tempDir, waitFor, type PrivateTmux } from "../helpers/tmux.js";

let t: PrivateTmux;
const dirs: string[] = [];
const temp = (tag: string) => {
  const d = tempDir(tag);
  dirs.push(d);
  return d;
};

beforeAll(() => {
  t = privateTmux("cli");
});

afterAll(() => {
  t?.kill();
  for (const d of dirs) removeDir(d);
});

/** stderr must be one `agents: ...` line per problem, never a stack trace. */
function expectUserError(stderr: string, lines: string[]): void {
  expect(stderr.split("\n")).toEqual(lines.map((l) => `agents: ${l}`));
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe("init", () => {
  test("scaffolds agents.toml, prompts/, a plan and a status file that load as a valid fleet", async () => {
    const dir = path.join(temp("init"), "my-proj");
    const r = await t.cli(["init", dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const f of ["agents.toml", "prompts/kickoff.md", "prompts/builder.md", "prompts/adversary.md", "plans/P1.md", "status/P1-STATUS.md"]) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(readFileSync(path.join(dir, "agents.toml"), "utf8")).toContain('session_prefix = "my-proj-"');
    expect(readFileSync(path.join(dir, "prompts/builder.md"), "utf8")).toBe(readFileSync(path.join(ROOT, "prompts/builder.md"), "utf8"));
    // The scaffold is a real config: status reads it (nothing is running yet).
    const s = await t.cli(["status", "--json"], { cwd: dir });
    expect(s.stderr).toBe("");
    expect(s.code).toBe(0);
    const rows = (JSON.parse(s.stdout) as { rows: { name: string; state: string }[] }).rows;
    expect(rows.map((x) => [x.name, x.state])).toEqual([
      ["builder", "stopped"],
      ["adversary", "stopped"],
    ]);
  });

  test("init with no argument scaffolds the current directory", async () => {
    const dir = temp("init-cwd");
    const r = await t.cli(["init"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, "agents.toml"))).toBe(true);
  });

  test("refuses to overwrite an existing agents.toml: exit 2, file untouched", async () => {
    const dir = temp("init-again");
    writeFileSync(path.join(dir, "agents.toml"), "# mine\n");
    const r = await t.cli(["init", dir]);
    expect(r.code).toBe(2);
    expectUserError(r.stderr, [`${path.join(dir, "agents.toml")}: already exists; refusing to overwrite`]);
    expect(readFileSync(path.join(dir, "agents.toml"), "utf8")).toBe("# mine\n");
    expect(existsSync(path.join(dir, "prompts"))).toBe(false);
  });

  test("keeps a user's existing prompts", async () => {
    const dir = temp("init-prompts");
    cpSync(path.join(ROOT, "prompts"), path.join(dir, "prompts"), { recursive: true });
    writeFileSync(path.join(dir, "prompts/builder.md"), "my builder\n");
    const r = await t.cli(["init", dir]);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, "prompts/builder.md"), "utf8")).toBe("my builder\n");
  });
});

describe("bad configs: exit 2, one line per problem naming file and key, nothing started", () => {
  const MIN = `[defaults]\nsession_prefix = "bad-"\nlog_dir = ".state"\nbackend = "demo"\n`;
  const cases: [string, string, (file: string, dir: string) => string[]][] = [
    ["unknown backend", `${MIN}[[agent]]\nname = "a"\nbackend = "nope"\n`, (f) => [
      `${f}: agent[0](a).backend: unknown backend "nope" (known: demo, claude, codex, opencode, gemini)`,
    ]],
    ["duplicate agent", `${MIN}[[agent]]\nname = "a"\n[[agent]]\nname = "a"\n`, (f) => [`${f}: agent[1](a).name: duplicate agent name "a"`]],
    ["missing session_prefix", `[defaults]\nlog_dir = "x"\n`, (f) => [
      `${f}: defaults.session_prefix: is required (e.g. session_prefix = "myproj-")`,
    ]],
    ["wrong type and bad enum together", `${MIN}[watchdog]\nheavy_interval = "5m"\n[[agent]]\nname = "a"\nkind = "daemon"\n`, (f) => [
      `${f}: watchdog.heavy_interval: expected number, received string`,
      `${f}: agent[0](a).kind: must be one of "loop", "persistent", "task", "orchestrator"`,
    ]],
    ["bad regex", `${MIN}[backend.demo]\nfatal_re = "+x"\n`, (f) => [
      `${f}: backend.demo.fatal_re: bad regex "+x": Invalid regular expression: /+x/i: Nothing to repeat`,
    ]],
    ["missing prompt file", `${MIN}[[agent]]\nname = "a"\nprompt_file = "p.md"\n`, (f, d) => [`${f}: agent[0](a).prompt_file: file not found: ${d}/p.md`]],
    ["bad name", `${MIN}[[agent]]\nname = "a;b"\n`, (f) => [
      `${f}: agent[0](a;b).name: must be 1-64 letters, digits, '-' or '_' (it becomes a tmux session and file name)`,
    ]],
    ["TOML syntax", `${MIN}[[agent]\nname = "a"\n`, (f) => [`${f}:5:9: TOML syntax error: expected end of table array declaration`]],
  ];

  // Every case through status; up and down share its loading, so two cases each keep them honest.
  const runs: [string, (typeof cases)[number]][] = [
    ...cases.map((c) => ["status", c] as [string, (typeof cases)[number]]),
    ...["up", "down"].flatMap((verb) => [cases[0]!, cases[cases.length - 1]!].map((c) => [verb, c] as [string, (typeof cases)[number]])),
  ];
  for (const [verb, [name, toml, expected]] of runs) {
    test(`${verb}: ${name}`, async () => {
      const dir = temp("bad");
      const file = path.join(dir, "agents.toml");
      writeFileSync(file, toml);
      const r = await t.cli([verb, "--config", file], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expectUserError(r.stderr, expected(file, dir));
      expect(t.sessions()).toEqual([]);
    });
  }

  test("a missing config file names the path and how to make one", async () => {
    const dir = temp("nocfg");
    const r = await t.cli(["status"], { cwd: dir });
    expect(r.code).toBe(2);
    expectUserError(r.stderr, [`${dir}/agents.toml: config file not found (create one with \`agents init\`, or pass --config PATH)`]);
  });

  test("unknown keys warn on stderr and the verb still succeeds", async () => {
    const dir = temp("warn");
    const file = path.join(dir, "agents.toml");
    writeFileSync(file, `${MIN}colour = "blue"\n[[agent]]\nname = "a"\n`);
    const r = await t.cli(["status", "--json", "--config", file], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: ${file}: defaults.colour: unknown key (ignored)`);
    expect(JSON.parse(r.stdout)).toHaveProperty("rows");
  });
});

/** A usage mistake: one `agents: <verb>: ...` line, then that verb's usage line. */
function expectUsageError(r: { code: number; stderr: string }, line: string, usage: string): void {
  expect(r.code).toBe(2);
  expect(r.stderr.split("\n")).toEqual([`agents: ${line}`, usage]);
}

describe("usage errors and help", () => {
  test("no verb prints help and exits 2; --help, -h and help exit 0 with the same text", async () => {
    const none = await t.cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/^agents — /);
    const help = await t.cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(none.stdout);
    for (const verb of ["up", "down", "status", "logs", "phase", "watchdog", "selftest", "classify", "init", "help"]) {
      expect(help.stdout).toContain(`\n  ${verb} `);
    }
    expect(help.stdout).toContain("\n  up [name...] [--dry-run] [--config PATH]\n");
    expect((await t.cli(["-h"])).stdout).toBe(help.stdout);
    expect((await t.cli(["help"])).stdout).toBe(help.stdout);
  });

  test("help VERB, VERB --help and --help VERB print that verb's usage and exactly its options", async () => {
    const a = await t.cli(["help", "logs"]);
    expect(a.code).toBe(0);
    expect(a.stdout.split("\n")[0]).toBe("usage: agents logs <name> [-f] [-n N] [--transcript] [--json] [--config PATH]");
    const flags = a.stdout.slice(a.stdout.indexOf("options:")).match(/--[a-z-]+/g);
    expect(flags).toEqual(["--follow", "--lines", "--transcript", "--json", "--config", "--help"]);
    expect((await t.cli(["logs", "--help"])).stdout).toBe(a.stdout);
    expect((await t.cli(["--help", "logs"])).stdout).toBe(a.stdout);
    // --help wins over everything else on the line, even a mistake.
    expect((await t.cli(["logs", "--bogus", "-h"])).stdout).toBe(a.stdout);
    const init = await t.cli(["init", "--help"]);
    expect(init.stdout.slice(init.stdout.indexOf("options:")).match(/--[a-z-]+/g)).toEqual(["--help"]);
  });

  test("unknown verb, unknown option, option before the verb: exit 2", async () => {
    const verb = await t.cli(["launch"]);
    expect(verb.code).toBe(2);
    expectUserError(verb.stderr, ['unknown verb "launch" (see agents --help)']);
    expectUsageError(await t.cli(["status", "--colour"]), "status: unknown option '--colour'", "usage: agents status [--json] [--config PATH]");
    expectUsageError(await t.cli(["status", "--bogus"]), "status: unknown option '--bogus'", "usage: agents status [--json] [--config PATH]");
    const before = await t.cli(["--json", "status"]);
    expect(before.code).toBe(2);
    expectUserError(before.stderr, ["unknown option '--json' (options go after the verb; see agents --help)"]);
    expectUserError((await t.cli(["help", "launch"])).stderr, ['unknown verb "launch" (see agents --help)']);
  });

  test("an option another verb takes is refused, and nothing runs", async () => {
    const { dir, config } = copyDemoFleet();
    dirs.push(dir);
    const r = await t.cli(["up", "--json", "--config", config], { cwd: dir });
    expectUsageError(r, "up: unknown option '--json'", "usage: agents up [name...] [--dry-run] [--config PATH]");
    expect(t.sessions()).toEqual([]);
    expectUsageError(
      await t.cli(["down", "--dry-run", "--config", config]),
      "down: unknown option '--dry-run'",
      "usage: agents down [name...] [--config PATH]",
    );
    expect(existsSync(path.join(dir, ".agents-state"))).toBe(false);
  });

  test("logs without a name, bad -n, --json on a session log", async () => {
    const { dir, config } = copyDemoFleet();
    dirs.push(dir);
    const usage = "usage: agents logs <name> [-f] [-n N] [--transcript] [--json] [--config PATH]";
    expectUsageError(await t.cli(["logs", "--config", config]), "logs: missing <name>", usage);
    expectUsageError(
      await t.cli(["logs", "builder", "-n", "many", "--config", config]),
      'logs: -n expects a number of lines (0 or more), got "many"',
      usage,
    );
    expectUsageError(
      await t.cli(["logs", "builder", "--lines=1.5", "--config", config]),
      'logs: --lines expects a number of lines (0 or more), got "1.5"',
      usage,
    );
    expectUsageError(await t.cli(["logs", "builder", "-n"]), "logs: option '-n' needs a value (N)", usage);
    expectUsageError(
      await t.cli(["logs", "builder", "--json", "--config", config]),
      'logs: --json is for "logs watchdog" (session logs are plain text)',
      usage,
    );
  });
});

describe("up --dry-run", () => {
  test("says what up would do, member by member, and starts and writes nothing", async () => {
    const { dir, config } = copyDemoFleet();
    dirs.push(dir);
    // Its own server: this test starts sessions, and other tests here expect none.
    const own = privateTmux("dry-run");
    onTestFinished(() => own.kill());
    const agents = (...args: string[]) => own.cli([...args, "--config", config], { cwd: dir });
    const stateDir = path.join(dir, ".agents-state");

    const fresh = await agents("up", "--dry-run");
    expect(fresh.stderr).toBe("");
    expect(fresh.code).toBe(0);
    expect(fresh.stdout.split("\n")).toEqual([
      "builder: would start (demo, loop phase=P1, model=demo-model-1) [demo-builder]",
      "adversary: would start (demo, loop phase=P1, model=demo-model-1) [demo-adversary]",
      "supervisor: would start (demo, persistent, model=demo-model-1) [demo-supervisor]",
      "clock: would start [demo-clock]",
      "watchdog: would start [demo-watchdog]",
    ]);
    expect(own.sessions()).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);

    // A parked agent, a running service, and the phase moved on (P2 changes the builder's model).
    expect((await agents("down", "adversary")).code).toBe(0);
    expect((await agents("up", "clock")).code).toBe(0);
    expect((await agents("phase", "next")).code).toBe(0);
    const before = snapshot(stateDir);
    const dry = await agents("up", "--dry-run", "builder", "adversary", "clock");
    expect(dry.code).toBe(0);
    expect(dry.stdout.split("\n")).toEqual([
      "builder: would start (demo, loop phase=P2, model=demo-model-2) [demo-builder]",
      "adversary: would unpark",
      "adversary: would start (demo, loop phase=P2, model=demo-model-1) [demo-adversary]",
      "clock: already running [demo-clock]",
    ]);
    expect(own.sessions()).toEqual(["demo-clock"]);
    expect(snapshot(stateDir)).toEqual(before);

    // The real thing prints the same lines, in the past tense.
    const real = await agents("up", "builder", "adversary", "clock");
    expect(real.code).toBe(0);
    const past = (l: string) => l.replace(": would start", ": started").replace(": would unpark", ": unparked");
    expect(real.stdout.split("\n")).toEqual(dry.stdout.split("\n").map(past));
    expect(own.sessions().sort()).toEqual(["demo-adversary", "demo-builder", "demo-clock"]);
    const again = await agents("up", "--dry-run", "builder");
    expect(again.stdout).toBe("builder: already running [demo-builder]");
  });
});

/** Every file under dir with its content but the pane logs (running sessions add to those). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (f.endsWith(".log")) continue;
    const p = path.join(dir, f);
    out[f] = statSync(p).isDirectory() ? "<dir>" : readFileSync(p, "utf8");
  }
  return out;
}

describe("status and logs never wait on a file someone replaced", () => {
  // The watchdog state, a parked marker, the phase index, the phase's status file and the legacy
  // lock are all files a user or an agent can replace; a FIFO in each must read as absent (or
  // unreadable), not hang status until some writer appears.
  test("a FIFO as each state file: status answers promptly, as if they were absent", async () => {
    const { dir, config } = copyDemoFleet();
    dirs.push(dir);
    const state = path.join(dir, ".agents-state/state");
    mkdirSync(path.join(state, "parked"), { recursive: true });
    const fifos = [
      path.join(state, "watchdog.json"),
      path.join(state, "parked/builder.json"),
      path.join(state, "phase-idx"),
      path.join(state, "watchdog.lock"),
      path.join(dir, "examples/demo/status/P1-STATUS.md"),
    ];
    rmSync(fifos[4]!);
    for (const f of fifos) expect(spawnSync("mkfifo", [f]).status, f).toBe(0);
    const t0 = Date.now();
    const r = await t.cli(["status", "--json", "--config", config], { cwd: dir, timeoutMs: 20_000 });
    expect(r.timedOut, "status hung on a FIFO").toBeUndefined();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const s = JSON.parse(r.stdout) as { phase: { id: string; done: boolean }; rows: { name: string; status: { state: string } }[]; watchdog: { running: boolean } };
    expect(s.phase).toMatchObject({ id: "P1", done: false });
    expect(s.watchdog.running).toBe(false);
    // An unreadable marker still parks: the marker's presence is what counts.
    expect(s.rows.find((x) => x.name === "builder")!.status.state).toBe("parked");
    // Nothing was replaced or moved: status only reads.
    for (const f of fifos) expect(statSync(f).isFIFO(), f).toBe(true);
  });

  test("logs: a FIFO as the watchdog's events file or a session log is refused at once", async () => {
    const { dir, config } = copyDemoFleet();
    dirs.push(dir);
    const logDir = path.join(dir, ".agents-state");
    mkdirSync(logDir);
    const events = path.join(logDir, "demo-watchdog.events.jsonl");
    const session = path.join(logDir, "demo-builder.log");
    for (const f of [events, session]) expect(spawnSync("mkfifo", [f]).status, f).toBe(0);
    const logs = (name: string) => t.cli(["logs", name, "--config", config], { cwd: dir, timeoutMs: 20_000 });
    const w = await logs("watchdog");
    expect(w.timedOut, "logs watchdog hung on a FIFO").toBeUndefined();
    expect([w.code, w.stderr]).toEqual([1, `${events}: is a FIFO (named pipe), not a regular file; no events to show`]);
    const b = await logs("builder");
    expect(b.timedOut, "logs builder hung on a FIFO").toBeUndefined();
    expect([b.code, b.stderr]).toEqual([1, `${session}: not a regular file; no log to show`]);
  });
});

describe("phase show / next / set", () => {
  test("moves through the demo fleet's phases and status follows", async () => {
    const { dir, config } = copyDemoFleet();
    dirs.push(dir);
    const phase = (...args: string[]) => t.cli(["phase", ...args, "--config", config], { cwd: dir });

    expect((await phase()).stdout).toBe("phase P1 [1/2] sequence: P1 P2");
    expect((await phase("show")).stdout).toBe("phase P1 [1/2] sequence: P1 P2");
    const next = await phase("next");
    expect(next.code).toBe(0);
    expect(next.stdout).toBe("phase P2 [2/2] sequence: P1 P2");
    expect(readFileSync(path.join(dir, ".agents-state/state/phase-idx"), "utf8")).toBe("1\n");
    // P2's model override for the builder shows in status.
    const s = JSON.parse((await t.cli(["status", "--json", "--config", config], { cwd: dir })).stdout) as {
      phase: { id: string };
      rows: { name: string; model: string }[];
    };
    expect(s.phase.id).toBe("P2");
    expect(s.rows.find((r) => r.name === "builder")!.model).toBe("demo-model-2");
    expect(s.rows.find((r) => r.name === "adversary")!.model).toBe("demo-model-1");

    expect((await phase("next")).stdout).toBe("phase P2 [2/2] sequence: P1 P2");
    expect((await phase("set", "0")).stdout).toBe("phase P1 [1/2] sequence: P1 P2");
    expect(readFileSync(path.join(dir, ".agents-state/state/phase-idx"), "utf8")).toBe("0\n");
  });

  test("bad phase arguments: exit 2, index untouched", async () => {
    const { dir, config } = copyDemoFleet();
    dirs.push(dir);
    const phase = (...args: string[]) => t.cli(["phase", "--config", config, ...args], { cwd: dir });
    for (const arg of ["2", "-1", "x", "0.5"]) {
      // "--" so that -1 reaches the verb instead of being read as an option.
      const r = await phase("set", "--", arg);
      expect(r.code, arg).toBe(2);
      expectUserError(r.stderr, [`phase set: expected an index from 0 to 1, got ${arg}`]);
    }
    const none = await phase("set");
    expectUserError(none.stderr, ["phase set: expected an index from 0 to 1, got nothing"]);
    const usage = "usage: agents phase [show|next|set] [index] [--config PATH]";
    expectUsageError(await phase("jump"), 'phase: unknown subcommand "jump" (show, next, set)', usage);
    expectUsageError(await phase("next", "1"), "phase: next takes no index (got 1)", usage);
    expectUsageError(await phase("set", "1", "2"), "phase: unexpected argument '2'", usage);
    expect((await phase()).stdout).toBe("phase P1 [1/2] sequence: P1 P2");
  });

  test("a config without phases says so", async () => {
    const dir = temp("nophase");
    const file = path.join(dir, "agents.toml");
    writeFileSync(file, `[defaults]\nsession_prefix = "np-"\nlog_dir = ".s"\n`);
    const r = await t.cli(["phase", "--config", file], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("no [loop].phases configured");
  });
});

describe("bin/agents launcher", () => {
  test("node never loads NODE_EXTRA_CA_CERTS, yet everything agents starts still gets it", async () => {
    const dir = temp("ca-env");
    const seen = path.join(dir, "seen");
    // A file that does not exist: a node that tried to load it would print a warning on stderr.
    const ca = path.join(dir, "no-such-bundle.pem");
    writeFileSync(
      path.join(dir, "agents.toml"),
      [
        "[defaults]",
        'session_prefix = "caenv-"',
        'log_dir = ".state"',
        "[[service]]",
        'name = "probe"',
        `command = "echo \\"ca=$NODE_EXTRA_CA_CERTS saved=\${AGENTS_SAVED_NODE_EXTRA_CA_CERTS-unset} node=\${AGENTS_NODE-unset}\\" > ${seen}; exec sleep 600"`,
        "",
      ].join("\n"),
    );
    // Its own server: a new session's environment is the server's, taken from whoever started it.
    const own = privateTmux("ca-env");
    onTestFinished(() => own.kill());
    const v = await own.cli(["--version"], { env: { NODE_EXTRA_CA_CERTS: ca } });
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);

    const up = await own.cli(["up", "probe"], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: ca } });
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    await waitFor("the probe service to write what it saw", () => existsSync(seen) && readFileSync(seen, "utf8").includes("\n"));
    expect(readFileSync(seen, "utf8").trim()).toBe(`ca=${ca} saved=unset node=unset`);
  });
});
