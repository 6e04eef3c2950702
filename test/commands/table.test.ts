// The verb table and the parser generated from it: per verb, what it accepts and what it refuses,
// and that the help text lists exactly what the parser accepts.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { globalHelp, parseVerbArgs, usageLine, verbHelp } from "../../src/commands/args.js";
import { SPECS, VERBS, findVerb, type VerbSpec } from "../../src/commands/table.js";
import { main } from "../../src/cli.js";
import { UsageError } from "../../src/errors.js";

const spec = (name: string): VerbSpec => findVerb(name)!.spec;
const parse = (verb: string, ...argv: string[]) => parseVerbArgs(spec(verb), argv);

/** The parser's refusal: the one line (after "agents: ") and the usage line. */
function refusal(verb: string, ...argv: string[]): [string, string] {
  try {
    parse(verb, ...argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    expect(e.exitCode).toBe(2);
    expect(e.lines).toHaveLength(1);
    return [e.lines[0]!, e.usage];
  }
  throw new Error(`${verb} ${argv.join(" ")}: parsed, expected a refusal`);
}

/** Every flag spelling a verb's help lists under "options:". */
function helpFlags(text: string): string[] {
  return text.slice(text.indexOf("\noptions:\n")).match(/(?<![\w-])--?[A-Za-z][\w-]*/g) ?? [];
}

describe("the table", () => {
  test("verb names are unique, and every declaration is well formed", () => {
    const names = VERBS.map((v) => v.spec.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(["up", "down", "status", "logs", "why", "phase", "watchdog", "notify", "selftest", "classify", "service", "init", "help"]);
    for (const { spec: s } of VERBS) {
      const shorts = Object.values(s.options).flatMap((o) => (o.short ? [o.short] : []));
      expect(new Set([...shorts, "h"]).size, s.name).toBe(shorts.length + 1);
      expect(Object.keys(s.options), s.name).not.toContain("help");
      // A variadic positional is last; no required one follows an optional one.
      s.positionals.forEach((p, i) => {
        if (p.variadic) expect(i, `${s.name} ${p.name}`).toBe(s.positionals.length - 1);
        if (p.required) expect(s.positionals.slice(0, i).every((q) => q.required), `${s.name} ${p.name}`).toBe(true);
      });
    }
  });

  test("holds declarations only: verb code is imported by load(), never by the table itself", () => {
    const src = readFileSync(new URL("../../src/commands/table.ts", import.meta.url), "utf8");
    const staticImports = src.split("\n").filter((l) => /^import\s/.test(l));
    for (const l of staticImports) expect(l).toMatch(/^import type /);
    for (const v of VERBS) expect(src).toContain(`entry(SPECS.${v.spec.name}, () => import("./${v.spec.name}.js"))`);
  });

  test("each verb's module loads and has a run function", async () => {
    for (const v of VERBS) expect(typeof (await v.load()).run, v.spec.name).toBe("function");
  });

  test("--config is taken by exactly the verbs that read a config", () => {
    const withConfig = VERBS.filter((v) => "config" in v.spec.options).map((v) => v.spec.name);
    expect(withConfig).toEqual(["up", "down", "status", "logs", "why", "phase", "watchdog", "notify", "classify", "service"]);
  });
});

describe("help is generated from the table", () => {
  test("each verb's help lists exactly the options it accepts, and each is accepted", () => {
    for (const { spec: s } of VERBS) {
      const flags = helpFlags(verbHelp(s));
      const expected = [...Object.entries(s.options), ["help", { short: "h" }] as const].flatMap(([name, o]) =>
        o.short ? [`-${o.short}`, `--${name}`] : [`--${name}`],
      );
      expect(flags, s.name).toEqual(expected);
      for (const [name, o] of Object.entries(s.options)) {
        const value = o.type === "string" ? [name === "lines" ? "3" : "x"] : [];
        const required = Object.entries(s.options).flatMap(([n, r]) => (r.type === "string" && r.required && n !== name ? [`--${n}`, "x"] : []));
        const positionals = s.positionals.filter((p) => p.required).map((p) => p.choices?.[0] ?? "x");
        expect(() => parseVerbArgs(s, [...positionals, ...required, `--${name}`, ...value]), `${s.name} --${name}`).not.toThrow();
      }
    }
  });

  test("the global help lists every verb with its usage line and summary", () => {
    const text = globalHelp(VERBS.map((v) => v.spec));
    for (const { spec: s } of VERBS) {
      expect(text).toContain(`\n  ${usageLine(s).slice("usage: agents ".length)}\n      ${s.summary}\n`);
    }
  });

  test("usage lines", () => {
    expect(usageLine(SPECS.up)).toBe("usage: agents up [name...] [--dry-run] [--config PATH]");
    expect(usageLine(SPECS.logs)).toBe("usage: agents logs <name> [-f] [-n N] [--transcript] [--json] [--config PATH]");
    expect(usageLine(SPECS.phase)).toBe("usage: agents phase [show|next|set] [index] [--config PATH]");
    expect(usageLine(SPECS.classify)).toBe("usage: agents classify [target] [--backend NAME] [--title T] [--command C] [--dead] [--explain] [--json] [--config PATH]");
    expect(usageLine(SPECS.init)).toBe("usage: agents init [dir]");
  });

  test("-h or --help anywhere asks for the verb's help", () => {
    for (const { spec: s } of VERBS) {
      expect(parseVerbArgs(s, ["--help"]).help).toBe(true);
      expect(parseVerbArgs(s, ["-h", "--not-an-option"]).help).toBe(true);
    }
  });
});

describe("parsing, per verb", () => {
  test("an option the verb does not take is refused with its usage line", () => {
    expect(refusal("status", "--bogus")).toEqual(["status: unknown option '--bogus'", "usage: agents status [--json] [--config PATH]"]);
    expect(refusal("up", "--json")[0]).toBe("up: unknown option '--json'");
    expect(refusal("up", "-f")[0]).toBe("up: unknown option '-f'");
    expect(refusal("down", "--dry-run")[0]).toBe("down: unknown option '--dry-run'");
    expect(refusal("init", "--config", "x")[0]).toBe("init: unknown option '--config'");
    expect(refusal("selftest", "--config", "x")[0]).toBe("selftest: unknown option '--config'");
    expect(refusal("watchdog", "--json")[0]).toBe("watchdog: unknown option '--json'");
    expect(refusal("logs", "x", "-fq")[0]).toBe("logs: unknown option '-q'");
  });

  test("boolean options take no value; string options need one", () => {
    expect(refusal("status", "--json=yes")[0]).toBe("status: option '--json' takes no value");
    expect(refusal("status", "--config")[0]).toBe("status: option '--config' needs a value (PATH)");
    expect(parse("status", "--config=a.toml").opts).toEqual({ json: false, config: "a.toml" });
  });

  test("defaults: booleans false, --config ./agents.toml, -n 40", () => {
    expect(parse("up").opts).toEqual({ "dry-run": false, config: "./agents.toml" });
    expect(parse("logs", "builder").opts).toEqual({ follow: false, lines: 40, transcript: false, json: false, config: "./agents.toml" });
    expect(parse("classify", "--backend", "claude").opts).toEqual({
      backend: "claude",
      title: undefined,
      command: undefined,
      dead: false,
      explain: false,
      json: false,
      config: undefined,
    });
  });

  test("up: names are variadic, --dry-run accepted anywhere", () => {
    expect(parse("up").args).toEqual({ name: [] });
    const p = parse("up", "builder", "--dry-run", "watchdog");
    expect(p.args).toEqual({ name: ["builder", "watchdog"] });
    expect(p.opts["dry-run"]).toBe(true);
  });

  test("logs: -n must be a non-negative integer", () => {
    expect(parse("logs", "b", "-n", "0").opts.lines).toBe(0);
    expect(parse("logs", "b", "--lines", "120", "-f").opts).toMatchObject({ lines: 120, follow: true });
    expect(parse("logs", "b", "-n5").opts.lines).toBe(5);
    for (const bad of ["many", "1.5", "1e3", "", " 5", "0x10"]) {
      expect(refusal("logs", "b", "-n", bad), bad).toEqual([
        `logs: -n expects a number of lines (0 or more), got "${bad}"`,
        "usage: agents logs <name> [-f] [-n N] [--transcript] [--json] [--config PATH]",
      ]);
    }
    expect(refusal("logs", "b", "--lines=-3")[0]).toBe('logs: --lines expects a number of lines (0 or more), got "-3"');
    // "-n -3": the value is taken as given, then refused as a count.
    expect(refusal("logs", "b", "-n", "-3")[0]).toBe('logs: -n expects a number of lines (0 or more), got "-3"');
  });

  test("logs: the name is required, and only one", () => {
    expect(refusal("logs")).toEqual(["logs: missing <name>", "usage: agents logs <name> [-f] [-n N] [--transcript] [--json] [--config PATH]"]);
    expect(refusal("logs", "a", "b")[0]).toBe("logs: unexpected argument 'b'");
    expect(parse("logs", "watchdog", "--json").args).toEqual({ name: "watchdog" });
  });

  test("phase: a known subcommand, then at most an index", () => {
    expect(parse("phase").args).toEqual({ subcommand: undefined, index: undefined });
    expect(parse("phase", "set", "1").args).toEqual({ subcommand: "set", index: "1" });
    expect(parse("phase", "set", "--", "-1").args).toEqual({ subcommand: "set", index: "-1" });
    expect(refusal("phase", "jump")[0]).toBe('phase: unknown subcommand "jump" (show, next, set)');
    expect(refusal("phase", "set", "1", "2")[0]).toBe("phase: unexpected argument '2'");
    expect(refusal("phase", "set", "-1")[0]).toBe("phase: unknown option '-1'");
  });

  test("status, watchdog, down: their own options, no stray arguments where none are declared", () => {
    expect(parse("status", "--json").opts.json).toBe(true);
    expect(refusal("status", "builder")[0]).toBe("status: unexpected argument 'builder'");
    expect(parse("watchdog", "--once", "--dry-run").opts).toEqual({ once: true, "dry-run": true, config: "./agents.toml" });
    expect(refusal("watchdog", "now")[0]).toBe("watchdog: unexpected argument 'now'");
    expect(parse("down", "a", "b").args).toEqual({ name: ["a", "b"] });
  });

  test("classify: one optional target (a saved screen with --backend, else an agent)", () => {
    expect(parse("classify", "builder").args).toEqual({ target: "builder" });
    expect(parse("classify", "--backend", "codex", "-", "--title", "⠴ x", "--command", "node", "--dead").opts).toMatchObject({
      title: "⠴ x",
      command: "node",
      dead: true,
    });
    expect(parse("classify", "--backend", "codex", "-").args).toEqual({ target: "-" });
    expect(parse("classify", "--backend", "codex").args).toEqual({ target: undefined });
    expect(refusal("classify", "--backend", "codex", "a", "b")[0]).toBe("classify: unexpected argument 'b'");
  });

  test("selftest, init, help", () => {
    expect(parse("selftest", "--live", "claude", "codex")).toMatchObject({ opts: { live: true }, args: { backend: ["claude", "codex"] } });
    expect(parse("init").args).toEqual({ dir: undefined });
    expect(refusal("init", "a", "b")[0]).toBe("init: unexpected argument 'b'");
    expect(parse("help", "up").args).toEqual({ verb: "up" });
  });
});

describe("main (in process)", () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
  };

  test("help, --help, help VERB and VERB --help print the generated text", async () => {
    const a = io();
    expect(await main(["help"], a.io)).toBe(0);
    expect(a.out).toEqual([globalHelp(VERBS.map((v) => v.spec))]);
    for (const argv of [["help", "status"], ["status", "--help"], ["--help", "status"], ["status", "-h"]]) {
      const b = io();
      expect(await main(argv, b.io), argv.join(" ")).toBe(0);
      expect(b.out).toEqual([verbHelp(SPECS.status)]);
    }
  });

  test("usage errors from verbs carry the verb's usage line", async () => {
    await expect(main(["selftest", "claude"], io().io)).rejects.toMatchObject({
      lines: ["selftest: backends are for --live (got claude)"],
      usage: "usage: agents selftest [backend...] [--live]",
      exitCode: 2,
    });
  });
});
