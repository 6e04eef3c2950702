// Issue 10 through the built CLI: a config with a path of the wrong kind, an unreadable file, a
// number out of range, a duplicate phase id, a template a second shell could parse, or a config
// that is not a regular file makes `agents up` and `agents status` exit 2 with one line naming
// file and key, before anything is started or written. On a private tmux server, with a private
// cache dir; nothing here may hang (a FIFO config, a log_dir under /proc).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLI, privateTmux, tempDir, type CliResult, type PrivateTmux } from "../helpers/tmux.js";

let t: PrivateTmux;
beforeAll(() => {
  t = privateTmux("cfgcli");
});
afterAll(() => t?.kill());

const MIN = `[defaults]\nsession_prefix = "cc-"\nlog_dir = ".state"\nbackend = "demo"\n`;
/** Two agents: the first is fine, so a start that stopped part-way would show. */
const TWO = `${MIN}[[agent]]\nname = "ok"\n[[agent]]\nname = "bad"\n`;

/** A project dir holding agents.toml and whatever `make` adds; returns the config path. */
function projectDir(toml: string, make: (dir: string) => void = () => {}, parent?: string): { dir: string; file: string } {
  const dir = tempDir("cfgcli", parent);
  const file = path.join(dir, "agents.toml");
  writeFileSync(file, toml);
  make(dir);
  return { dir, file };
}

const write = (dir: string, rel: string, text = "x\n") => {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
};
const mkdir = (dir: string, rel: string) => mkdirSync(path.join(dir, rel), { recursive: true });

async function agents(args: string[], cwd: string, cache: string): Promise<CliResult & { timedOut: boolean }> {
  const r = await execa(CLI, args, { env: { ...t.env, XDG_CACHE_HOME: cache }, extendEnv: false, reject: false, cwd, stdin: "ignore", timeout: 30_000 });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr), timedOut: r.timedOut };
}

function expectOneLinePerProblem(r: CliResult & { timedOut: boolean }, lines: string[]): void {
  expect(r.timedOut, "the verb hung").toBe(false);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n")).toEqual(lines.map((l) => `agents: ${l}`));
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

// [why, config text, what else the project holds, the lines after `agents: <file>: `; {dir} is the project dir]
const CASES: [string, string, (dir: string) => void, string[]][] = [
  ["a directory as prompt_file", `${TWO}prompt_file = "p.md"\n`, (d) => mkdir(d, "p.md"), ["agent[1](bad).prompt_file: is a directory, not a file: {dir}/p.md"]],
  ["a FIFO as prompt_file", `${TWO}prompt_file = "p.md"\n`, (d) => void spawnSync("mkfifo", [path.join(d, "p.md")]), ["agent[1](bad).prompt_file: is not a regular file: {dir}/p.md"]],
  ["a directory as kickoff_template", `${MIN}[loop]\nkickoff_template = "k.md"\n[[agent]]\nname = "ok"\n`, (d) => mkdir(d, "k.md"), ["loop.kickoff_template: is a directory, not a file: {dir}/k.md"]],
  ["a directory as role prompt", `${MIN}[[agent]]\nname = "ok"\n[[agent]]\nname = "bad"\nkind = "loop"\nrole = "builder"\n`, (d) => mkdir(d, "prompts/builder.md"), ["agent[1](bad).role: is a directory, not a file: {dir}/prompts/builder.md"]],
  ["a directory as wake prompt", `${TWO}wake = { interval = 60, prompt_file = "w.md" }\n`, (d) => mkdir(d, "w.md"), ["agent[1](bad).wake.prompt_file: is a directory, not a file: {dir}/w.md"]],
  ["a file as an agent's dir", `${TWO}dir = "work"\n`, (d) => write(d, "work"), ["agent[1](bad).dir: is not a directory: {dir}/work"]],
  ["an agent dir that cannot be created", `${TWO}dir = "work/sub"\n`, (d) => write(d, "work"), ["agent[1](bad).dir: cannot be created ({dir}/work is not a directory): {dir}/work/sub"]],
  ["a file as a service's dir", `${TWO}[[service]]\nname = "svc"\ncommand = "sleep 100"\ndir = "site"\n`, (d) => write(d, "site"), ["service[0](svc).dir: is not a directory: {dir}/site"]],
  ["a file as log_dir", TWO, (d) => write(d, ".state"), ["defaults.log_dir: is not a directory: {dir}/.state"]],
  ["a log_dir under /proc (it hung up)", TWO.replace('".state"', '"/proc/agents-test"'), () => {}, ["defaults.log_dir: is under /proc (procfs), where no directory can be created: /proc/agents-test"]],
  ["a log_dir under /proc/self", TWO.replace('".state"', '"/proc/self/x"'), () => {}, ["defaults.log_dir: is under /proc (procfs), where no directory can be created: /proc/self/x"]],
  ["signal_interval at Node's timer limit", `${TWO}[watchdog]\nsignal_interval = 2147484\n`, () => {}, ["watchdog.signal_interval: must be at most 86400 seconds (1 day)"]],
  ["a stall_idle over 30 days", `${TWO}[backend.demo]\nstall_idle = 2592001\n`, () => {}, ["backend.demo.stall_idle: must be at most 2592000 seconds (30 days)"]],
  ["duplicate phase ids", `${TWO}[loop]\nphases = [{ id = "P1", status = "a.md" }, { id = "P1", status = "b.md" }]\n`, () => {}, ['loop.phases[1].id: duplicate phase id "P1"']],
  [
    "an exec template that splices {model} into a quoted string",
    `${MIN}[backend.x]\nbin = "ssh box 'run --model {model}'"\nprompt_delivery = "exec"\n[[agent]]\nname = "ok"\n[[agent]]\nname = "bad"\nbackend = "x"\n`,
    () => {},
    ["backend.x.bin: {model} sits inside single quotes: a value spliced there could be parsed by a second shell; write {model} outside quotes (it is quoted for you) or use \"$AGENT_MODEL\""],
  ],
];

describe("up and status: exit 2, one line naming file and key, nothing started or written", () => {
  for (const verb of ["up", "status"]) {
    test.each(CASES)(`${verb}: %s`, async (_why, toml, make, lines) => {
      const { dir, file } = projectDir(toml, make);
      const cache = tempDir("cfgcli-cache");
      const logDirBefore = existsSync(path.join(dir, ".state"));
      const r = await agents([verb, "--config", file], dir, cache);
      expectOneLinePerProblem(r, lines.map((l) => `${file}: ${l.replaceAll("{dir}", dir)}`));
      expect(t.sessions()).toEqual([]);
      // Nothing written: no log_dir made (so no kickoff, no phase index, no session log).
      expect(existsSync(path.join(dir, ".state"))).toBe(logDirBefore);
    });
  }

  test("a config that is a FIFO, a directory or a device: one line, no hang", async () => {
    const dir = tempDir("cfgcli");
    const cache = tempDir("cfgcli-cache");
    const fifo = path.join(dir, "fifo.toml");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    mkdir(dir, "dir.toml");
    for (const verb of ["up", "status"]) {
      expectOneLinePerProblem(await agents([verb, "--config", fifo], dir, cache), [`${fifo}: is a FIFO (named pipe); a config must be a regular file`]);
      expectOneLinePerProblem(await agents([verb, "--config", path.join(dir, "dir.toml")], dir, cache), [
        `${dir}/dir.toml: is a directory; a config must be a regular file`,
      ]);
      expectOneLinePerProblem(await agents([verb, "--config", "/dev/zero"], dir, cache), ["/dev/zero: is a character device; a config must be a regular file"]);
    }
    expect(t.sessions()).toEqual([]);
  });

  test("status's cache does not hide a change: a prompt file turned into a directory after a good status", async () => {
    const { dir, file } = projectDir(`${TWO}prompt_file = "p.md"\n`, (d) => write(d, "p.md"));
    const cache = tempDir("cfgcli-cache");
    const ok = await agents(["status", "--json", "--config", file], dir, cache);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    rmSync(path.join(dir, "p.md"));
    mkdir(dir, "p.md");
    expectOneLinePerProblem(await agents(["status", "--config", file], dir, cache), [`${file}: agent[1](bad).prompt_file: is a directory, not a file: ${dir}/p.md`]);
  });

  test("status's cache does not hide a change: an agent dir whose parent became a file", async () => {
    const { dir, file } = projectDir(`${TWO}dir = "a/work"\n`);
    const cache = tempDir("cfgcli-cache");
    expect((await agents(["status", "--config", file], dir, cache)).code).toBe(0);
    write(dir, "a");
    expectOneLinePerProblem(await agents(["status", "--config", file], dir, cache), [
      `${file}: agent[1](bad).dir: cannot be created (${dir}/a is not a directory): ${dir}/a/work`,
    ]);
  });
});

describe("unreadable files", () => {
  // Root reads anything, so as root the CLI runs as nobody (uid 65534) on a project it can enter.
  const root = process.getuid?.() === 0;
  const asUser = root ? { uid: 65534, gid: 65534 } : {};

  test("an unreadable prompt file, and (as status) after a good cached status", async () => {
    const { dir, file } = projectDir(`${TWO}prompt_file = "p.md"\n`, (d) => write(d, "p.md"), "/tmp");
    chmodSync(dir, 0o755);
    const cache = tempDir("cfgcli-cache", "/tmp");
    chmodSync(cache, 0o777);
    const run = async (verb: string) => {
      const r = await execa(CLI, [verb, "--config", file], {
        env: { ...t.env, XDG_CACHE_HOME: cache, HOME: dir },
        extendEnv: false,
        reject: false,
        cwd: dir,
        stdin: "ignore",
        timeout: 30_000,
        ...asUser,
      });
      return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr), timedOut: r.timedOut };
    };
    // Readable: status passes and caches the fleet.
    const ok = await run("status");
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    chmodSync(path.join(dir, "p.md"), root ? 0o600 : 0o000);
    const line = `${file}: agent[1](bad).prompt_file: is not readable: ${dir}/p.md`;
    expectOneLinePerProblem(await run("status"), [line]);
    expectOneLinePerProblem(await run("up"), [line]);
    expect(t.sessions()).toEqual([]);
    expect(existsSync(path.join(dir, ".state"))).toBe(false);
    chmodSync(path.join(dir, "p.md"), 0o644);
  });
});
