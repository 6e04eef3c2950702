// Path resolution, [defaults] inheritance, preset merging and one-off env overrides.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { PRESETS } from "../../src/config/presets.js";
import { loadConfig, resolvePath } from "../../src/config/load.js";
import { MINIMAL, project } from "../helpers/project.js";
import { ROOT, copyDemoFleet } from "../helpers/tmux.js";
import { tempDir } from "../helpers/tmp.js";

describe("path resolution", () => {
  test("relative paths resolve against the config file's folder, not the cwd", () => {
    const p = project(
      `${MINIMAL}
[[agent]]
name = "a"
dir = "work/a"
prompt_file = "prompts/a.md"
[[service]]
name = "web"
command = "true"
dir = "site"
`,
      { "sub/prompts/a.md": "hi\n" },
      "sub/agents.toml",
    );
    const sub = path.join(p.dir, "sub");
    expect(process.cwd()).not.toBe(sub);
    const f = p.load();
    expect(f.configPath).toBe(p.file);
    expect(f.projectDir).toBe(sub);
    expect(f.logDir).toBe(path.join(sub, ".state"));
    expect(f.agents[0]!.dir).toBe(path.join(sub, "work/a"));
    expect(f.agents[0]!.promptFile).toBe(path.join(sub, "prompts/a.md"));
    expect(f.services[0]!.dir).toBe(path.join(sub, "site"));
  });

  test("defaults.project_dir (relative to the config's folder) moves every project path", () => {
    const p = project(
      `[defaults]
session_prefix = "t-"
log_dir = "logs"
backend = "demo"
project_dir = "../proj"

[loop]
kickoff_template = "prompts/kickoff.md"
phases = [{ id = "P1", plan = "plans/P1.md", status = "status/P1.md" }]

[[agent]]
name = "b"
kind = "loop"
role = "builder"
`,
      { "proj/prompts/builder.md": "build\n", "proj/prompts/kickoff.md": "kick\n" },
      "cfg/agents.toml",
    );
    const f = p.load();
    const proj = path.join(p.dir, "proj");
    expect(f.projectDir).toBe(proj);
    expect(f.logDir).toBe(path.join(proj, "logs"));

    expect(f.agents[0]!.dir).toBe(proj);
  });

  test("an absolute project_dir and absolute paths stand as written", () => {
    const elsewhere = project(`${MINIMAL}`, { "prompts/x.md": "x\n" });
    const p = project(`[defaults]
session_prefix = "t-"
log_dir = "${elsewhere.dir}/abs-logs"
backend = "demo"
project_dir = "${elsewhere.dir}"

[[agent]]
name = "a"
prompt_file = "prompts/x.md"
`);
    const f = p.load();
    expect(f.projectDir).toBe(elsewhere.dir);
    expect(f.logDir).toBe(`${elsewhere.dir}/abs-logs`);
    expect(f.agents[0]!.promptFile).toBe(`${elsewhere.dir}/prompts/x.md`);
  });

  test("~ expands to the home directory", () => {
    const p = project(`[defaults]
session_prefix = "t-"
log_dir = "~/.agents-test-logs"
backend = "demo"

[[agent]]
name = "a"
dir = "~"
`);
    const f = p.load();
    expect(f.logDir).toBe(path.join(os.homedir(), ".agents-test-logs"));
    expect(f.agents[0]!.dir).toBe(os.homedir());
    expect(resolvePath("/base", "~/x/y")).toBe(path.join(os.homedir(), "x/y"));
    // Only a leading "~/" is the home dir; "~user"-less tildes elsewhere are plain names.
    expect(resolvePath("/base", "a/~/b")).toBe("/base/a/~/b");
  });
});

describe("[defaults] merged into agents", () => {
  const toml = `[defaults]
session_prefix = "t-"
log_dir = ".state"
backend = "demo"
model = "m-default"
watch = "heal"
dir = "shared"
enabled = false
resume = true
env = { A = "from-defaults", B = "from-defaults", C = "from-defaults" }

[backend.demo]
env = { B = "from-backend", C = "from-backend" }

[[agent]]
name = "inherits"

[[agent]]
name = "overrides"
model = "m-own"
watch = "heal+stall"
dir = "own"
enabled = true
resume = false
env = { C = "from-agent", N = 3 }
`;

  test("an agent without a key takes the [defaults] value", () => {
    const p = project(toml);
    const a = p.load().agents[0]!;
    expect(a).toMatchObject({ backendName: "demo", model: "m-default", watch: "heal", enabled: false, resume: true });
    expect(a.dir).toBe(path.join(p.dir, "shared"));
  });

  test("an agent's own key wins over [defaults]", () => {
    const p = project(toml);
    const a = p.load().agents[1]!;
    expect(a).toMatchObject({ model: "m-own", watch: "heal+stall", enabled: true, resume: false });
    expect(a.dir).toBe(path.join(p.dir, "own"));
  });

  test("env tables merge defaults < backend < agent, values stringified", () => {
    const [inh, own] = project(toml).load().agents;
    expect(inh!.env).toEqual({ A: "from-defaults", B: "from-backend", C: "from-backend" });
    expect(own!.env).toEqual({ A: "from-defaults", B: "from-backend", C: "from-agent", N: "3" });
  });

  test("services take [defaults].env but not an agent's dir", () => {
    const p = project(`${toml}\n[[service]]\nname = "svc"\ncommand = "true"\n`);
    const s = p.load().services[0]!;
    expect(s.env).toEqual({ A: "from-defaults", B: "from-defaults", C: "from-defaults" });
    expect(s.dir).toBe(p.dir);
  });
});

describe("presets under [backend.X] tables", () => {
  test("a [backend.<preset>] table overrides only the fields it sets", () => {
    const p = project(`${MINIMAL}
[backend.demo]
stall_idle = 77
flags = "--fast"

[[agent]]
name = "a"
`);
    const b = p.load().backends.demo!;
    expect(b.stall_idle).toBe(77);
    expect(b.flags).toBe("--fast");
    expect(b.bin).toBe(PRESETS.demo!.bin);
    expect(b.active_re).toBe(PRESETS.demo!.active_re);
    expect(b.model_flag).toBe(PRESETS.demo!.model_flag);
    expect(b.connect_delay).toBe(PRESETS.demo!.connect_delay);
  });

  test("preset = NAME starts a custom-named backend from a built-in one", () => {
    const p = project(`${MINIMAL}
[backend.claude-work]
preset = "claude"
flags = "--dangerously-skip-permissions"
env = { CLAUDE_CONFIG_DIR = "/tmp/cfg-work" }

[[agent]]
name = "a"
backend = "claude-work"
`);
    const f = p.load();
    const b = f.backends["claude-work"]!;
    expect(b.name).toBe("claude-work");
    expect(b.bin).toBe("claude");
    expect(b.process_name).toBe(PRESETS.claude!.process_name);
    expect(b.supports_resume).toBe(true);
    expect(b.flags).toBe("--dangerously-skip-permissions");
    expect(f.agents[0]!.env).toEqual({ CLAUDE_CONFIG_DIR: "/tmp/cfg-work" });
    expect(f.declaredBackends).toContain("claude-work");
  });

  test("a table with a preset's name but no bin still has the preset's bin", () => {
    const p = project(`${MINIMAL}\n[backend.codex]\nstall_idle = 400\n[[agent]]\nname = "a"\nbackend = "codex"\n`);
    expect(p.load().backends.codex).toMatchObject({ bin: "codex", stall_idle: 400, resume_flag: PRESETS.codex!.resume_flag });
  });

  test("the reference's exec backend loads as written", () => {
    const p = project(`${MINIMAL}
[backend.fake]
bin = "bash -c 'echo {session} {model} {kickoff}'"
prompt_delivery = "exec"
active_re = "working\\\\.\\\\.\\\\."
stall_idle = 60

[[agent]]
name = "a"
backend = "fake"
`);
    const b = p.load().backends.fake!;
    expect(b).toMatchObject({ prompt_delivery: "exec", active_re: "working\\.\\.\\.", stall_idle: 60 });
    expect(b.bin).toBe("bash -c 'echo {session} {model} {kickoff}'");
  });
});

describe("env overrides AGENT_MODEL_<name> / AGENT_BACKEND_<name>", () => {
  const toml = `${MINIMAL}
model = "m1"

[[agent]]
name = "builder"

[[agent]]
name = "other"
`;
  const env = { AGENT_MODEL_builder: "m-env", AGENT_BACKEND_builder: "claude" };

  test("ignored unless envOverrides is set (the watchdog re-reads the file only)", () => {
    const a = project(toml).load({ env }).agents[0]!;
    expect(a.model).toBe("m1");
    expect(a.backendName).toBe("demo");
  });

  test("applied with envOverrides: true, to the named agent only", () => {
    const [b, o] = project(toml).load({ env, envOverrides: true }).agents;
    expect(b!.model).toBe("m-env");
    expect(b!.backendName).toBe("claude");
    expect(b!.backend.bin).toBe("claude");
    expect(o!.model).toBe("m1");
    expect(o!.backendName).toBe("demo");
  });

  test("an empty override changes nothing", () => {
    const a = project(toml).load({ env: { AGENT_MODEL_builder: "", AGENT_BACKEND_builder: "" }, envOverrides: true }).agents[0]!;
    expect(a.model).toBe("m1");
    expect(a.backendName).toBe("demo");
  });

  test("an unknown backend from the env is an error that names the variable", () => {
    const p = project(toml);
    expect(p.errors({ env: { AGENT_BACKEND_builder: "nope" }, envOverrides: true })).toEqual([
      `${p.file}: agent[0](builder).backend: unknown backend "nope" from env AGENT_BACKEND_builder (known: demo, claude, codex, opencode, gemini)`,
    ]);
  });

  test("AGENTS_TMUX_SOCKET wins over defaults.tmux_socket", () => {
    const p = project(`${toml}\n`.replace('model = "m1"', 'model = "m1"\ntmux_socket = "from-file"'));
    expect(p.load().tmuxSocket).toBe("from-file");
    expect(p.load({ env: { AGENTS_TMUX_SOCKET: "from-env" } }).tmuxSocket).toBe("from-env");
  });
});

describe("the configs we ship or promise to read still load (issue 10's stricter checks)", () => {
  test("agents.example.toml with its examples/ and prompts/", () => {
    const { config } = copyDemoFleet();
    expect(loadConfig(config, { env: {} }).agents.map((a) => a.name)).toEqual(["builder", "adversary", "supervisor"]);
  });

  test("demo/fleet.toml (npm run demo's fleet): its own tmux server, everything under log_dir", () => {
    const f = loadConfig(path.join(ROOT, "demo/fleet.toml"), { env: {} });
    expect(f.projectDir).toBe(path.resolve(ROOT));
    expect(f.tmuxSocket).toBe("agents-demo");
    expect(f.agents.map((a) => a.name)).toEqual(["builder", "adversary", "supervisor"]);
    expect(f.notify?.command).toMatch(/^node scripts\/narrate\.mjs \.agents-state\/demo\//);
    for (const p of f.loop.phases) expect(path.resolve(f.projectDir, p.status).startsWith(f.logDir + path.sep)).toBe(true);
  });

  test("the agents init scaffold", () => {
    const dir = tempDir("init-cfg");
    cpSync(path.join(ROOT, "templates/init"), dir, { recursive: true });
    cpSync(path.join(ROOT, "prompts"), path.join(dir, "prompts"), { recursive: true });
    writeFileSync(path.join(dir, "agents.toml"), readFileSync(path.join(dir, "agents.toml"), "utf8").replaceAll("{prefix}", "p"));
    expect(() => loadConfig(path.join(dir, "agents.toml"), { env: {} })).not.toThrow();
  });

  const reference = [path.resolve(ROOT, "../shared/reference"), "/work/shared/reference"].find((d) => existsSync(path.join(d, "demo.toml")));
  test.skipIf(!reference)("the reference's demo.toml (skipped where the reference is absent)", () => {
    const dir = tempDir("ref-cfg");
    for (const f of ["demo.toml", "prompts", "plans", "status"]) cpSync(path.join(reference!, f), path.join(dir, f), { recursive: true });
    const f = loadConfig(path.join(dir, "demo.toml"), { env: {} });
    expect(f.backends.fake!.prompt_delivery).toBe("exec");
  });
});
