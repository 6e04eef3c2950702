// Strict per-verb parsing and every help text, generated from the verb table's declarations.
import { parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import type { OptionSpec, PositionalSpec, VerbSpec } from "./table.js";

/** Every verb takes -h/--help. */
const HELP: OptionSpec = { type: "boolean", short: "h", description: "this help" };

const optionsOf = (spec: VerbSpec): [string, OptionSpec][] => [...Object.entries(spec.options), ["help", HELP]];

export interface Parsed {
  /** -h/--help was given: print the verb's help, run nothing. */
  help: boolean;
  opts: Record<string, unknown>;
  args: Record<string, string | string[] | undefined>;
}

export function usageError(spec: VerbSpec, message: string): UsageError {
  return new UsageError(`${spec.name}: ${message}`, usageLine(spec));
}

/** Parse a verb's arguments (everything after the verb). Throws a UsageError for anything it does not take. */
export function parseVerbArgs(spec: VerbSpec, argv: string[]): Parsed {
  const fail = (message: string) => usageError(spec, message);
  const known = new Map(optionsOf(spec));
  const config = Object.fromEntries(
    [...known].map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]),
  );
  // Not strict: every token is judged below, so each mistake gets this verb's own message.
  const { tokens } = parseArgs({ args: argv, options: config, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === "option" && t.name === "help")) return { help: true, opts: {}, args: {} };

  const raw = new Map<string, string | boolean>();
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") positionals.push(t.value);
    if (t.kind !== "option") continue;
    const o = known.get(t.name);
    if (!o) throw fail(`unknown option '${t.rawName}'`);
    if (o.type === "boolean") {
      if (t.value !== undefined) throw fail(`option '${t.rawName}' takes no value`);
      raw.set(t.name, true);
    } else {
      if (t.value === undefined) throw fail(`option '${t.rawName}' needs a value (${o.value})`);
      raw.set(t.name, t.value);
    }
  }

  const opts: Record<string, unknown> = {};
  for (const [name, o] of known) {
    if (name === "help") continue;
    if (o.type === "boolean") {
      opts[name] = raw.get(name) === true;
      continue;
    }
    const given = raw.get(name) as string | undefined;
    if (given === undefined && o.required) throw fail(`missing --${name} ${o.value}`);
    const text = given ?? o.default;
    if (text === undefined || !o.parse) {
      opts[name] = text;
      continue;
    }
    try {
      opts[name] = o.parse(text);
    } catch (err) {
      throw fail(`${flagOf(name, o, tokens)} ${(err as Error).message}`);
    }
  }

  const args: Record<string, string | string[] | undefined> = {};
  let i = 0;
  for (const p of spec.positionals) {
    const taken = p.variadic ? positionals.slice(i) : positionals.slice(i, i + 1);
    i += taken.length;
    if (p.required && taken.length === 0) throw fail(`missing ${positionalUsage(p)}`);
    for (const v of p.choices ? taken : []) {
      if (!p.choices!.includes(v)) throw fail(`unknown ${p.name} "${v}" (${p.choices!.join(", ")})`);
    }
    args[p.name] = p.variadic ? taken : taken[0];
  }
  if (i < positionals.length) throw fail(`unexpected argument '${positionals[i]}'`);
  return { help: false, opts, args };
}

/** The flag as the user wrote it (for messages about its value): `-n` or `--lines`. */
function flagOf(name: string, o: OptionSpec, tokens: ReturnType<typeof parseArgs>["tokens"]): string {
  const written = tokens?.filter((t) => t.kind === "option" && t.name === name).pop();
  return written?.kind === "option" ? written.rawName : o.short ? `-${o.short}` : `--${name}`;
}

function positionalUsage(p: PositionalSpec): string {
  const name = p.choices ? p.choices.join("|") : p.name;
  const shown = p.variadic ? `${name}...` : name;
  return p.required ? (p.choices ? shown : `<${shown}>`) : `[${shown}]`;
}

function optionUsage(name: string, o: OptionSpec): string {
  const flag = o.short ? `-${o.short}` : `--${name}`;
  const text = o.type === "string" ? `${flag} ${o.value}` : flag;
  return o.type === "string" && o.required ? text : `[${text}]`;
}

/** `usage: agents logs <name> [-f] [-n N] [--json] [--config PATH]`: required options, positionals, the rest. */
export function usageLine(spec: VerbSpec): string {
  const opts = Object.entries(spec.options);
  const required = opts.filter(([, o]) => o.type === "string" && o.required);
  const optional = opts.filter(([, o]) => !(o.type === "string" && o.required));
  const parts = [
    ...required.map(([n, o]) => optionUsage(n, o)),
    ...spec.positionals.map(positionalUsage),
    ...optional.map(([n, o]) => optionUsage(n, o)),
  ];
  return `usage: agents ${[spec.name, ...parts].join(" ")}`;
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`.trimEnd());
}

/** Every option of the verb, -h/--help included: exactly what it accepts. */
export function verbHelp(spec: VerbSpec): string {
  const summary = spec.summary[0]!.toUpperCase() + spec.summary.slice(1);
  const lines = [usageLine(spec), "", `${summary}.`, ...(spec.details ?? [])];
  if (spec.positionals.length) {
    lines.push("", "arguments:", ...columns(spec.positionals.map((p) => [positionalUsage(p), p.description])));
  }
  const opts = optionsOf(spec).map(([name, o]): [string, string] => {
    const flags = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value}` : ""}`;
    const extra = o.type === "string" ? (o.required ? " (required)" : o.default !== undefined ? ` (default ${o.default})` : "") : "";
    return [flags, o.description + extra];
  });
  lines.push("", "options:", ...columns(opts));
  return lines.join("\n");
}

/** `agents help`: every verb with its usage line and summary. */
export function globalHelp(specs: readonly VerbSpec[]): string {
  const verbs = specs.flatMap((s) => [`  ${usageLine(s).slice("usage: agents ".length)}`, `      ${s.summary}`]);
  return [
    "agents — keep a fleet of AI coding agents alive in tmux",
    "",
    "usage: agents <verb> [arguments] [options]",
    "       agents help <verb>, agents <verb> --help    one verb's arguments and options",
    "       agents --version",
    "",
    "verbs:",
    ...verbs,
    "",
    "exit codes: 0 ok, 1 runtime failure, 2 bad usage or invalid config",
  ].join("\n");
}
