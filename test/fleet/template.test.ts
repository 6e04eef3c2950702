// Template slots: plain text for prompts, context-aware quoting for shell command templates. The
// shell cases run the rendered text through a real sh, since that is the only judge that matters.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { renderShell, renderText, templateProblems } from "../../src/fleet/template.js";
import { tempDir } from "../helpers/tmp.js";

describe("renderText", () => {
  test("fills every known slot, as often as it appears", () => {
    expect(renderText("{role} works on {phase_id}; {role} reads {plan}", { role: "builder", phase_id: "P1", plan: "plans/P1.md" })).toBe(
      "builder works on P1; builder reads plans/P1.md",
    );
  });

  test("leaves unknown slots and non-slot braces alone", () => {
    expect(renderText("{role} {unknown} {} { role } {1x} json: {\"a\": 1}", { role: "r" })).toBe(
      "r {unknown} {} { role } {1x} json: {\"a\": 1}",
    );
  });

  test("values are inserted literally: no $-patterns, no re-expansion of slots inside values", () => {
    expect(renderText("[{a}] [{b}]", { a: "$& $1 $$", b: "{a}" })).toBe("[$& $1 $$] [{a}]");
  });

  test("an empty value empties its slot", () => {
    expect(renderText("plan={plan}.", { plan: "" })).toBe("plan=.");
  });
});

/** Run a shell command line (with `env` added) and return what it printed; fails the test on a shell error. */
function sh(cmd: string, cwd: string, env: Record<string, string> = {}): string {
  const r = spawnSync("sh", ["-c", cmd], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  expect(r.stderr, `stderr of: ${cmd}`).toBe("");
  expect(r.status, `exit of: ${cmd}`).toBe(0);
  return r.stdout;
}

/** Render and run: what the command printed. */
function run(template: string, values: Record<string, string>, cwd: string): string {
  const r = renderShell(template, values);
  return sh(r.text, cwd, r.env);
}

const HOSTILE = [
  "plain",
  "with spaces  and  runs",
  "it's",
  'say "hi"',
  "$(touch PWNED)",
  "`touch PWNED`",
  "$HOME and ${HOME}",
  "a; touch PWNED",
  "a && touch PWNED || touch PWNED",
  "'; touch PWNED; '",
  '"; touch PWNED; "',
  "back\\slash\\",
  "new\nline",
  "glob * ? [a]",
  "'\"'\"mixed'\"",
  "-n",
  "",
];

describe("renderShell: a value is always exactly one word, never code, in this shell or a nested one", () => {
  // printf prints each argument between < >, so word splitting or injected commands would show.
  const contexts: [string, string][] = [
    ["unquoted", "printf '<%s>' {v}"],
    ["alone inside single quotes", "printf '<%s>' '{v}'"],
    ["alone inside double quotes", 'printf \'<%s>\' "{v}"'],
    ["unquoted inside \"$(...)\"", `printf '<%s>' "$(printf %s {v})"`],
    ["in bash -c '...', unquoted there", `bash -c 'printf "<%s>" {v}'`],
    ["in bash -c '...', alone in double quotes there", `bash -c 'printf "<%s>" "{v}"'`],
    ["in bash -c '...', with text in double quotes there", `bash -c 'printf "<%s>" "pre {v} post"'`],
    ["in bash -lc \"...\", alone in single quotes there", `bash -lc "printf '<%s>' '{v}'"`],
    ["in sh -c '...' inside bash -c \"...\" (three shells)", `sh -c 'bash -c "printf \\"<%s>\\" \\"pre {v} post\\""'`],
  ];

  for (const [where, template] of contexts) {
    test.each(HOSTILE.map((v) => [JSON.stringify(v), v]))(`${where}: %s`, (_label, value) => {
      const cwd = tempDir("tmpl");
      const out = run(template, { v: value }, cwd);
      const around = template.includes("pre {v} post") ? `pre ${value} post` : value;
      expect(out).toBe(`<${around}>`);
      expect(readdirSync(cwd)).toEqual([]);
    });
  }

  test("the reference's exec template (slots inside bash -c '...') still runs as written", () => {
    const cwd = tempDir("tmpl");
    const template = `bash -c 'echo "[{session}] model={model} kickoff={kickoff}"; echo "$(printf x)"'`;
    const out = run(template, { session: "bl-builder", model: "fake-model-1", kickoff: "/tmp/k.txt" }, cwd);
    expect(out).toBe("[bl-builder] model=fake-model-1 kickoff=/tmp/k.txt\nx\n");
  });

  test("a value with a single quote or a $(...) cannot reach bash -c's script as code", () => {
    const cwd = tempDir("tmpl");
    for (const model of ["m'; touch PWNED; '", "$(touch PWNED)", '"; touch PWNED; "']) {
      expect(run(`bash -c 'printf "<%s>" "{model}"'`, { model }, cwd)).toBe(`<${model}>`);
      expect(run(`bash -c 'echo "model={model}"'`, { model }, cwd)).toBe(`model=${model}\n`);
    }
    expect(existsSync(path.join(cwd, "PWNED"))).toBe(false);
  });

  test("a slot in a nested shell's script becomes a variable the command exports", () => {
    expect(renderShell(`bash -c 'run --model {model} "k={kickoff}"'`, { model: "m 1", kickoff: "/k" })).toEqual({
      text: `bash -c 'run --model "\${AGENT_MODEL}" "k=\${AGENT_KICKOFF}"'`,
      env: { AGENT_MODEL: "m 1", AGENT_KICKOFF: "/k" },
    });
    expect(renderShell(`bash -c "run {id}"`, { id: "r" }).env).toEqual({ AGENT_RESUME_ID: "r" });
    // Escaped for the double quotes the script sits in, so the outer shell passes it on unexpanded.
    expect(renderShell(`bash -c "run {model}"`, { model: "m" }).text).toBe(`bash -c "run \\"\\\${AGENT_MODEL}\\""`);
  });

  test("safe values stay bare; others are single-quoted when unquoted; no env for a single shell", () => {
    expect(renderShell("--model {m}", { m: "claude-opus-4.1" })).toEqual({ text: "--model claude-opus-4.1", env: {} });
    expect(renderShell("--model {m}", { m: "a b" }).text).toBe("--model 'a b'");
    expect(renderShell("--model {m}", { m: "" }).text).toBe("--model ''");
    expect(renderShell("--model '{m}'", { m: "it's" }).text).toBe("--model 'it'\\''s'");
    expect(renderShell('--model "{m}"', { m: 'a"$b' }).text).toBe('--model "a\\"\\$b"');
  });

  test("raw slots are inserted verbatim; unknown slots stay as written; \\{slot} stays braces", () => {
    expect(renderShell("{bin} --x {prompt} {nope}", { bin: "claude", prompt: '"$(cat /k)"' }, { bin: "raw", prompt: "raw" }).text).toBe(
      'claude --x "$(cat /k)" {nope}',
    );
    expect(renderShell("echo \\{v} {v}", { v: "a b" }).text).toBe("echo \\{v} 'a b'");
  });

  test("a name slot is spliced as it is, even inside quoted text", () => {
    expect(renderShell("echo 'agent {session} ready'", { session: "t-a" }, { session: "name" }).text).toBe("echo 'agent t-a ready'");
  });

  test("quote tracking follows escapes, so an escaped quote does not open a quoted context", () => {
    // \' outside quotes is a literal quote; the slot after it is still unquoted.
    expect(renderShell("echo \\' {v}", { v: "a b" }).text).toBe("echo \\' 'a b'");
  });

  test("a template the check refuses is never rendered", () => {
    expect(() => renderShell("echo 'pre {v}'", { v: "x" })).toThrow(/\{v\} sits inside single quotes/);
  });
});

describe("templateProblems: where a slot may sit", () => {
  const V = { model: "value", kickoff: "value", session: "name", prompt: "raw", bin: "raw" } as const;
  const SQ = "{model} sits inside single quotes: a value spliced there could be parsed by a second shell; write {model} outside quotes (it is quoted for you) or use \"$AGENT_MODEL\"";
  const DQ = SQ.replace("single quotes", "double quotes");
  const ANSI = "{model} sits inside $'...' quotes, which sh and bash read differently; write {model} outside quotes (it is quoted for you) or use \"$AGENT_MODEL\"";
  // [why, template, problems]
  test.each<[string, string, string[]]>([
    ["unquoted", "claude --model {model}", []],
    ["alone in single quotes (the reference's default model_flag)", "--model '{model}'", []],
    ["alone in double quotes", '--model "{model}"', []],
    ["alone in $'...' (bash and sh read it differently)", "--model $'{model}'", [ANSI]],
    ["several slots and nothing else in quotes", "--x '{model}{kickoff}'", []],
    ["text around it in single quotes", "--model 'x-{model}'", [SQ]],
    ["text around it in double quotes", '--model "x-{model}"', [DQ]],
    ["text around it in $'...', past an escaped quote", "--model $'it\\'s {model}'", [ANSI]],
    ["after a $'...' string with a backslash", "echo $'a\\'b' {model}", ["{model} follows a $'...' string with a backslash escape, where sh and bash disagree on what is quoted"]],
    ["after a plain $'...' string", "echo $'ab' {model}", []],
    ["a name in $'...'", "echo $'{session}'", []],
    ["an escaped quote outside quotes opens nothing", "echo \\' {model} \\'", []],
    ["an escaped double quote inside double quotes does not close them", 'echo "a\\" {model}"', [DQ]],
    ["'\\'' keeps the string quoted", "echo 'it'\\''s {model}'", [SQ]],
    ["unquoted inside \"$(...)\"", 'echo "$(cat {kickoff})"', []],
    ["backquotes", "echo `cat {kickoff}`", ["{kickoff} sits inside backquotes, where its value cannot be quoted; write {kickoff} outside quotes (it is quoted for you) or use \"$AGENT_KICKOFF\""]],
    ["${...}", "echo ${X:-{model}}", ["{model} sits inside ${...}, where its value cannot be quoted; write {model} outside quotes (it is quoted for you) or use \"$AGENT_MODEL\""]],
    ["the reference demo's bash -c '...'", `bash -c 'echo "[{session}] model={model} kickoff={kickoff} ($(wc -l < {kickoff}) lines)"; while :; do echo "working... $(date +%T)"; sleep 3; done'`, []],
    ["bash -lc '...' unquoted there", "bash -lc 'claude --model {model}'", []],
    ["sh -c \"...\"", 'sh -c "claude --model {model}"', []],
    ["/bin/bash --login -c '...' after env and exec", "exec env A=1 /bin/bash --login -c 'run \"{model}\"'", []],
    ["a script's own arguments after it", "bash -c 'run \"$0\"' {model}", []],
    ["three shells deep", `sh -c 'bash -c "run {model}"'`, []],
    ["single quotes with text in a nested script", `bash -c "echo 'm={model}'"`, ["{model} sits inside single quotes in a nested shell's script, where no value can be passed safely; write {model} outside quotes (it is quoted for you) or use \"$AGENT_MODEL\""]],
    ["backquotes in a nested script", "bash -c 'echo `cat {kickoff}`'", ["{kickoff} sits inside backquotes, where its value cannot be quoted; write {kickoff} outside quotes (it is quoted for you) or use \"$AGENT_KICKOFF\""]],
    ["-c of a program that is not a shell", "python3 -c 'print(\"{model}\")'", [SQ]],
    ["ssh: a second shell we cannot see", "ssh host 'run {model}'", [SQ]],
    ["a shell word that is not followed by options only", "bash run.sh -c 'x {model}'", [SQ]],
    ["a name is safe in any quotes", "echo 'quiet agent {session} ready'", []],
    ["an escaped slot is not a slot", "echo '\\{model}' \\{model}", [SQ]],
    ["raw {prompt} unquoted", "--prompt {prompt}", []],
    ["raw {prompt} in quotes", "--prompt '{prompt}'", ["{prompt} sits inside single quotes: it is already shell text and must stand unquoted"]],
    ["raw {bin} in a nested script", "sh -c '{bin} attach'", ["{bin} sits inside a nested shell's script (no quotes there): it is already shell text and must stand unquoted"]],
    ["one line per problem, each once", "echo 'a {model}' 'b {model}' \"{kickoff} x\"", [SQ, DQ.replaceAll("model", "kickoff").replace("AGENT_MODEL", "AGENT_KICKOFF")]],
    ["a comment is not read", "run {model} # it's {model}", []],
  ])("%s", (_why, template, problems) => {
    expect(templateProblems(template, V)).toEqual(problems);
  });
});
