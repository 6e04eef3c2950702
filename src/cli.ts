// argv → verb, exit codes (0 ok, 1 runtime failure, 2 bad usage or config), one-line errors.
// Verbs, their arguments and all help text come from the verb table (commands/table.ts); a verb's
// own code is imported only when it runs (node's start-up is most of what a quick verb costs).
import { readFileSync } from "node:fs";
import { UsageError, UserError } from "./errors.js";
import { globalHelp, parseVerbArgs, usageError, verbHelp } from "./commands/args.js";
import { VERBS, findVerb } from "./commands/table.js";
import type { Io } from "./commands/context.js";

const stdio: Io = {
  out: (l) => process.stdout.write(l + "\n"),
  err: (l) => process.stderr.write(l + "\n"),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const help = () => globalHelp(VERBS.map((v) => v.spec));

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.out(help());
    return 2;
  }
  // Before a verb only the global options: -h/--help (optionally with a verb) and -V/--version.
  if (first === "-V" || first === "--version") {
    if (rest.length) throw new UserError(`--version takes nothing else (got ${rest.join(" ")})`);
    io.out(version());
    return 0;
  }
  if (first === "-h" || first === "--help") {
    argv = ["help", ...rest];
  } else if (first.startsWith("-")) {
    throw new UserError(`unknown option '${first}' (options go after the verb; see agents --help)`);
  }
  const verb = findVerb(argv[0]!);
  if (!verb) throw new UserError(`unknown verb "${argv[0]}" (see agents --help)`);
  const parsed = parseVerbArgs(verb.spec, argv.slice(1));
  if (parsed.help) {
    io.out(verbHelp(verb.spec));
    return 0;
  }
  const { run } = await verb.load();
  return run({
    opts: parsed.opts,
    args: parsed.args,
    io,
    usage: (message) => usageError(verb.spec, message),
  } as Parameters<typeof run>[0]);
}

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    if (err instanceof UserError) {
      for (const l of err.lines) process.stderr.write(`agents: ${l}\n`);
      if (err instanceof UsageError) process.stderr.write(`${err.usage}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`agents: ${(err as Error).message}\n`);
      if (process.env.AGENTS_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      process.exitCode = 1;
    }
  }
}
