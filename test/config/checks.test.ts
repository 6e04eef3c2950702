// The disk checks: named files must be regular files, named dirs must not be anything else.
import { symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { pathKind, pathProblem, type PathCheck, type PathKind } from "../../src/config/checks.js";
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
