// Template slots: plain text for prompts, context-aware quoting for shell command templates. The
// shell cases run the rendered text through a real sh, since that is the only judge that matters.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { renderShell, renderText } from "../../src/fleet/template.js";
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

/** Run a shell command line and return what it printed; fails the test on a shell error. */
function sh(cmd: string, cwd: string): string {
  const r = spawnSync("sh", ["-c", cmd], { cwd, encoding: "utf8" });
  expect(r.stderr, `stderr of: ${cmd}`).toBe("");
  expect(r.status, `exit of: ${cmd}`).toBe(0);
  return r.stdout;
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
  "back\\slash\\",
  "new\nline",
  "glob * ? [a]",
  "'\"'\"mixed'\"",
  "-n",
  "",
];

describe("renderShell: a value is always exactly one word, never code", () => {
  // printf prints each argument between < >, so word splitting or injected commands would show.
  const contexts: [string, string][] = [
    ["unquoted", "printf '<%s>' {v}"],
    ["inside single quotes", "printf '<%s>' '{v}'"],
    ["inside double quotes", 'printf \'<%s>\' "{v}"'],
    ["inside single quotes with text around it", "printf '<%s>' 'pre {v} post'"],
    ["inside double quotes with text around it", 'printf \'<%s>\' "pre {v} post"'],
  ];

  for (const [where, template] of contexts) {
    test.each(HOSTILE.map((v) => [JSON.stringify(v), v]))(`${where}: %s`, (_label, value) => {
      const cwd = tempDir("tmpl");
      const out = sh(renderShell(template, { v: value }), cwd);
      const around = template.includes("pre {v} post") ? `pre ${value} post` : value;
      expect(out).toBe(`<${around}>`);
      expect(readdirSync(cwd)).toEqual([]);
    });
  }

  test("the reference's exec template (slots inside bash -c '...') still runs as written", () => {
    const cwd = tempDir("tmpl");
    const template = `bash -c 'echo "[{session}] model={model} kickoff={kickoff}"; echo "$(printf x)"'`;
    const cmd = renderShell(template, { session: "bl-builder", model: "fake-model-1", kickoff: "/tmp/k.txt" });
    expect(sh(cmd, cwd)).toBe("[bl-builder] model=fake-model-1 kickoff=/tmp/k.txt\nx\n");
  });

  test("a value with a single quote cannot close the quotes of a bash -c script", () => {
    const cwd = tempDir("tmpl");
    const cmd = renderShell(`bash -c 'printf "<%s>" "{model}"'`, { model: "m'; touch PWNED; '" });
    expect(sh(cmd, cwd)).toBe("<m'; touch PWNED; '>");
    expect(existsSync(path.join(cwd, "PWNED"))).toBe(false);
  });

  test("safe values stay bare; others are single-quoted when unquoted", () => {
    expect(renderShell("--model {m}", { m: "claude-opus-4.1" })).toBe("--model claude-opus-4.1");
    expect(renderShell("--model {m}", { m: "a b" })).toBe("--model 'a b'");
    expect(renderShell("--model {m}", { m: "" })).toBe("--model ''");
    expect(renderShell("--model '{m}'", { m: "it's" })).toBe("--model 'it'\\''s'");
    expect(renderShell('--model "{m}"', { m: 'a"$b' })).toBe('--model "a\\"\\$b"');
  });

  test("raw slots are inserted verbatim; unknown slots stay as written", () => {
    expect(renderShell("{bin} --x {prompt} {nope}", {}, { bin: "claude", prompt: '"$(cat /k)"' })).toBe('claude --x "$(cat /k)" {nope}');
  });

  test("quote tracking follows escapes, so an escaped quote does not open a quoted context", () => {
    // \' outside quotes is a literal quote; the slot after it is still unquoted.
    expect(renderShell("echo \\' {v}", { v: "a b" })).toBe("echo \\' 'a b'");
    // \" inside double quotes does not end them.
    expect(renderShell('echo "x\\" {v}"', { v: "$y" })).toBe('echo "x\\" \\$y"');
  });
});
