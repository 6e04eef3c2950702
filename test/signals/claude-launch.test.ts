// The launch side of the Claude tap: the arguments and settings (pure), the recorded commands run
// by /bin/sh on real payloads exactly as Claude runs them, the user's statusLine found and chained,
// and claudeTap's reads and writes (session id stored and resumed, nothing written to the user's files).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfigText, type Fleet } from "../../src/config/load.js";
import { markerCommand, recordCommand, statusLineCommand, tapSettings, MARKED_EVENTS, RECORDED_EVENTS } from "../../src/signals/claude/hooks.js";
import { claudeTap, planClaudeTap } from "../../src/signals/claude/launch.js";
import { readClaudeSignals } from "../../src/signals/claude/read.js";
import { findUserStatusLine } from "../../src/signals/claude/user-settings.js";
import { readSessionId } from "../../src/state/session-id.js";
import { fifo, timed } from "../helpers/fifo.js";
import { tempDir } from "../helpers/tmp.js";
import { phaseLines } from "./claude-fixtures.js";

/** Run a hook command the way Claude Code 2.1.330 does: /bin/sh -c, the payload on stdin. */
function runHook(command: string, stdin: string) {
  const r = spawnSync("/bin/sh", ["-c", command], { input: stdin, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const stopPayload = phaseLines("prompt-reply")[2]! + "\n"; // hook payloads end with a newline
const statusPayload = phaseLines("prompt-reply").at(-2)!; // statusLine JSON does not
const userStatus = `sed -n 's/.*"version":"\\([^"]*\\)".*/USER v\\1/p'`;

describe("the recorded commands, run by sh on real payloads", () => {
  let dir: string;
  // A path that needs quoting: spaces, a quote, a dollar.
  let file: string;
  beforeEach(() => {
    dir = tempDir("claude-hooks");
    file = path.join(dir, "it's a $dir", "signals.jsonl");
    mkdirSync(path.dirname(file));
  });

  it("a hook appends its payload as one line, prints nothing, exits 0", () => {
    expect(runHook(recordCommand(file), stopPayload)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(file, "utf8")).toBe(stopPayload + "\n");
    expect(readClaudeSignals(file).reading.state).toBe("idle");
  });

  it("a tool hook drains a large payload and appends only its marker", () => {
    const big = JSON.stringify({ hook_event_name: "PostToolUse", tool_response: "x".repeat(300_000) });
    expect(runHook(markerCommand(file, "PostToolUse"), big)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(file, "utf8")).toBe('{"hook_event_name":"PostToolUse"}\n');
    expect(readClaudeSignals(file).reading.state).toBe("working");
  });

  it("an unwritable signal file never blocks Claude: exit 0, no output (exit 2 would block a prompt)", () => {
    const gone = path.join(dir, "deleted-log-dir", "state", "s.jsonl");
    for (const cmd of [recordCommand(gone), markerCommand(gone, "PreToolUse"), statusLineCommand(gone)]) {
      expect(runHook(cmd, stopPayload)).toEqual({ code: 0, stdout: "", stderr: "" });
    }
    // The chained statusLine still shows the user's line.
    expect(runHook(statusLineCommand(gone, userStatus), statusPayload).stdout).toBe("USER v2.1.330");
  });

  it("a FIFO where the signal file should be is skipped at once: Claude waits for these hooks", () => {
    const pipe = fifo(path.join(dir, "pipe.jsonl"), "write");
    for (const cmd of [recordCommand(pipe), markerCommand(pipe, "PreToolUse"), statusLineCommand(pipe)]) {
      const { value, ms } = timed(() => runHook(cmd, stopPayload));
      expect(ms).toBeLessThan(1000);
      expect(value).toEqual({ code: 0, stdout: "", stderr: "" });
    }
    const { value, ms } = timed(() => runHook(statusLineCommand(pipe, userStatus), statusPayload));
    expect(ms).toBeLessThan(1000);
    expect(value.stdout).toBe("USER v2.1.330");
  });

  it("the statusLine records the JSON and hands the very same JSON to the user's command", () => {
    const seen = path.join(dir, "seen.json");
    const user = `# the user's own script, with a comment and 'quotes'\ncat > '${seen}'\necho "it's mine"`;
    const r = runHook(statusLineCommand(file, user), statusPayload);
    expect(r).toEqual({ code: 0, stdout: "it's mine\n", stderr: "" });
    expect(readFileSync(seen, "utf8")).toBe(statusPayload);
    expect(readFileSync(file, "utf8")).toBe(statusPayload + "\n");
    expect(readClaudeSignals(file).reading.rateLimits?.[0]).toMatchObject({ name: "five_hour", usedPct: 42 });
  });

  it("the user's exit code is the statusLine's; without a user command nothing is printed", () => {
    expect(runHook(statusLineCommand(file, "echo partial; exit 3"), statusPayload)).toMatchObject({ code: 3, stdout: "partial\n" });
    expect(runHook(statusLineCommand(file), statusPayload)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(file, "utf8")).toBe(`${statusPayload}\n${statusPayload}\n`);
  });
});

describe("planClaudeTap (pure)", () => {
  const base = { signalFile: "/l/state/a.claude-signals.jsonl", settingsFile: "/l/state/a b.json", newId: "11111111-2222-3333-4444-555555555555" };

  it("a new conversation: --session-id with the new id, our settings file", () => {
    expect(planClaudeTap(base)).toMatchObject({
      args: ["--session-id", base.newId, "--settings", "'/l/state/a b.json'"],
      sessionId: base.newId,
      resumed: false,
    });
  });

  it("a resumable one: --resume only (--session-id of an existing conversation is refused)", () => {
    const p = planClaudeTap({ ...base, resumableId: "99999999-2222-3333-4444-555555555555" });
    expect(p.args.slice(0, 2)).toEqual(["--resume", "99999999-2222-3333-4444-555555555555"]);
    expect(p.args).not.toContain("--session-id");
    expect(p).toMatchObject({ sessionId: "99999999-2222-3333-4444-555555555555", resumed: true });
  });

  it("every event recorded, tool events as markers for all tools, the user's statusLine options kept", () => {
    const s = tapSettings(base.signalFile, { type: "command", command: userStatus, padding: 2, refreshInterval: 5 });
    expect(Object.keys(s.hooks).sort()).toEqual([...RECORDED_EVENTS, ...MARKED_EVENTS].sort());
    expect(s.hooks.Stop).toEqual([{ hooks: [{ type: "command", command: recordCommand(base.signalFile) }] }]);
    expect(s.hooks.PreToolUse![0]!.matcher).toBe("*");
    expect(s.statusLine).toEqual({ type: "command", command: statusLineCommand(base.signalFile, userStatus), padding: 2, refreshInterval: 5 });
    expect(tapSettings(base.signalFile).statusLine).toEqual({ type: "command", command: recordCommand(base.signalFile) });
  });
});

describe("claudeTap", () => {
  let root: string;
  let home: string;
  let project: string;
  let fleet: Fleet;
  const saved = process.env.CLAUDE_CONFIG_DIR;
  let n = 0;
  const ids = () => `00000000-0000-4000-8000-00000000000${++n}`;

  const load = (extra = "", env = `HOME = ${JSON.stringify(home)}`) =>
    loadConfigText(
      path.join(project, "agents.toml"),
      `[defaults]\nsession_prefix = "t-"\nlog_dir = ${JSON.stringify(path.join(root, "logs"))}\n` +
        `[[agent]]\nname = "c"\nbackend = "claude"\ndir = ${JSON.stringify(project)}\nenv = { ${env} }\n${extra}`,
    );

  beforeEach(() => {
    delete process.env.CLAUDE_CONFIG_DIR;
    root = tempDir("claude-tap");
    home = path.join(root, "home");
    project = path.join(root, "project");
    mkdirSync(path.join(home, ".claude"), { recursive: true });
    mkdirSync(project);
    fleet = load("resume = true");
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CLAUDE_CONFIG_DIR;
    else process.env.CLAUDE_CONFIG_DIR = saved;
  });

  it("first launch: a new id stored, our settings written, nothing else", () => {
    const tap = claudeTap(fleet.agents[0]!, { fleet, newId: ids });
    expect(tap).toMatchObject({ resumed: false, sessionId: "00000000-0000-4000-8000-000000000001", env: {} });
    expect(tap.problem).toBeUndefined();
    expect(tap.args).toEqual(["--session-id", tap.sessionId, "--settings", tap.settingsFile]);
    expect(readSessionId(fleet, "c")).toBe(tap.sessionId);
    expect(JSON.parse(readFileSync(tap.settingsFile!, "utf8"))).toEqual(tapSettings(tap.signalFile));
    expect(tap.signalFile).toBe(path.join(root, "logs", "state", "c.claude-signals.jsonl"));
  });

  it("resume = true continues the stored conversation only once Claude has its transcript", () => {
    const agent = fleet.agents[0]!;
    const first = claudeTap(agent, { fleet, newId: ids });
    // No transcript yet (the CLI died before the first prompt): a fresh id, since --resume would exit 1.
    const second = claudeTap(agent, { fleet, newId: ids });
    expect(second.resumed).toBe(false);
    expect(second.sessionId).not.toBe(first.sessionId);
    const folder = path.join(home, ".claude", "projects", "-some-escaped-cwd");
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `${second.sessionId}.jsonl`), "");
    const third = claudeTap(agent, { fleet, newId: ids });
    expect(third).toMatchObject({ resumed: true, sessionId: second.sessionId });
    expect(third.args.slice(0, 2)).toEqual(["--resume", second.sessionId]);
    // resume = false (the agent's or the caller's) starts over even with a transcript.
    expect(claudeTap(agent, { fleet, newId: ids, resume: false }).resumed).toBe(false);
    expect(claudeTap(load().agents[0]!, { fleet, newId: ids }).resumed).toBe(false);
  });

  it("finds the user's statusLine read-only, project local file first, CLAUDE_CONFIG_DIR honoured", () => {
    const userFile = path.join(home, ".claude", "settings.json");
    writeFileSync(userFile, JSON.stringify({ statusLine: { type: "command", command: "echo user", padding: 1 } }));
    const before = statSync(userFile);
    let tap = claudeTap(fleet.agents[0]!, { fleet, newId: ids });
    expect(tap.userStatusLineFrom).toBe(userFile);
    expect(JSON.parse(readFileSync(tap.settingsFile!, "utf8")).statusLine).toEqual({
      type: "command",
      command: statusLineCommand(tap.signalFile, "echo user"),
      padding: 1,
    });
    expect(statSync(userFile).mtimeMs).toBe(before.mtimeMs);

    mkdirSync(path.join(project, ".claude"));
    writeFileSync(path.join(project, ".claude", "settings.json"), JSON.stringify({ statusLine: { type: "command", command: "echo shared" } }));
    writeFileSync(path.join(project, ".claude", "settings.local.json"), "{ not json");
    expect(findUserStatusLine(project, path.join(home, ".claude"))?.statusLine.command).toBe("echo shared");
    writeFileSync(path.join(project, ".claude", "settings.local.json"), JSON.stringify({ statusLine: { type: "command", command: "echo local" } }));
    expect(findUserStatusLine(project, path.join(home, ".claude"))?.statusLine.command).toBe("echo local");

    const cfg = path.join(root, "cfg");
    mkdirSync(cfg);
    writeFileSync(path.join(cfg, "settings.json"), JSON.stringify({ statusLine: { type: "command", command: "echo cfg" } }));
    const other = load("", `HOME = ${JSON.stringify(home)}, CLAUDE_CONFIG_DIR = ${JSON.stringify(cfg)}`);
    tap = claudeTap(other.agents[0]!, { fleet: other, newId: ids });
    expect(tap.userStatusLineFrom).toBe(path.join(project, ".claude", "settings.local.json"));
    rmSync(path.join(project, ".claude"), { recursive: true });
    tap = claudeTap(other.agents[0]!, { fleet: other, newId: ids });
    expect(tap.userStatusLineFrom).toBe(path.join(cfg, "settings.json"));
  });

  it("a FIFO as the user's settings file is skipped, not waited on", () => {
    fifo(path.join(home, ".claude", "settings.json"));
    const { value: tap, ms } = timed(() => claudeTap(fleet.agents[0]!, { fleet, newId: ids }));
    expect(ms).toBeLessThan(1000);
    expect(tap.userStatusLineFrom).toBeUndefined();
  });

  it("a log_dir that cannot be written does not fail the launch: pinned, untapped, and says why", () => {
    const ro = path.join(root, "logs");
    mkdirSync(ro);
    writeFileSync(path.join(ro, "state"), "a file where the state dir should be");
    const tap = claudeTap(fleet.agents[0]!, { fleet, newId: ids });
    expect(tap.args).toEqual(["--session-id", tap.sessionId]);
    expect(tap.settingsFile).toBeUndefined();
    expect(tap.problem).toMatch(/could not write/);
    expect(existsSync(path.join(home, ".claude", "settings.json"))).toBe(false);
  });
});
