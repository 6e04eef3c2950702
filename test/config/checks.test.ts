// The disk checks: named files must be regular files, named dirs must not be anything else.
import { spawnSync } from "node:child_process";
import { chmodSync, symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { checkPath, pathKind, pathProblem, type PathCheck, type PathKind } from "../../src/config/checks.js";
import { MINIMAL, project } from "../helpers/project.js";

describe("pathProblem", () => {
  const file: PathCheck = { key: "k", path: "/p", want: "file" };
  const role: PathCheck = { key: "k", path: "/p", want: "file", missing: "role prompt not found" };
  const dir: PathCheck = { key: "k", path: "/p", want: "dir" };
  test.each<[PathCheck, PathKind, string | undefined]>([
    [file, "f", undefined],
    [file, "-", "file not found: /p"],
    [role, "-", "role prompt not found: /p"],
    [file, "d", "is a directory, not a file: /p"],
    [role, "d", "is a directory, not a file: /p"],
    [file, "o", "is not a regular file: /p"],
    [dir, "d", undefined],
    [dir, "-", undefined],
    [dir, "f", "is not a directory: /p"],
    [dir, "o", "is not a directory: /p"],
    [file, "?", "cannot be checked (a directory on the way cannot be searched, or a symlink loop): /p"],
    [dir, "?", "cannot be checked (a directory on the way cannot be searched, or a symlink loop): /p"],
  ])("%o with %s → %s", (check, kind, want) => {
    expect(pathProblem(check, kind)).toBe(want);
  });

  test("pathKind reads the disk, following symlinks", () => {
    const p = project(MINIMAL, { "f.txt": "x\n", "d/.keep": "" });
    symlinkSync(path.join(p.dir, "f.txt"), path.join(p.dir, "link"));
    expect(pathKind(path.join(p.dir, "f.txt"))).toBe("f");
    expect(pathKind(path.join(p.dir, "link"))).toBe("f");
    expect(pathKind(path.join(p.dir, "d"))).toBe("d");
    expect(pathKind(path.join(p.dir, "gone"))).toBe("-");
    expect(pathKind(path.join(p.dir, "f.txt", "under-a-file"))).toBe("-");
    expect(pathKind("/dev/null")).toBe("o");
  });
});

const AGENT = `${MINIMAL}[[agent]]\nname = "a"\n`;
const LOOP = `${MINIMAL}[[agent]]\nname = "b"\nkind = "loop"\nrole = "builder"\n`;

describe("file checks on a loaded config", () => {
  // [why, toml, files (a "x/.keep" entry makes x a directory), expected lines after `<file>: `, with {dir} for the project dir]
  test.each<[string, string, Record<string, string>, string[]]>([
    ["a prompt file that is there", `${AGENT}prompt_file = "p.md"\n`, { "p.md": "x\n" }, []],
    ["a missing prompt file", `${AGENT}prompt_file = "p.md"\n`, {}, ["agent[0](a).prompt_file: file not found: {dir}/p.md"]],
    ["a directory as prompt file", `${AGENT}prompt_file = "p.md"\n`, { "p.md/.keep": "" }, ["agent[0](a).prompt_file: is a directory, not a file: {dir}/p.md"]],
    ["a device as prompt file", `${AGENT}prompt_file = "/dev/null"\n`, {}, ["agent[0](a).prompt_file: is not a regular file: /dev/null"]],
    ["a directory as role prompt", LOOP, { "prompts/builder.md/.keep": "" }, ["agent[0](b).role: is a directory, not a file: {dir}/prompts/builder.md"]],
    ["a missing role prompt", LOOP, {}, ["agent[0](b).role: role prompt not found: {dir}/prompts/builder.md"]],
    ["a directory as wake prompt", `${AGENT}wake = { prompt_file = "w.md" }\n`, { "w.md/.keep": "" }, ["agent[0](a).wake.prompt_file: is a directory, not a file: {dir}/w.md"]],
    ["a directory as kickoff template", `${MINIMAL}[loop]\nkickoff_template = "k.md"\n`, { "k.md/.keep": "" }, ["loop.kickoff_template: is a directory, not a file: {dir}/k.md"]],
    ["an agent dir that is missing (created at start)", `${AGENT}dir = "work"\n`, {}, []],
    ["an agent dir that is a directory", `${AGENT}dir = "work"\n`, { "work/.keep": "" }, []],
    ["an agent dir that is a file", `${AGENT}dir = "work"\n`, { work: "x\n" }, ["agent[0](a).dir: is not a directory: {dir}/work"]],
    ["an inherited dir that is a file: once, at defaults.dir", `${MINIMAL}dir = "work"\n[[agent]]\nname = "a"\n[[agent]]\nname = "b"\n`, { work: "x\n" }, ["defaults.dir: is not a directory: {dir}/work"]],
    ["a log_dir that is a file", AGENT, { ".state": "x\n" }, ["defaults.log_dir: is not a directory: {dir}/.state"]],
    ["a log_dir that is a directory", AGENT, { ".state/.keep": "" }, []],
    ["an agent dir that cannot be created: a file on the way", `${AGENT}dir = "f/work"\n`, { f: "x\n" }, ["agent[0](a).dir: cannot be created ({dir}/f is not a directory): {dir}/f/work"]],
    ["an agent dir deeper under a file", `${AGENT}dir = "f/a/b"\n`, { f: "x\n" }, ["agent[0](a).dir: cannot be created ({dir}/f is not a directory): {dir}/f/a/b"]],
    ["a missing agent dir under missing dirs (all created)", `${AGENT}dir = "a/b/c"\n`, {}, []],
    ["a service dir that is a file", `${MINIMAL}[[service]]\nname = "s"\ncommand = "true"\ndir = "site"\n`, { site: "x\n" }, ["service[0](s).dir: is not a directory: {dir}/site"]],
    ["a service dir that cannot be created", `${MINIMAL}[[service]]\nname = "s"\ncommand = "true"\ndir = "f/site"\n`, { f: "x\n" }, ["service[0](s).dir: cannot be created ({dir}/f is not a directory): {dir}/f/site"]],
    // Whether log_dir can be made or written is runtime health (state/ falls back), not config.
    ["a missing log_dir under a file", `${MINIMAL.replace('".state"', '"f/logs"')}`, { f: "x\n" }, []],
    // Making a dir in procfs fails with ENOENT and Node's recursive mkdir retries forever.
    ["a log_dir under /proc", MINIMAL.replace('".state"', '"/proc/agents-test"'), {}, ["defaults.log_dir: is under /proc (procfs), where no directory can be created: /proc/agents-test"]],
    ["a log_dir deeper under /proc/self", MINIMAL.replace('".state"', '"/proc/self/x/y"'), {}, ["defaults.log_dir: is under /proc (procfs), where no directory can be created: /proc/self/x/y"]],
    ["an existing log_dir in /proc (its state/ would be made there)", MINIMAL.replace('".state"', '"/proc/self"'), {}, ["defaults.log_dir: is under /proc (procfs), where no directory can be created: /proc/self"]],
    ["an agent dir to be made under /proc", `${AGENT}dir = "/proc/self/work"\n`, {}, ["agent[0](a).dir: is under /proc (procfs), where no directory can be created: /proc/self/work"]],
    ["an existing agent dir in /proc is only a cwd", `${AGENT}dir = "/proc/self"\n`, {}, []],
    [
      "every problem reported: resolve's first, then the disk's",
      `${MINIMAL}[loop]\nkickoff_template = "k.md"\n[[agent]]\nname = "a"\nprompt_file = "p.md"\n[[agent]]\nname = "a"\n`,
      { "k.md/.keep": "" },
      ['agent[1](a).name: duplicate agent name "a"', "agent[0](a).prompt_file: file not found: {dir}/p.md", "loop.kickoff_template: is a directory, not a file: {dir}/k.md"],
    ],
  ])("%s", (_why, toml, files, lines) => {
    const p = project(toml, files);
    const want = lines.map((l) => `${p.file}: ${l.replaceAll("{dir}", p.dir)}`);
    if (want.length) expect(p.errors()).toEqual(want);
    else expect(() => p.load()).not.toThrow();
  });
});

describe("checks that need more than a table", () => {
  test("a missing agent dir under a broken symbolic link", () => {
    const p = project(`${AGENT}dir = "gone/work"\n`);
    symlinkSync(path.join(p.dir, "nowhere"), path.join(p.dir, "gone"));
    expect(p.errors()).toEqual([`${p.file}: agent[0](a).dir: cannot be created (${p.dir}/gone is a broken symbolic link): ${p.dir}/gone/work`]);
  });

  test("a FIFO as prompt file is refused without being opened", () => {
    const p = project(`${AGENT}prompt_file = "fifo"\n`);
    expect(spawnSync("mkfifo", [path.join(p.dir, "fifo")]).status).toBe(0);
    expect(p.errors()).toEqual([`${p.file}: agent[0](a).prompt_file: is not a regular file: ${p.dir}/fifo`]);
  });

  const root = process.getuid?.() === 0;
  // Permission bits do not stop root: there the same cases run through the CLI as another user
  // (test/config/config-cli.test.ts).
  test.skipIf(root)("unreadable files and unsearchable dirs (skipped as root: permissions do not apply)", () => {
    const p = project(`${AGENT}prompt_file = "p.md"\ndir = "work"\n[[agent]]\nname = "b"\ndir = "locked/sub"\n`, { "p.md": "x\n", "work/.keep": "", "locked/.keep": "" });
    chmodSync(path.join(p.dir, "p.md"), 0o000);
    chmodSync(path.join(p.dir, "work"), 0o600);
    chmodSync(path.join(p.dir, "locked"), 0o500);
    try {
      expect(p.errors()).toEqual([
        `${p.file}: agent[0](a).dir: is not searchable (no execute permission): ${p.dir}/work`,
        `${p.file}: agent[0](a).prompt_file: is not readable: ${p.dir}/p.md`,
        `${p.file}: agent[1](b).dir: cannot be created (${p.dir}/locked is not writable): ${p.dir}/locked/sub`,
      ]);
    } finally {
      chmodSync(path.join(p.dir, "work"), 0o700);
      chmodSync(path.join(p.dir, "locked"), 0o700);
    }
  });

  test("checkPath gives the kind and the problem together", () => {
    const p = project(MINIMAL, { "f.txt": "x\n" });
    expect(checkPath({ key: "k", path: path.join(p.dir, "f.txt"), want: "file" })).toEqual({ kind: "f" });
    expect(checkPath({ key: "k", path: path.join(p.dir, "f.txt"), want: "dir" })).toEqual({ kind: "f", problem: `is not a directory: ${p.dir}/f.txt` });
    expect(checkPath({ key: "k", path: path.join(p.dir, "new"), want: "dir" })).toEqual({ kind: "-" });
  });
});
