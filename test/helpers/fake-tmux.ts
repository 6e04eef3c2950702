// A tmux server in memory, behind the same TmuxTransport the real Tmux uses: `new Tmux({ transport:
// fake })`. It holds sessions (one main pane each, optionally split), answers the commands the
// supervisor sends with the output tmux would print, and records every call in order, so a test
// can say what was captured when, and the order of starts, kills and keystrokes.
//
// Like tmux: `=name` targets match exactly and a bare name also matches a unique prefix (so a test
// can tell the two apart by the argv), `name:` is the session's active (main) pane, a lone ";"
// argument separates commands in one invocation, and with no sessions there is no server: every
// command but new-session fails with "no server running".
import type { Ctx } from "../../src/commands/context.js";
import type { Fleet } from "../../src/config/load.js";
import { Tmux, type RunResult, type TmuxTransport } from "../../src/tmux/tmux.js";

export interface FakePane {
  index: number;
  pid: number;
  /** pane_current_command: the foreground process's name. */
  command: string;
  dead: boolean;
  /** pane_dead_status: printed only while dead. */
  deadStatus?: number;
  /** pane_dead_signal: printed only while dead (a process ended by a signal has no status). */
  deadSignal?: number;
  /** Free text; may contain tabs. */
  title: string;
  /** What capture-pane -p prints (one final newline is dropped, as SpawnTransport does). */
  text: string;
}

export interface FakeKeys {
  /** send-keys -l: typed as text, not key names. */
  literal: boolean;
  keys: string[];
  /** Fake clock (ms) when they were sent. */
  at: number;
}

export interface FakeSession extends FakePane {
  name: string;
  /** window_activity: epoch seconds of the last output. */
  activity: number;
  /** session_created: epoch seconds. */
  created: number;
  /** Panes split off the main one (listed after it, in this order). */
  splits: FakePane[];
  /** What new-session was given (empty for sessions added by the test). */
  cwd?: string;
  startCommand?: string;
  env: Record<string, string>;
  width?: number;
  height?: number;
  /** Every send-keys to this session, in order. */
  sent: FakeKeys[];
  /** pipe-pane's shell command, once set. */
  pipe?: string;
  /** set-option values, by option name (-w and -g are not told apart). */
  options: Record<string, string>;
}

export interface FakeCall {
  /** The argv as Tmux passed it (no binary, no -L). */
  args: string[];
  /** Fake clock (ms) at the call. */
  at: number;
  code: number;
}

export type SessionSpec = Partial<Omit<FakeSession, "name" | "splits" | "sent" | "options" | "env">> & {
  splits?: Partial<FakePane>[];
};

export interface FakeTmuxOptions {
  /** Clock in epoch ms for activity, created and call times; default Date.now. */
  now?: () => number;
  /** pane_current_command for sessions made by new-session; default the first word of the command. */
  commandOf?: (startCommand: string) => string;
}

const ok = (stdout = ""): RunResult => ({ code: 0, stdout, stderr: "" });
const fail = (stderr: string): RunResult => ({ code: 1, stdout: "", stderr });
const NO_SERVER = "no server running on /tmp/tmux-fake/default";

/** Flags of the commands below that take a value (everything else is a boolean flag). */
const VALUE_FLAGS: Record<string, string> = {
  "list-panes": "Fft",
  "list-sessions": "Ff",
  "has-session": "t",
  "new-session": "cefFnstxy",
  "kill-session": "t",
  "capture-pane": "bESt",
  "send-keys": "Nt",
  "pipe-pane": "t",
  "set-option": "t",
};

export class FakeTmux implements TmuxTransport {
  readonly sessions = new Map<string, FakeSession>();
  readonly calls: FakeCall[] = [];
  /** Canned results by command (respond/fail), answered instead of the model. */
  private readonly canned = new Map<string, RunResult>();
  private nextPid = 1000;
  private readonly clock: () => number;
  private readonly commandOf: (startCommand: string) => string;
  closed = false;

  constructor(opts: FakeTmuxOptions = {}) {
    this.clock = opts.now ?? Date.now;
    this.commandOf = opts.commandOf ?? ((c) => c.trim().split(/\s+/)[0]?.split("/").pop() ?? "");
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  // --- the model, for tests ---------------------------------------------------------------------

  /** Add (or replace) a session as if it had been running; returns it for later changes. */
  add(name: string, spec: SessionSpec = {}): FakeSession {
    const { splits = [], ...rest } = spec;
    const s: FakeSession = {
      name,
      index: 0,
      pid: this.nextPid++,
      command: "bash",
      dead: false,
      title: "",
      text: "",
      activity: this.nowSeconds(),
      created: this.nowSeconds(),
      env: {},
      sent: [],
      options: {},
      ...rest,
      splits: [],
    };
    for (const p of splits) this.split(s, p);
    this.sessions.set(name, s);
    return s;
  }

  /** Split a pane off a session (pane index 1, 2, ... unless given). */
  split(session: string | FakeSession, pane: Partial<FakePane> = {}): FakePane {
    const s = typeof session === "string" ? this.get(session) : session;
    const p: FakePane = {
      index: Math.max(s.index, ...s.splits.map((x) => x.index)) + 1,
      pid: this.nextPid++,
      command: "bash",
      dead: false,
      title: "",
      text: "",
      ...pane,
    };
    s.splits.push(p);
    return p;
  }

  get(name: string): FakeSession {
    const s = this.sessions.get(name);
    if (!s) throw new Error(`fake tmux: no session ${name}`);
    return s;
  }

  /** The pane prints: its screen becomes `text` and the window's activity is now. */
  output(name: string, text: string): void {
    const s = this.get(name);
    s.text = text;
    s.activity = this.nowSeconds();
  }

  /** The pane's process exits; the pane stays (remain-on-exit) as dead with this status. */
  exit(name: string, status = 0): void {
    const s = this.get(name);
    s.dead = true;
    s.deadStatus = status;
    s.activity = this.nowSeconds();
  }

  /** The pane's process is killed by a signal: dead with that signal and no status, as tmux shows it. */
  signal(name: string, signal: number): void {
    const s = this.get(name);
    s.dead = true;
    s.deadStatus = undefined;
    s.deadSignal = signal;
    s.activity = this.nowSeconds();
  }

  /** Every call of `command` (e.g. "list-panes") returns exactly `result` until restore(command). */
  respond(command: string, result: Partial<RunResult>): void {
    this.canned.set(command, { code: 0, stdout: "", stderr: "", ...result });
  }

  /** Every call of `command` fails (exit 1, this stderr) until restore(command). */
  fail(command: string, stderr = `${command}: failed`): void {
    this.respond(command, { code: 1, stderr });
  }

  restore(command: string): void {
    this.canned.delete(command);
  }

  // --- what was asked ---------------------------------------------------------------------------

  /** Every call as one line, argv joined by spaces ("capture-pane -p -t =a:"), optionally only
   * those of one command. */
  history(command?: string): string[] {
    return this.calls.filter((c) => command === undefined || c.args[0] === command).map((c) => c.args.join(" "));
  }

  /** How many capture-pane calls targeted this session (`name`, `=name` or `=name:...`). */
  captures(name: string): number {
    return this.calls.filter((c) => c.args[0] === "capture-pane" && targetSession(c.args) === name).length;
  }

  /** Forget the recorded calls (the model stays). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  // --- TmuxTransport ----------------------------------------------------------------------------

  async run(args: string[]): Promise<RunResult> {
    const at = this.clock();
    // A lone ";" separates commands, as on tmux's command line; the first failure stops the rest.
    const commands: string[][] = [[]];
    for (const a of args) {
      if (a === ";") commands.push([]);
      else commands.at(-1)!.push(a);
    }
    let out: RunResult = ok();
    const stdout: string[] = [];
    for (const cmd of commands) {
      if (cmd.length === 0) continue;
      out = this.one(cmd);
      if (out.stdout !== "") stdout.push(out.stdout);
      if (out.code !== 0) break;
    }
    const result = { ...out, stdout: stdout.join("\n") };
    this.calls.push({ args: [...args], at, code: result.code });
    return result;
  }

  close(): void {
    this.closed = true;
  }

  private one(argv: string[]): RunResult {
    const [command = "", ...rest] = argv;
    const canned = this.canned.get(command);
    if (canned) return { ...canned };
    if (command !== "new-session" && command !== "kill-server" && this.sessions.size === 0) return fail(NO_SERVER);
    const { flags, positional } = parseArgs(command, rest);
    switch (command) {
      case "list-panes": {
        if (!flags.has("a")) return fail("fake tmux: only list-panes -a is modelled");
        const lines: string[] = [];
        for (const s of this.sessions.values()) {
          for (const p of [s, ...s.splits]) lines.push(expand(flags.get("F") ?? "#{pane_id}", s, p));
        }
        return ok(lines.join("\n"));
      }
      case "list-sessions":
        return ok([...this.sessions.values()].map((s) => expand(flags.get("F") ?? "#{session_name}", s, s)).join("\n"));
      case "has-session": {
        const s = this.resolve(flags.get("t"));
        return s.session ? ok() : fail(s.error);
      }
      case "new-session": {
        const name = flags.get("s");
        if (!name) return fail("fake tmux: new-session without -s");
        if (this.sessions.has(name)) return fail(`duplicate session: ${name}`);
        const startCommand = positional.join(" ");
        const env: Record<string, string> = {};
        for (const e of flags.all("e")) {
          const i = e.indexOf("=");
          env[e.slice(0, i)] = e.slice(i + 1);
        }
        const s = this.add(name, {
          command: this.commandOf(startCommand),
          startCommand,
          cwd: flags.get("c"),
          width: flags.has("x") ? Number(flags.get("x")) : undefined,
          height: flags.has("y") ? Number(flags.get("y")) : undefined,
        });
        s.env = env;
        return ok();
      }
      case "kill-session": {
        const r = this.resolve(flags.get("t"));
        if (!r.session) return fail(r.error);
        this.sessions.delete(r.session.name);
        return ok();
      }
      case "kill-server":
        if (this.sessions.size === 0) return fail(NO_SERVER);
        this.sessions.clear();
        return ok();
      case "capture-pane": {
        if (!flags.has("p")) return fail("fake tmux: only capture-pane -p is modelled");
        const r = this.resolve(flags.get("t"));
        if (!r.session) return fail(r.error);
        return ok(r.session.text.endsWith("\n") ? r.session.text.slice(0, -1) : r.session.text);
      }
      case "send-keys": {
        const r = this.resolve(flags.get("t"));
        if (!r.session) return fail(r.error);
        r.session.sent.push({ literal: flags.has("l"), keys: positional, at: this.clock() });
        return ok();
      }
      case "pipe-pane": {
        const r = this.resolve(flags.get("t"));
        if (!r.session) return fail(r.error);
        // -o: open only if none is open yet (tmux toggles; the supervisor only ever opens).
        if (!(flags.has("o") && r.session.pipe !== undefined)) r.session.pipe = positional.join(" ");
        return ok();
      }
      case "set-option": {
        const r = this.resolve(flags.get("t"));
        if (!r.session) return fail(r.error);
        const [option, value = ""] = positional;
        if (!option) return fail("fake tmux: set-option without an option");
        r.session.options[option] = value;
        return ok();
      }
      default:
        return fail(`unknown command: ${command}`);
    }
  }

  /** The session a target names: `=name`/`=name:...` exactly; a bare name exactly or by a unique prefix. */
  private resolve(target: string | undefined): { session?: FakeSession; error: string } {
    if (target === undefined) return { error: "fake tmux: no -t (the current session is not modelled)" };
    const exact = target.startsWith("=");
    const name = (exact ? target.slice(1) : target).split(":")[0]!;
    const s = this.sessions.get(name);
    if (s) return { session: s, error: "" };
    if (!exact) {
      const prefixed = [...this.sessions.values()].filter((x) => x.name.startsWith(name));
      if (prefixed.length === 1) return { session: prefixed[0], error: "" };
      if (prefixed.length > 1) return { error: `can't find session: ${name} (ambiguous)` };
    }
    return { error: `can't find session: ${name}` };
  }
}

function targetSession(args: string[]): string | undefined {
  const i = args.indexOf("-t");
  const t = i >= 0 ? args[i + 1] : undefined;
  return t?.replace(/^=/, "").split(":")[0];
}

class Flags {
  private readonly values = new Map<string, string[]>();
  add(flag: string, value: string): void {
    const v = this.values.get(flag) ?? [];
    v.push(value);
    this.values.set(flag, v);
  }
  has(flag: string): boolean {
    return this.values.has(flag);
  }
  get(flag: string): string | undefined {
    return this.values.get(flag)?.at(-1);
  }
  all(flag: string): string[] {
    return this.values.get(flag) ?? [];
  }
}

/** getopt as tmux does it: clustered boolean flags, a value flag's value attached or next, "--" ends flags. */
function parseArgs(command: string, args: string[]): { flags: Flags; positional: string[] } {
  const takesValue = VALUE_FLAGS[command] ?? "";
  const flags = new Flags();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break;
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (takesValue.includes(f)) {
        const attached = a.slice(j + 1);
        flags.add(f, attached !== "" ? attached : (args[++i] ?? ""));
        break;
      }
      flags.add(f, "");
    }
  }
  return { flags, positional: args.slice(i) };
}

/** Expand #{name} format variables for one pane of a session; unknown ones are empty, as in tmux. */
function expand(format: string, s: FakeSession, p: FakePane): string {
  const vars: Record<string, string> = {
    session_name: s.name,
    session_created: String(s.created),
    window_activity: String(s.activity),
    pane_pid: String(p.pid),
    pane_current_command: p.command,
    pane_dead: p.dead ? "1" : "0",
    pane_dead_status: p.dead && p.deadStatus !== undefined ? String(p.deadStatus) : "",
    pane_dead_signal: p.dead && p.deadSignal !== undefined ? String(p.deadSignal) : "",
    pane_index: String(p.index),
    pane_title: p.title,
  };
  return format.replace(/#\{([a-z_]+)\}/g, (_m, name: string) => vars[name] ?? "");
}

/** A command's context on a fake tmux server: what it prints (io.out) is collected in `out`. */
export function fakeCtx(fleet: Fleet, fake: FakeTmux = new FakeTmux()): { ctx: Ctx; out: string[] } {
  const out: string[] = [];
  return { out, ctx: { fleet, tmux: new Tmux({ transport: fake }), io: { out: (l: string) => out.push(l), err: () => {} }, say: () => {} } };
}
