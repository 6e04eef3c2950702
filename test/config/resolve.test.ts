// The pure resolve step: validated config in, fleet + error lines + path checks out. No disk: the
// config file named here does not exist, and nothing it names needs to.
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/parse.js";
import { resolveConfig, type ResolveOptions } from "../../src/config/resolve.js";
import { PRESETS } from "../../src/config/presets.js";
import { BACKEND_DEFAULTS } from "../../src/config/schema.js";

const FILE = "/nowhere/proj/agents.toml";
const BASE = `[defaults]\nsession_prefix = "t-"\nlog_dir = ".state"\nbackend = "demo"\n`;

function resolve(toml: string, opts: Partial<ResolveOptions> = {}) {
  const { cfg } = parseConfig(FILE, toml);
  return resolveConfig(FILE, cfg, { env: {}, ...opts });
}

describe("resolve: fields of one agent", () => {
  test.each<[string, string, Partial<ResolveOptions>, Record<string, unknown>]>([
    ["schema defaults", `${BASE}[[agent]]\nname = "a"\n`, {}, { kind: "persistent", model: "", watch: "none", enabled: true, resume: false, dir: "/nowhere/proj", session: "t-a", env: {} }],
    ["[defaults] inherited", `${BASE}model = "m"\nwatch = "heal"\nenabled = false\nresume = true\ndir = "w"\n[[agent]]\nname = "a"\n`, {}, { model: "m", watch: "heal", enabled: false, resume: true, dir: "/nowhere/proj/w" }],
    ["the agent's own keys win", `${BASE}model = "m"\nwatch = "heal"\n[[agent]]\nname = "a"\nmodel = "own"\nwatch = "none"\nenabled = false\n`, {}, { model: "own", watch: "none", enabled: false }],
    ["an explicit session", `${BASE}[[agent]]\nname = "a"\nsession = "elsewhere"\n`, {}, { session: "elsewhere" }],
    ["paths absolute against project_dir", `${BASE}project_dir = "../p"\n[[agent]]\nname = "a"\ndir = "x"\nprompt_file = "p.md"\n`, {}, { dir: "/nowhere/p/x", promptFile: "/nowhere/p/p.md" }],
    ["a wake without interval or cron: hourly", `${BASE}[[agent]]\nname = "a"\nwake = { prompt_file = "w.md" }\n`, {}, { wake: { promptFile: "/nowhere/proj/w.md", interval: 3600 } }],
    ["a wake interval as written", `${BASE}[[agent]]\nname = "a"\nwake = { interval = 60, prompt_file = "w.md" }\n`, {}, { wake: { promptFile: "/nowhere/proj/w.md", interval: 60 } }],
    ["a cron wake has no interval", `${BASE}[[agent]]\nname = "a"\nwake = { cron = "0 * * * *", prompt_file = "w.md" }\n`, {}, { wake: { promptFile: "/nowhere/proj/w.md", cron: "0 * * * *" } }],
    ["env: defaults < backend < agent", `${BASE}env = { A = "d", B = "d", C = "d" }\n[backend.demo]\nenv = { B = "b", C = "b" }\n[[agent]]\nname = "a"\nenv = { C = "a" }\n`, {}, { env: { A: "d", B: "b", C: "a" } }],
    ["env overrides ignored without envOverrides", `${BASE}model = "m"\n[[agent]]\nname = "a"\n`, { env: { AGENT_MODEL_a: "x", AGENT_BACKEND_a: "claude" } }, { model: "m", backendName: "demo" }],
    ["env overrides applied with envOverrides", `${BASE}model = "m"\n[[agent]]\nname = "a"\n`, { env: { AGENT_MODEL_a: "x", AGENT_BACKEND_a: "claude" }, envOverrides: true }, { model: "x", backendName: "claude" }],
    ["an empty env override changes nothing", `${BASE}model = "m"\n[[agent]]\nname = "a"\n`, { env: { AGENT_MODEL_a: "", AGENT_BACKEND_a: "" }, envOverrides: true }, { model: "m", backendName: "demo" }],
  ])("%s", (_why, toml, opts, want) => {
    const r = resolve(toml, opts);
    expect(r.errors).toEqual([]);
    expect(r.fleet.agents[0]).toMatchObject(want);
  });
});

describe("resolve: backends", () => {
  test.each<[string, string, string, Record<string, unknown>]>([
    ["a preset as is", BASE, "claude", { ...PRESETS.claude, name: "claude", preset: "claude" }],
    ["a table over its preset of the same name", `${BASE}[backend.codex]\nstall_idle = 9\n`, "codex", { bin: "codex", stall_idle: 9, preset: "codex" }],
    ["preset = NAME under another name", `${BASE}[backend.cw]\npreset = "claude"\nflags = "-x"\n`, "cw", { bin: "claude", flags: "-x", name: "cw", preset: "claude" }],
    ["a custom table: the schema's defaults", `${BASE}[backend.mine]\nbin = "mine"\n`, "mine", { ...BACKEND_DEFAULTS, bin: "mine", env: {}, shell_commands: [] }],
    ["a custom table with a process_name keeps the shell check", `${BASE}[backend.mine]\nbin = "mine"\nprocess_name = "mine"\n`, "mine", { process_name: "mine" }],
  ])("%s", (_why, toml, name, want) => {
    const r = resolve(toml);
    expect(r.errors).toEqual([]);
    expect(r.fleet.backends[name]).toMatchObject(want);
  });

  test("a custom table without a preset has no preset, and a named process leaves shell_commands unset", () => {
    const b = resolve(`${BASE}[backend.mine]\nbin = "mine"\nprocess_name = "mine"\n`).fleet.backends.mine!;
    expect(b.preset).toBeUndefined();
    expect(b.shell_commands).toBeUndefined();
  });
});

describe("resolve: error lines", () => {
  test.each<[string, string, Partial<ResolveOptions>, string[]]>([
    ["no backend anywhere", `[defaults]\nsession_prefix = "t-"\nlog_dir = ".s"\n[[agent]]\nname = "a"\n`, {}, ["agent[0](a).backend: is required (set it on the agent or in [defaults])"]],
    ["unknown backend inherited: once, at defaults.backend", `${BASE.replace('"demo"', '"nope"')}[[agent]]\nname = "a"\n[[agent]]\nname = "b"\n`, {}, [`defaults.backend: unknown backend "nope" (known: ${Object.keys(PRESETS).join(", ")})`]],
    ["unknown backend from the env names the variable", `${BASE}[[agent]]\nname = "a"\n`, { env: { AGENT_BACKEND_a: "nope" }, envOverrides: true }, [`agent[0](a).backend: unknown backend "nope" from env AGENT_BACKEND_a (known: ${Object.keys(PRESETS).join(", ")})`]],
    ["unknown preset", `${BASE}[backend.x]\npreset = "nope"\n`, {}, [`backend.x.preset: unknown preset "nope" (built-in: ${Object.keys(PRESETS).join(", ")})`]],
    ["a used backend without bin", `${BASE}[backend.x]\nflags = "-v"\n[[agent]]\nname = "a"\nbackend = "x"\n`, {}, ["backend.x.bin: is required (the command that starts the agent)"]],
    ["duplicate agent", `${BASE}[[agent]]\nname = "a"\n[[agent]]\nname = "a"\n`, {}, ['agent[1](a).name: duplicate agent name "a"']],
    ["reserved name", `${BASE}[[agent]]\nname = "watchdog"\n`, {}, ['agent[0](watchdog).name: "watchdog" is reserved for the watchdog session']],
    ["session clash", `${BASE}[[agent]]\nname = "a"\n[[agent]]\nname = "b"\nsession = "t-a"\n`, {}, ['agent[1](b).session: tmux session "t-a" is already used by agent "a"']],
    ["service shares an agent's name", `${BASE}[[agent]]\nname = "a"\n[[service]]\nname = "a"\ncommand = "true"\n`, {}, ['service[0](a).name: duplicate name "a" (agents and services share names)']],
    ["loop agent without role", `${BASE}[[agent]]\nname = "a"\nkind = "loop"\n`, {}, ["agent[0](a).role: is required for a loop agent (it names prompts/<role>.md)"]],
    ["bad cron", `${BASE}[[agent]]\nname = "a"\nwake = { cron = "every day", prompt_file = "w.md" }\n`, {}, ['agent[0](a).wake.cron: invalid cron expression "every day"']],
  ])("%s", (_why, toml, opts, lines) => {
    expect(resolve(toml, opts).errors).toEqual(lines.map((l) => `${FILE}: ${l}`));
  });
});

describe("resolve: what the disk must confirm", () => {
  test("every named path, its key and what it must be; nothing is read", () => {
    const r = resolve(`${BASE}dir = "shared"
[loop]
kickoff_template = "k.md"
roles_dir = "roles"
[[agent]]
name = "a"
kind = "loop"
role = "builder"
prompt_file = "p.md"
wake = { prompt_file = "w.md" }
[[agent]]
name = "b"
dir = "own"
[[service]]
name = "s"
command = "true"
dir = "site"
`);
    expect(r.errors).toEqual([]);
    expect(r.checks).toEqual([
      { key: "defaults.log_dir", path: "/nowhere/proj/.state", want: "dir", writesInside: true },
      { key: "defaults.dir", path: "/nowhere/proj/shared", want: "dir" },
      { key: "agent[0](a).prompt_file", path: "/nowhere/proj/p.md", want: "file" },
      { key: "agent[0](a).role", path: "/nowhere/proj/roles/builder.md", want: "file", missing: "role prompt not found" },
      { key: "agent[0](a).wake.prompt_file", path: "/nowhere/proj/w.md", want: "file" },
      { key: "agent[1](b).dir", path: "/nowhere/proj/own", want: "dir" },
      { key: "service[0](s).dir", path: "/nowhere/proj/site", want: "dir" },
      { key: "loop.kickoff_template", path: "/nowhere/proj/k.md", want: "file" },
    ]);
  });

  test("the fleet is pure config: no state paths, AGENTS_TMUX_SOCKET from the given env only", () => {
    const f = resolve(`${BASE}tmux_socket = "file"\n`, { env: { AGENTS_TMUX_SOCKET: "env" } }).fleet;
    expect(f).not.toHaveProperty("stateDir");
    expect(f).toMatchObject({ logDir: "/nowhere/proj/.state", projectDir: "/nowhere/proj", watchdogSession: "t-watchdog", tmuxSocket: "env" });
    expect(resolve(`${BASE}tmux_socket = "file"\n`).fleet.tmuxSocket).toBe("file");
  });
});
