// buildLaunch: the command line (and env) per prompt delivery. Where the command is meant for a
// shell, it is run through sh with a stand-in binary that prints its argv, so the test checks
// the words the agent would really receive, not a string that merely looks right.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { bareCommand, buildLaunch, execIfSimple, kickoffPointer } from "../../src/fleet/command.js";
import { PRESETS } from "../../src/config/presets.js";
import type { Agent } from "../../src/config/load.js";
import { MINIMAL, project } from "../helpers/project.js";

/** Prints every argument as <arg> on its own line. */
const ARGV_PROBE = `printf '<%s>\\n'`;

function argvOf(command: string, cwd: string): string[] {
  const r = spawnSync("sh", ["-c", command], { cwd, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return [...r.stdout.matchAll(/<([\s\S]*?)>\n/g)].map((m) => m[1]!);
}

/** What every session's environment carries besides the agent's env (agent "a", prefix "t-"). */
const slotEnv = (kickoff: string, model: string) => ({ AGENT_SESSION: "t-a", AGENT_MODEL: model, AGENT_KICKOFF: kickoff });

const KICKOFF_TEXT = `Build phase "P1" — it's $(touch PWNED) and \`touch PWNED\`; $HOME stays.\nSecond line.`;

function fleetWith(backendToml: string, agentToml = "") {
  const p = project(`${MINIMAL}${backendToml}\n[[agent]]\nname = "a"\nbackend = "x"\n${agentToml}`);
  const kickoffFile = p.write(".state/state/kickoff-t-a.txt", KICKOFF_TEXT + "\n");
  const agent: Agent = p.load().agents[0]!;
  return { p, agent, kickoffFile };
}

describe("prompt_delivery = arg", () => {
  test("claude-style: resume id, remote-control, model, flags, then the kickoff as one argument", () => {
    const { p, agent, kickoffFile } = fleetWith(
      `[backend.x]\npreset = "claude"\nbin = "${ARGV_PROBE}"\nflags = "--verbose --permission-mode plan"\nremote_control = true\n`,
      "resume = true\n",
    );
    const plan = buildLaunch(agent, { kickoffFile, model: "opus 4", resumeId: "abc-123" });
    expect(plan.ping).toBeUndefined();
    expect(argvOf(plan.command, p.dir)).toEqual([
      "--resume",
      "abc-123",
      "--remote-control",
      "t-a",
      "--model",
      "opus 4",
      "--verbose",
      "--permission-mode",
      "plan",
      KICKOFF_TEXT,
    ]);
    expect(readdirSync(p.dir)).not.toContain("PWNED");
  });

  test("the exact command text for the claude preset", () => {
    const { agent, kickoffFile } = fleetWith(`[backend.x]\npreset = "claude"\nremote_control = true\n`, "resume = true\n");
    expect(buildLaunch(agent, { kickoffFile, model: "opus", resumeId: "r1" }).command).toBe(
      `exec claude --resume r1 --remote-control t-a --model opus "$(cat ${kickoffFile})"`,
    );
  });

  test("no model, no resume id, remote control off: only the kickoff", () => {
    const { p, agent, kickoffFile } = fleetWith(`[backend.x]\npreset = "claude"\nbin = "${ARGV_PROBE}"\n`, "resume = true\n");
    expect(argvOf(buildLaunch(agent, { kickoffFile, model: "" }).command, p.dir)).toEqual([KICKOFF_TEXT]);
  });

  test("a resume id is used only when the agent asks for resume and the backend supports it", () => {
    const noResume = fleetWith(`[backend.x]\npreset = "claude"\nbin = "${ARGV_PROBE}"\n`);
    expect(argvOf(buildLaunch(noResume.agent, { kickoffFile: noResume.kickoffFile, model: "", resumeId: "r1" }).command, noResume.p.dir)).toEqual([
      KICKOFF_TEXT,
    ]);
    const unsupported = fleetWith(`[backend.x]\npreset = "gemini"\nbin = "${ARGV_PROBE}"\nprompt_arg = "{prompt}"\n`, "resume = true\n");
    expect(
      argvOf(buildLaunch(unsupported.agent, { kickoffFile: unsupported.kickoffFile, model: "", resumeId: "r1" }).command, unsupported.p.dir),
    ).toEqual([KICKOFF_TEXT]);
  });

  test("the reference's default templates (quoted inside the template) keep hostile values whole", () => {
    const { p, agent, kickoffFile } = fleetWith(
      `[backend.x]\nbin = "${ARGV_PROBE}"\nsupports_resume = true\nremote_control = true\n`,
      `resume = true\nsession = "t-a"\n`,
    );
    const plan = buildLaunch(agent, { kickoffFile, model: "m'; touch PWNED; '", resumeId: "id with space" });
    expect(plan.command).toContain("--model '");
    expect(argvOf(plan.command, p.dir)).toEqual([
      "--resume",
      "id with space",
      "--remote-control",
      "t-a",
      "--model",
      "m'; touch PWNED; '",
      KICKOFF_TEXT,
    ]);
    expect(readdirSync(p.dir)).not.toContain("PWNED");
  });

  test.each([
    ["opencode", ["--model", "m1", "--prompt", KICKOFF_TEXT]],
    ["gemini", ["--model", "m1", "--prompt-interactive", KICKOFF_TEXT]],
    // --no-daemon: no shared app-server outlives the agent's session.
    ["codex", ["--model", "m1", "--no-daemon", KICKOFF_TEXT]],
    ["demo", ["--model", "m1", KICKOFF_TEXT]],
  ])("preset %s passes the kickoff the way its CLI expects", (preset, expected) => {
    const { p, agent, kickoffFile } = fleetWith(`[backend.x]\npreset = "${preset}"\nbin = "${ARGV_PROBE}"\n`);
    expect(argvOf(buildLaunch(agent, { kickoffFile, model: "m1" }).command, p.dir)).toEqual(expected);
  });

  test("one simple command is exec'd (the CLI, not sh, is the pane's process); a list runs as written", () => {
    expect(execIfSimple("claude --model x")).toBe("exec claude --model x");
    expect(execIfSimple("exec claude")).toBe("exec claude");
    for (const list of ["source venv/bin/activate && claude", "a; b", "a | b", "a &"]) expect(execIfSimple(list)).toBe(list);
  });

  test("an agent's own PATH is set in the command line (tmux starts it with the client's PATH)", () => {
    const { agent, kickoffFile } = fleetWith(`[backend.x]\npreset = "demo"\n`, 'env = { PATH = "/opt/my tools/bin:/usr/bin" }\n');
    expect(buildLaunch(agent, { kickoffFile, model: "" }).command).toMatch(/^export PATH='\/opt\/my tools\/bin:\/usr\/bin'; exec /);
  });

  test("the demo preset's command starts the shipped demo agent", () => {
    const { agent, kickoffFile } = fleetWith(`[backend.x]\npreset = "demo"\n`);
    const cmd = buildLaunch(agent, { kickoffFile, model: "demo-model-1" }).command;
    expect(cmd).toBe(`exec ${PRESETS.demo!.bin} --model demo-model-1 "$(cat ${kickoffFile})"`);
    expect(cmd).toMatch(/demo\/agent\.sh/);
  });

  test("the env is the agent's merged env plus AGENT_SESSION/MODEL/KICKOFF; arg delivery adds no model env", () => {
    const { agent, kickoffFile } = fleetWith(`[backend.x]\npreset = "claude"\nmodel_env = "ANTHROPIC_MODEL"\nenv = { K = "v" }\n`);
    expect(buildLaunch(agent, { kickoffFile, model: "m1" }).env).toEqual({ K: "v", ...slotEnv(kickoffFile, "m1") });
  });
});

describe("prompt_delivery = ping", () => {
  test("starts the attach command, then types a pointer to the kickoff file after connect_delay", () => {
    const { agent, kickoffFile } = fleetWith(
      `[backend.x]\nbin = "opencode"\nprompt_delivery = "ping"\nattach = "{bin} attach {server} --dir {dir}"\nserver = "http://127.0.0.1:4096"\nconnect_delay = 3\nsubmit_key = "C-m"\npreamble = "export TERM=xterm-256color"\n`,
    );
    const plan = buildLaunch(agent, { kickoffFile, model: "m1" });
    expect(plan.command).toBe(`export TERM=xterm-256color; exec opencode attach http://127.0.0.1:4096 --dir ${agent.dir}`);
    expect(plan.ping).toEqual({ text: kickoffPointer(kickoffFile), delayMs: 3000, submitKey: "C-m" });
    expect(plan.ping!.text).toContain(kickoffFile);
  });

  test("a dir with spaces stays one word in the attach command", () => {
    const p = project(`${MINIMAL}[backend.x]\nbin = "${ARGV_PROBE}"\nprompt_delivery = "ping"\nattach = "{bin} --dir {dir}"\n[[agent]]\nname = "a"\nbackend = "x"\ndir = "my work dir"\n`);
    const agent = p.load().agents[0]!;
    const plan = buildLaunch(agent, { kickoffFile: "/k", model: "" });
    expect(argvOf(plan.command, p.dir)).toEqual(["--dir", path.join(p.dir, "my work dir")]);
  });

  test("default attach is the bare bin, no preamble", () => {
    const { agent, kickoffFile } = fleetWith(`[backend.x]\nbin = "my-tui --flag"\nprompt_delivery = "ping"\n`);
    const plan = buildLaunch(agent, { kickoffFile, model: "" });
    expect(plan.command).toBe("exec my-tui --flag");
    expect(plan.ping!.delayMs).toBe(12_000);
    expect(plan.ping!.submitKey).toBe("Enter");
  });

  test("model_env = true sets opencode's inline config; a string names the variable; no model, no env", () => {
    const inline = fleetWith(`[backend.x]\nbin = "t"\nprompt_delivery = "ping"\nmodel_env = true\n`);
    expect(buildLaunch(inline.agent, { kickoffFile: inline.kickoffFile, model: "anthropic/x" }).env).toEqual({
      OPENCODE_CONFIG_CONTENT: JSON.stringify({ model: "anthropic/x" }),
      ...slotEnv(inline.kickoffFile, "anthropic/x"),
    });
    const named = fleetWith(`[backend.x]\nbin = "t"\nprompt_delivery = "ping"\nmodel_env = "MY_MODEL"\nenv = { K = "v" }\n`);
    const k = named.kickoffFile;
    expect(buildLaunch(named.agent, { kickoffFile: k, model: "m2" }).env).toEqual({ K: "v", MY_MODEL: "m2", ...slotEnv(k, "m2") });
    expect(buildLaunch(named.agent, { kickoffFile: k, model: "" }).env).toEqual({ K: "v", ...slotEnv(k, "") });
  });

  test("the pointer names the file and quotes it for the cat example", () => {
    expect(kickoffPointer("/state/kickoff x.txt")).toBe(
      "Read your kickoff instructions in the file /state/kickoff x.txt (for example with: cat '/state/kickoff x.txt') and then carry them out.",
    );
  });
});

describe("prompt_delivery = exec", () => {
  test("{kickoff}, {session} and {model} are filled and quoted", () => {
    const { p, agent, kickoffFile } = fleetWith(`[backend.x]\nbin = "${ARGV_PROBE} {session} {model} {kickoff}"\nprompt_delivery = "exec"\n`);
    const plan = buildLaunch(agent, { kickoffFile, model: "model with space" });
    expect(plan.ping).toBeUndefined();
    expect(argvOf(plan.command, p.dir)).toEqual(["t-a", "model with space", kickoffFile]);
  });

  test("the reference demo's fake backend prints its session, model and kickoff line count", () => {
    const { p, agent, kickoffFile } = fleetWith(
      `[backend.x]\nbin = "bash -c 'echo \\"[{session}] model={model} kickoff={kickoff} ($(wc -l < {kickoff}) lines)\\"'"\nprompt_delivery = "exec"\n`,
    );
    const plan = buildLaunch(agent, { kickoffFile, model: "fake-model-1" });
    const r = spawnSync("sh", ["-c", plan.command], { cwd: p.dir, encoding: "utf8", env: { ...process.env, ...plan.env } });
    expect(r.stdout).toBe(`[t-a] model=fake-model-1 kickoff=${kickoffFile} (2 lines)\n`);
    // The slots reach bash's script as variables, never as text bash would parse.
    expect(plan.command).toBe(`bash -c 'echo "[t-a] model=\${AGENT_MODEL} kickoff=\${AGENT_KICKOFF} ($(wc -l < "\${AGENT_KICKOFF}") lines)"'`);
  });

  test("a model that is code stays text inside a nested bash -c script (issue 10)", () => {
    const { p, agent, kickoffFile } = fleetWith(`[backend.x]\nbin = "bash -lc 'printf \\"<%s>\\" {model} \\"m={model}\\"'"\nprompt_delivery = "exec"\n`);
    const model = "$(touch PWNED)'; touch PWNED; '";
    const plan = buildLaunch(agent, { kickoffFile, model });
    const r = spawnSync("sh", ["-c", plan.command], { cwd: p.dir, encoding: "utf8", env: { ...process.env, ...plan.env } });
    expect(r.stdout).toBe(`<${model}><m=${model}>`);
    expect(readdirSync(p.dir)).not.toContain("PWNED");
  });

  test("flags, model_flag and resume are not added to an exec command", () => {
    const { agent, kickoffFile } = fleetWith(`[backend.x]\nbin = "run {kickoff}"\nprompt_delivery = "exec"\nflags = "--nope"\nsupports_resume = true\n`, "resume = true\n");
    expect(buildLaunch(agent, { kickoffFile, model: "m", resumeId: "r" }).command).toBe(`run ${kickoffFile}`);
  });

  test("exec carries the agent env", () => {
    const { agent, kickoffFile } = fleetWith(`[backend.x]\nbin = "run"\nprompt_delivery = "exec"\nenv = { A = "1" }\n`, `env = { B = "2" }\n`);
    expect(buildLaunch(agent, { kickoffFile, model: "" }).env).toEqual({ A: "1", B: "2", ...slotEnv(kickoffFile, "") });
  });
});

describe("bareCommand", () => {
  test("drops the PATH export and exec buildLaunch adds for tmux, for callers with their own wrapper", () => {
    expect(bareCommand("exec claude --x")).toBe("claude --x");
    expect(bareCommand("export PATH='/a b:/c'; exec claude --x")).toBe("claude --x");
    expect(bareCommand("export PATH=/a:/c; exec claude")).toBe("claude");
    expect(bareCommand("source v && claude")).toBe("source v && claude");
  });
});
