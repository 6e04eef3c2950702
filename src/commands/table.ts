// Every verb, declared once: name, summary, positionals and options. Parsing and every help text
// (args.ts) are generated from these declarations. This file holds declarations only: each verb's
// code is imported by its `load`, when that verb runs, so help and usage errors never load it.
import type { UsageError } from "../errors.js";
import type { Io } from "./context.js";

export interface BooleanOption {
  type: "boolean";
  short?: string;
  description: string;
}

export interface StringOption {
  type: "string";
  short?: string;
  /** The value's name in usage and help: `--config PATH`. */
  value: string;
  description: string;
  /** Raw text, run through `parse` like a given value; shown in help. */
  default?: string;
  required?: boolean;
  /** Turn the raw text into the value; throw an Error whose message completes "<flag> ...". */
  parse?: (raw: string) => unknown;
}

export type OptionSpec = BooleanOption | StringOption;

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Takes every remaining argument (a string[]; must be last). */
  variadic?: boolean;
  /** The only values accepted; usage shows them instead of the name. */
  choices?: readonly string[];
}

export interface VerbSpec {
  name: string;
  /** One line for the verb list in `agents help`. */
  summary: string;
  /** Further lines for the verb's own help. */
  details?: readonly string[];
  positionals: readonly PositionalSpec[];
  /** Keyed by long name (`--dry-run` is "dry-run"); -h/--help is added to every verb. */
  options: Readonly<Record<string, OptionSpec>>;
}

type Given<O> = O extends { default: string } ? true : O extends { required: true } ? true : false;
type OptValue<O> = O extends { type: "boolean" }
  ? boolean
  : O extends { parse: (raw: string) => infer T }
    ? Given<O> extends true ? T : T | undefined
    : Given<O> extends true ? string : string | undefined;
type ArgValue<P> = P extends { variadic: true } ? string[] : P extends { required: true } ? string : string | undefined;

export type OptValues<S extends VerbSpec> = { -readonly [K in keyof S["options"]]: OptValue<S["options"][K]> };
export type ArgValues<S extends VerbSpec> = { [P in S["positionals"][number] as P["name"]]: ArgValue<P> };

/** What a verb's `run` gets: its parsed options and positionals, typed from its declaration. */
export interface Invocation<S extends VerbSpec = VerbSpec> {
  opts: OptValues<S>;
  args: ArgValues<S>;
  io: Io;
  /** A usage mistake the parser cannot see (it depends on other arguments): exit 2 with the usage line. */
  usage(message: string): UsageError;
}

export interface VerbModule<S extends VerbSpec> {
  run(inv: Invocation<S>): Promise<number> | number;
}

export interface Verb {
  spec: VerbSpec;
  load(): Promise<VerbModule<VerbSpec>>;
}

const verb = <const S extends VerbSpec>(spec: S): S => spec;

/** Checks that the module's run takes this verb's arguments, then forgets the precise types. */
const entry = <S extends VerbSpec>(spec: S, load: () => Promise<VerbModule<S>>): Verb => ({
  spec,
  load: load as unknown as Verb["load"],
});

function count(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new Error(`expects a number of lines (0 or more), got "${raw}"`);
  return Number(raw);
}

const config = {
  type: "string",
  value: "PATH",
  default: "./agents.toml",
  description: "the fleet's config",
} as const;

export const SPECS = {
  up: verb({
    name: "up",
    summary: "start every enabled agent, service and the watchdog, or just the named ones",
    details: [
      "A running session is left alone; a parked agent is unparked (a fresh restart budget).",
      "--dry-run prints what would start, already runs or would be unparked, and changes nothing.",
    ],
    positionals: [{ name: "name", variadic: true, description: 'agents, services or "watchdog" (default: everything enabled)' }],
    options: {
      "dry-run": { type: "boolean", description: "say what would start; start nothing, write nothing" },
      config,
    },
  }),
  down: verb({
    name: "down",
    summary: "stop the watchdog first, then the fleet's sessions (or the named ones), by exact name",
    details: ["A watched agent stopped by name stays stopped (it is parked) until `agents up <name>`."],
    positionals: [{ name: "name", variadic: true, description: 'agents, services or "watchdog" (default: all of them)' }],
    options: { config },
  }),
  status: verb({
    name: "status",
    summary: "one table: each agent's kind, backend, model, watch mode, session and what it is doing",
    positionals: [],
    options: {
      json: { type: "boolean", description: "the same report as JSON" },
      config,
    },
  }),
  logs: verb({
    name: "logs",
    summary: "show (or follow) a session's log; \"watchdog\" shows the watchdog's decision events",
    details: [
      "With --transcript: an agent's conversation from its CLI's own record (Claude Code's transcript,",
      "Codex's rollout): prompts, replies, tool calls and their results, errors and usage limits.",
    ],
    positionals: [{ name: "name", required: true, description: 'an agent or service, or "watchdog"' }],
    options: {
      follow: { type: "boolean", short: "f", description: "keep printing as the log grows" },
      lines: { type: "string", short: "n", value: "N", default: "40", parse: count, description: "how many of the last lines to show" },
      transcript: { type: "boolean", description: "an agent's conversation, read from its CLI's own record" },
      json: { type: "boolean", description: "with \"watchdog\": the raw JSON event lines" },
      config,
    },
  }),
  why: verb({
    name: "why",
    summary: "why an agent is where it is: its status, recent decisions with their reasons, and the last forensic record",
    details: [
      "The watchdog saves a record before it kills, restarts or parks an agent: the screen with its",
      "scrollback, the pane's command, title and exit status or signal, the reason, and the session log's",
      "tail. This shows the newest one (its screen's last 40 non-empty lines), in local time.",
    ],
    positionals: [{ name: "agent", required: true, description: "an agent of the config" }],
    options: {
      json: { type: "boolean", description: "the same report as JSON (shape in the README)" },
      config,
    },
  }),
  phase: verb({
    name: "phase",
    summary: "inspect or move the loop phase",
    positionals: [
      { name: "subcommand", choices: ["show", "next", "set"], description: "show (the default), next, or set the index" },
      { name: "index", description: "with set: the phase index, from 0" },
    ],
    options: { config },
  }),
  watchdog: verb({
    name: "watchdog",
    summary: "the supervisor loop in the foreground (what `up` runs in its own tmux session)",
    positionals: [],
    options: {
      once: { type: "boolean", description: "run one tick and exit" },
      "dry-run": { type: "boolean", description: "log what it would do, do nothing" },
      config,
    },
  }),
  notify: verb({
    name: "notify",
    summary: "notifications: `notify test` sends one test event to every [notify] sink and reports each",
    details: [
      "One line per sink: ok, skipped (desktop without notify-send) or FAILED with the error (URLs shown",
      "as scheme and host only). Exit 1 when any sink failed, 2 when [notify] has no sinks.",
    ],
    positionals: [{ name: "subcommand", required: true, choices: ["test"], description: "send one test event to every sink" }],
    options: { config },
  }),
  selftest: verb({
    name: "selftest",
    summary: "detection checks against recorded screens (no config needed); --live drives the real CLIs",
    positionals: [{ name: "backend", variadic: true, description: "with --live: the backends to drive (default: all)" }],
    options: {
      live: { type: "boolean", description: "drive the installed CLIs against a local mock model server" },
    },
  }),
  classify: verb({
    name: "classify",
    summary: "print the state a backend's rules read from a saved screen, or from an agent's live pane",
    details: [
      "With --backend: a saved screen (a file, or stdin for \"-\" or none), read exactly as the watchdog",
      "reads a pane: --title, --command and --dead give the pane's #{pane_title}, #{pane_current_command}",
      "and #{pane_dead} (a spinner title is working, a shell command or a dead pane exited).",
      "Without --backend: an agent of the config (default ./agents.toml): its live pane, with its",
      "backend's rules, then what its CLI's own record (the signal tap) last said.",
    ],
    positionals: [{ name: "target", description: 'with --backend: the saved screen ("-" or none: stdin); else an agent' }],
    options: {
      backend: { type: "string", value: "NAME", description: "whose rules to apply to a saved screen" },
      title: { type: "string", value: "T", description: "the saved pane's title (#{pane_title})" },
      command: { type: "string", value: "C", description: "the saved pane's command (#{pane_current_command})" },
      dead: { type: "boolean", description: "the saved pane was dead (#{pane_dead})" },
      explain: { type: "boolean", description: "show which rule matched and why" },
      json: { type: "boolean", description: "the classification as JSON" },
      config: { type: "string", value: "PATH", description: "for a saved screen, apply this config's [backend.NAME] overrides (default: the built-in preset); for an agent, its config (default ./agents.toml)" },
    },
  }),
  service: verb({
    name: "service",
    summary: "install or remove a user service (systemd; launchd on macOS) that brings the fleet back after a reboot",
    details: [
      "install writes ~/.config/systemd/user/agents-<project>-<hash>.service and enables it; it runs",
      "`agents service run` at login (at boot with `loginctl enable-linger`): services and unwatched agents",
      "are started, then the watchdog supervises in the foreground and brings back every missing agent,",
      "resuming its conversation per resume_on. Without a service manager it prints a crontab @reboot line.",
      "Stopping the service stops supervision only; `agents down` stops the agents.",
    ],
    positionals: [{ name: "action", required: true, choices: ["install", "remove", "run"], description: "install, remove, or run (what the service runs)" }],
    options: {
      print: { type: "boolean", description: "with install: print the unit (or plist, or cron line) and write nothing" },
      config,
    },
  }),
  init: verb({
    name: "init",
    summary: "scaffold agents.toml and prompts/ (refuses to overwrite)",
    positionals: [{ name: "dir", description: "the project directory (default: the current one)" }],
    options: {},
  }),
  help: verb({
    name: "help",
    summary: "this help, or one verb's",
    positionals: [{ name: "verb", description: "the verb to explain" }],
    options: {},
  }),
};

export type Args<V extends keyof typeof SPECS> = Invocation<(typeof SPECS)[V]>;

/** In the order `agents help` lists them. */
export const VERBS: readonly Verb[] = [
  entry(SPECS.up, () => import("./up.js")),
  entry(SPECS.down, () => import("./down.js")),
  entry(SPECS.status, () => import("./status.js")),
  entry(SPECS.logs, () => import("./logs.js")),
  entry(SPECS.why, () => import("./why.js")),
  entry(SPECS.phase, () => import("./phase.js")),
  entry(SPECS.watchdog, () => import("./watchdog.js")),
  entry(SPECS.notify, () => import("./notify.js")),
  entry(SPECS.selftest, () => import("./selftest.js")),
  entry(SPECS.classify, () => import("./classify.js")),
  entry(SPECS.service, () => import("./service.js")),
  entry(SPECS.init, () => import("./init.js")),
  entry(SPECS.help, () => import("./help.js")),
];

export function findVerb(name: string): Verb | undefined {
  return VERBS.find((v) => v.spec.name === name);
}
