// Every config mistake the issue lists: one line per problem, `<file>: <key path>: <problem>`.
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { backendTemplateProblems } from "../../src/fleet/command.js";
import { tempDir } from "../helpers/tmp.js";
import { ConfigError } from "../../src/errors.js";
import { MINIMAL, project } from "../helpers/project.js";

function configErrorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

const KNOWN_BACKENDS = "demo, claude, codex, opencode, gemini";
const NAME_RULE = "must be 1-64 letters, digits, '-' or '_' (it becomes a tmux session and file name)";

describe("config errors", () => {
  test("unknown backend on an agent", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\nbackend = "nope"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](a).backend: unknown backend "nope" (known: ${KNOWN_BACKENDS})`]);
  });

  test("an unknown backend in [defaults] is reported once, at defaults.backend", () => {
    const p = project(`${MINIMAL.replace('"demo"', '"nope"')}[[agent]]\nname = "a"\n[[agent]]\nname = "b"\n`);
    expect(p.errors()).toEqual([`${p.file}: defaults.backend: unknown backend "nope" (known: ${KNOWN_BACKENDS})`]);
  });

  test("unknown preset named by a backend table", () => {
    const p = project(`${MINIMAL}[backend.x]\npreset = "cluade"\n`);
    expect(p.errors()).toEqual([`${p.file}: backend.x.preset: unknown preset "cluade" (built-in: ${KNOWN_BACKENDS})`]);
  });

  test("a custom backend without bin", () => {
    const p = project(`${MINIMAL}[backend.x]\nflags = "-v"\n[[agent]]\nname = "a"\nbackend = "x"\n[[agent]]\nname = "b"\nbackend = "x"\n`);
    expect(p.errors()).toEqual([`${p.file}: backend.x.bin: is required (the command that starts the agent)`]);
  });

  test("duplicate agent name: one line, not a second one about its session", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\n[[agent]]\nname = "a"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[1](a).name: duplicate agent name "a"`]);
  });

  test("a service may not share an agent's name", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\n[[service]]\nname = "a"\ncommand = "true"\n`);
    expect(p.errors()).toEqual([`${p.file}: service[0](a).name: duplicate name "a" (agents and services share names)`]);
  });

  test("two agents on one explicit session", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\n[[agent]]\nname = "b"\nsession = "t-a"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[1](b).session: tmux session "t-a" is already used by agent "a"`]);
  });

  test("an agent named watchdog would collide with the watchdog session", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "watchdog"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](watchdog).name: "watchdog" is reserved for the watchdog session`]);
  });

  test("missing session_prefix", () => {
    const p = project(`[defaults]\nlog_dir = ".state"\n`);
    expect(p.errors()).toEqual([`${p.file}: defaults.session_prefix: is required (e.g. session_prefix = "myproj-")`]);
  });

  test("missing log_dir", () => {
    const p = project(`[defaults]\nsession_prefix = "t-"\n`);
    expect(p.errors()).toEqual([`${p.file}: defaults.log_dir: is required (e.g. log_dir = ".agents-state")`]);
  });

  test("missing [defaults] altogether", () => {
    const p = project(`[[agent]]\nname = "a"\n`);
    expect(p.errors()).toEqual([`${p.file}: defaults: is required`]);
  });

  test("missing agent name", () => {
    const p = project(`${MINIMAL}[[agent]]\nkind = "persistent"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0].name: is required`]);
  });

  test("an agent with no backend anywhere", () => {
    const p = project(`[defaults]\nsession_prefix = "t-"\nlog_dir = ".s"\n[[agent]]\nname = "a"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](a).backend: is required (set it on the agent or in [defaults])`]);
  });

  test("wrong types: every one on its own line", () => {
    const p = project(`${MINIMAL}[watchdog]\nstall_grace = "3 minutes"\n[[agent]]\nname = "a"\nenabled = "yes"\n`);
    expect(p.errors()).toEqual([
      `${p.file}: watchdog.stall_grace: expected number, received string`,
      `${p.file}: agent[0](a).enabled: expected boolean, received string`,
    ]);
  });

  test("wrong type of a whole table", () => {
    const p = project(`agent = "builder"\n${MINIMAL}`);
    expect(p.errors()).toEqual([`${p.file}: agent: expected array, received string`]);
  });

  test("a wrong-typed [defaults] value is one line at defaults, not one per agent", () => {
    const p = project(`${MINIMAL}model = 4\n[[agent]]\nname = "a"\n[[agent]]\nname = "b"\n`);
    expect(p.errors()).toEqual([`${p.file}: defaults.model: expected string, received number`]);
  });

  test("negative and zero intervals are refused", () => {
    const p = project(`${MINIMAL}[watchdog]\nsignal_interval = 0\nstall_grace = -1\n`);
    expect(p.errors()).toEqual([
      `${p.file}: watchdog.signal_interval: Too small: expected number to be >0`,
      `${p.file}: watchdog.stall_grace: Too small: expected number to be >=0`,
    ]);
  });

  test("bad regex in a backend table", () => {
    const p = project(`${MINIMAL}[backend.demo]\nactive_re = "(oops"\n`);
    expect(p.errors()).toEqual([
      `${p.file}: backend.demo.active_re: bad regex "(oops": Invalid regular expression: /(oops/i: Unterminated group`,
    ]);
  });

  test("bad regex in the handoff patterns", () => {
    const p = project(`${MINIMAL}[loop.handoff]\nclaim_pattern = "[claim"\n`);
    expect(p.errors()).toEqual([
      `${p.file}: loop.handoff.claim_pattern: bad regex "[claim": Invalid regular expression: /[claim/i: Unterminated character class`,
    ]);
  });

  test("a handoff fetch_timeout out of range", () => {
    for (const bad of ["0", "-5", "3601"]) {
      const p = project(`${MINIMAL}[loop.handoff]\nfetch_timeout = ${bad}\n`);
      expect(p.errors(), bad).toHaveLength(1);
      expect(p.errors()[0], bad).toMatch(/: loop\.handoff\.fetch_timeout: /);
    }
    expect(project(`${MINIMAL}[loop.handoff]\nfetch_timeout = 2.5\n`).load().loop.handoff!.fetch_timeout).toBe(2.5);
  });

  test("unknown kind", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\nkind = "daemon"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](a).kind: must be one of "loop", "persistent", "task", "orchestrator"`]);
  });

  test("unknown watch mode, on an agent and in [defaults]", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\nwatch = "always"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](a).watch: must be one of "none", "heal", "heal+stall"`]);
    const q = project(`${MINIMAL}watch = "always"\n[[agent]]\nname = "a"\n[[agent]]\nname = "b"\n`);
    expect(q.errors()).toEqual([`${q.file}: defaults.watch: must be one of "none", "heal", "heal+stall"`]);
  });

  test("unknown prompt_delivery", () => {
    const p = project(`${MINIMAL}[backend.x]\nbin = "x"\nprompt_delivery = "pigeon"\n`);
    expect(p.errors()).toEqual([`${p.file}: backend.x.prompt_delivery: must be one of "arg", "ping", "exec"`]);
  });

  test("missing prompt file", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\nprompt_file = "prompts/nope.md"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](a).prompt_file: file not found: ${p.dir}/prompts/nope.md`]);
  });

  test("missing wake prompt file", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\nwake = { interval = 60, prompt_file = "wake.md" }\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](a).wake.prompt_file: file not found: ${p.dir}/wake.md`]);
  });

  test("missing kickoff template", () => {
    const p = project(`${MINIMAL}[loop]\nkickoff_template = "prompts/kickoff.md"\n`);
    expect(p.errors()).toEqual([`${p.file}: loop.kickoff_template: file not found: ${p.dir}/prompts/kickoff.md`]);
  });

  test("missing role prompt for a loop agent, honouring roles_dir", () => {
    const p = project(`${MINIMAL}[loop]\nroles_dir = "roles"\n[[agent]]\nname = "b"\nkind = "loop"\nrole = "builder"\n`, {
      "prompts/builder.md": "in the wrong folder\n",
    });
    expect(p.errors()).toEqual([`${p.file}: agent[0](b).role: role prompt not found: ${p.dir}/roles/builder.md`]);
  });

  test("a loop agent without a role", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "b"\nkind = "loop"\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](b).role: is required for a loop agent (it names prompts/<role>.md)`]);
  });

  test("TOML syntax error carries line and column", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a\n`);
    expect(p.errors()).toEqual([`${p.file}:6:10: TOML syntax error: control characters are not allowed in strings`]);
  });

  test("a key defined twice is a TOML error at its line", () => {
    const p = project(`${MINIMAL}session_prefix = "u-"\n`);
    const [line, ...rest] = p.errors();
    expect(rest).toEqual([]);
    expect(line).toMatch(new RegExp(`^${p.file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:\\d+: TOML syntax error: \\S`));
  });

  test.each([
    ["a space", "a b"],
    ["a dot (tmux rewrites it)", "a.b"],
    ["a colon (a tmux target separator)", "a:b"],
    ["a slash (a path in a file name)", "../x"],
    ["shell metacharacters", "a;rm -rf"],
    ["an empty name", ""],
  ])("agent name with %s is refused", (_why, name) => {
    const p = project(`${MINIMAL}[[agent]]\nname = ${JSON.stringify(name)}\n`);
    expect(p.errors()).toEqual([`${p.file}: agent[0](${name}).name: ${NAME_RULE}`.replace("[0]().", "[0].")]);
  });

  test("bad service name and bad role name", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "b"\nkind = "loop"\nrole = "../etc"\n[[service]]\nname = "x:y"\ncommand = "true"\n`);
    expect(p.errors()).toEqual([
      `${p.file}: agent[0](b).role: ${NAME_RULE}`,
      `${p.file}: service[0](x:y).name: ${NAME_RULE}`,
    ]);
  });

  test("unsafe session_prefix", () => {
    const p = project(`[defaults]\nsession_prefix = "my proj:"\nlog_dir = ".s"\n`);
    expect(p.errors()).toEqual([`${p.file}: defaults.session_prefix: must be 1-40 letters, digits, '-' or '_'`]);
  });

  test("several problems: every one reported, one line each", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\nkind = "daemon"\n[[agent]]\nname = "b"\nwatch = "x"\n`);
    const lines = p.errors();
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(l.startsWith(`${p.file}: agent[`)).toBe(true);
      expect(l).not.toContain("\n");
    }
  });

  test("a missing config file", () => {
    const gone = `${project(MINIMAL).dir}/nope.toml`;
    expect(configErrorLines(() => loadConfig(gone))).toEqual([
      `${gone}: config file not found (create one with \`agents init\`, or pass --config PATH)`,
    ]);
  });
});

describe("unknown keys are warnings, not errors", () => {
  test("at every level, the rest of the config loads", () => {
    const p = project(`${MINIMAL}colour = "blue"
[watchdog]
tick = 3
[backend.demo]
flavour = "mint"
[loop]
phases = [{ id = "P1", status = "s.md", owner = "me" }]
[loop.handoff]
channel = "x"
[[agent]]
name = "a"
nickname = "al"
wake = { interval = 60, prompt_file = "w.md", snooze = 5 }
[[service]]
name = "web"
command = "true"
port = 8080
[extra]
x = 1
`, { "w.md": "wake\n" });
    const f = p.load();
    expect(f.agents.map((a) => a.name)).toEqual(["a"]);
    expect(f.warnings.sort()).toEqual(
      [
        `${p.file}: defaults.colour: unknown key (ignored)`,
        `${p.file}: watchdog.tick: unknown key (ignored)`,
        `${p.file}: backend.demo.flavour: unknown key (ignored)`,
        `${p.file}: loop.phases[0].owner: unknown key (ignored)`,
        `${p.file}: loop.handoff.channel: unknown key (ignored)`,
        `${p.file}: agent[0](a).nickname: unknown key (ignored)`,
        `${p.file}: agent[0](a).wake.snooze: unknown key (ignored)`,
        `${p.file}: service[0](web).port: unknown key (ignored)`,
        `${p.file}: extra: unknown key (ignored)`,
      ].sort(),
    );
  });
});

describe("the config file itself must be a regular file (issue 10: a FIFO hung status)", () => {
  // [why, make the path (in a fresh dir), expected line after `<path>: `]
  test.each<[string, (file: string) => void, string]>([
    ["a FIFO: refused without waiting for a writer", (f) => void spawnSync("mkfifo", [f]), "is a FIFO (named pipe); a config must be a regular file"],
    ["a directory", (f) => mkdirSync(f), "is a directory; a config must be a regular file"],
    ["a symlink to a character device", (f) => symlinkSync("/dev/null", f), "is a character device; a config must be a regular file"],
    ["nothing", () => {}, "config file not found (create one with `agents init`, or pass --config PATH)"],
  ])("%s", (_why, make, line) => {
    const file = path.join(tempDir("cfgfile"), "agents.toml");
    make(file);
    expect(configErrorLines(() => loadConfig(file))).toEqual([`${file}: ${line}`]);
  });

  test("a symlink to a regular config file is fine", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\n`);
    const link = path.join(p.dir, "link.toml");
    symlinkSync(p.file, link);
    expect(loadConfig(link).agents.map((a) => a.name)).toEqual(["a"]);
  });
});

describe("command templates that a second shell could parse are refused (issue 10)", () => {
  const X = (lines: string) => `${MINIMAL}[backend.x]\n${lines}\n[[agent]]\nname = "a"\nbackend = "x"\n`;
  // [why, backend table lines, expected lines after `<file>: `]
  test.each<[string, string, string[]]>([
    ["an exec bin with {model} in quoted text", `bin = "ssh box 'run --model {model}'"\nprompt_delivery = "exec"`, [
      `backend.x.bin: {model} sits inside single quotes: a value spliced there could be parsed by a second shell; write {model} outside quotes (it is quoted for you) or use "$AGENT_MODEL"`,
    ]],
    ["the same in a nested bash -lc script is filled through the environment", `bin = "bash -lc 'run --model {model} < {kickoff}'"\nprompt_delivery = "exec"`, []],
    ["the reference demo's exec bin", `bin = "bash -c 'echo \\"[{session}] model={model} kickoff={kickoff} ($(wc -l < {kickoff}) lines)\\"; while :; do echo \\"working... $(date +%T)\\"; sleep 3; done'"\nprompt_delivery = "exec"`, []],
    ["bin is a plain command outside exec: its braces are not slots", `bin = "sh -c 'run {model}'"`, []],
    ["model_flag with text around {model} in double quotes", `bin = "run"\nmodel_flag = "--model \\"openai/{model}\\""`, [
      `backend.x.model_flag: {model} sits inside double quotes: a value spliced there could be parsed by a second shell; write {model} outside quotes (it is quoted for you) or use "$AGENT_MODEL"`,
    ]],
    ["the reference's quoted defaults, written out", `bin = "run"\nmodel_flag = "--model '{model}'"\nresume_flag = "--resume '{id}'"\nremote_control_flag = "--remote-control '{session}'"`, []],
    ["resume_flag in backquotes", "bin = \"run\"\nresume_flag = \"--resume `echo {id}`\"", [
      "backend.x.resume_flag: {id} sits inside backquotes, where its value cannot be quoted; write {id} outside quotes (it is quoted for you)",
    ]],
    ["prompt_arg with {prompt} in quotes", `bin = "run"\nprompt_arg = "--prompt '{prompt}'"`, [
      "backend.x.prompt_arg: {prompt} sits inside single quotes: it is already shell text and must stand unquoted",
    ]],
    ["attach with {dir} in quoted text", `bin = "tui"\nprompt_delivery = "ping"\nattach = "{bin} --dir 'at {dir}'"`, [
      "backend.x.attach: {dir} sits inside single quotes: a value spliced there could be parsed by a second shell; write {dir} outside quotes (it is quoted for you)",
    ]],
    ["a name ({session}) may sit in quoted text", `bin = "echo 'quiet agent {session} ready'; exec sleep 1000"\nprompt_delivery = "exec"`, []],
  ])("%s", (_why, lines, expected) => {
    const p = project(X(lines));
    if (expected.length === 0) expect(() => p.load()).not.toThrow();
    else expect(p.errors()).toEqual(expected.map((l) => `${p.file}: ${l}`));
  });

  test("every built-in preset's templates pass", () => {
    const f = project(MINIMAL).load();
    for (const [name, b] of Object.entries(f.backends)) expect(backendTemplateProblems({ ...b, prompt_delivery: "exec" }), name).toEqual([]);
  });
});
