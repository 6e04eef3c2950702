// argv → verb, exit codes (0 ok, 1 runtime failure, 2 bad usage or config), one-line errors.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { UserError } from "./errors.js";
import { defaultConfigPath } from "./config/paths.js";
import type { Io } from "./commands/context.js";

const stdio: Io = {
  out: (l) => process.stdout.write(l + "\n"),
  err: (l) => process.stderr.write(l + "\n"),
};
import type { Fleet } from "./config/load.js";

export const HELP = `agents — keep a fleet of AI coding agents alive in tmux

usage: agents <verb> [args] [--config PATH]

verbs:
  up [name...]              start every enabled agent, service and the watchdog (or just the named ones;
                            "watchdog" is a name). Running sessions are left alone; a parked agent is unparked.
  down [name...]            stop the watchdog first, then the fleet's sessions (or the named ones), by exact name
  status [--json]           one table: each agent's kind, backend, model, watch mode, session and what it is doing
  logs <name> [-f] [-n N]   show (or follow) an agent's session log; "watchdog" shows its decision events
  phase [show|next|set N]   inspect or move the loop phase
  watchdog [--once] [--dry-run]
                            the supervisor loop in the foreground (what \`up\` runs in its own tmux session)
  selftest [--live [backend...]]
                            detection checks against recorded screens (no config needed); --live drives the real CLIs
  classify --backend NAME [FILE|-] [--explain] [--json]
                            print the state a backend's rules read from one captured screen
  init [dir]                scaffold agents.toml and prompts/ (refuses to overwrite)

options:
  --config PATH             the fleet's config (default ./agents.toml)
  -h, --help                this help

exit codes: 0 ok, 1 runtime failure, 2 bad usage or invalid config`;

const OPTIONS = {
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  follow: { type: "boolean", short: "f" },
  lines: { type: "string", short: "n" },
  live: { type: "boolean" },
  backend: { type: "string" },
  explain: { type: "boolean" },
  once: { type: "boolean" },
  "dry-run": { type: "boolean" },
  version: { type: "boolean", short: "V" },
} as const;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message.split("\n")[0]} (see agents --help)`);
  }
  const { values: v, positionals } = parsed;
  const [verb, ...rest] = positionals;
  if (v.version) {
    io.out(version());
    return 0;
  }
  if (v.help || !verb || verb === "help") {
    io.out(HELP);
    return verb || v.help ? 0 : 2;
  }
  const configPath = v.config ?? defaultConfigPath();
  const lines = v.lines === undefined ? 40 : Number(v.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new UserError(`-n expects a number of lines, got "${v.lines}"`);

  // Each verb loads only its own modules: node's start-up is most of what a quick verb costs.
  const open = async () => (await import("./commands/context.js")).openFleet(configPath, io);
  switch (verb) {
    case "up":
      return (await import("./commands/updown.js")).up(await open(), rest);
    case "down":
      return (await import("./commands/updown.js")).down(await open(), rest);
    case "status": {
      const [{ loadFleetCached }, { Tmux }, { status }] = await Promise.all([
        import("./config/cache.js"),
        import("./tmux/tmux.js"),
        import("./commands/status.js"),
      ]);
      const fleet: Fleet = await loadFleetCached(configPath);
      for (const w of fleet.warnings) io.err(`warning: ${w}`);
      return status({ fleet, tmux: new Tmux({ socket: fleet.tmuxSocket }), io, say: io.out }, !!v.json);
    }
    case "logs":
      return (await import("./commands/misc.js")).logs(await open(), rest[0], !!v.follow, lines, !!v.json);
    case "phase":
      return (await import("./commands/misc.js")).phase(await open(), rest);
    case "watchdog":
      return (await import("./watchdog/loop.js")).runWatchdog(configPath, { once: !!v.once, dryRun: !!v["dry-run"] });
    case "init":
      return (await import("./commands/misc.js")).init(rest[0], io);
    case "selftest":
      return (await import("./commands/detect.js")).selftest(io, !!v.live, rest);
    case "classify":
      return (await import("./commands/detect.js")).classifyVerb(io, {
        backend: v.backend,
        file: rest[0],
        explain: !!v.explain,
        json: !!v.json,
        configPath: v.config,
      });
    default:
      throw new UserError(`unknown verb "${verb}" (see agents --help)`);
  }
}

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    if (err instanceof UserError) {
      for (const l of err.lines) process.stderr.write(`agents: ${l}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`agents: ${(err as Error).message}\n`);
      if (process.env.AGENTS_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      process.exitCode = 1;
    }
  }
}
