// The only module that builds tmux argv. Every target is exact (`=name` / `=name:`) because tmux
// prefix-matches bare names: `-t proj-a` would happily hit `proj-a3`, someone else's work.
import { rmSync } from "node:fs";
import path from "node:path";
import { runBounded } from "../proc/run.js";

export interface PaneInfo {
  session: string;
  pid: number;
  command: string;
  dead: boolean;
  deadStatus?: number;
  /** pane_dead_signal: the signal that ended a dead pane's process (then there is no status). */
  deadSignal?: number;
  /** Epoch seconds of the last output in the window (tmux's own activity clock). */
  activity: number;
  created: number;
  title: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NewSessionSpec {
  name: string;
  cwd: string;
  /** A shell command line; tmux runs it with `sh -c`. Build it with shellQuote for every value. */
  command: string;
  env?: Record<string, string>;
  width?: number;
  height?: number;
  /** Pipe the pane into this file from its first byte: chained in the same tmux command, so even a
   * process that dies at once leaves what it said (a later pipeToFile finds the pane gone). */
  logTo?: string;
}

export const sessionTarget = (name: string): string => `=${name}`;
export const paneTarget = (name: string): string => `=${name}:`;

/** POSIX single-quote a value for the few places where tmux itself runs a shell command. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\-.,/:@%+=]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const FIELD_SEP = "\t";
const PANE_FORMAT = [
  "#{session_name}",
  "#{pane_pid}",
  "#{pane_current_command}",
  "#{pane_dead}",
  "#{pane_dead_status}",
  "#{pane_dead_signal}",
  "#{window_activity}",
  "#{session_created}",
  "#{pane_index}",
  // Last: titles are free text, so they get whatever follows the final separator.
  "#{pane_title}",
].join(FIELD_SEP);

export function parsePaneLine(line: string): (PaneInfo & { paneIndex: number }) | undefined {
  const parts = line.split(FIELD_SEP);
  if (parts.length < 10) return undefined;
  const [session, pid, command, dead, deadStatus, deadSignal, activity, created, paneIndex] = parts;
  return {
    session: session!,
    pid: Number(pid),
    command: command ?? "",
    dead: dead === "1",
    deadStatus: deadStatus === "" || deadStatus === undefined ? undefined : Number(deadStatus),
    deadSignal: deadSignal === "" || deadSignal === undefined ? undefined : Number(deadSignal),
    activity: Number(activity) || 0,
    created: Number(created) || 0,
    paneIndex: Number(paneIndex) || 0,
    title: parts.slice(9).join(FIELD_SEP),
  };
}

/** A transport runs one tmux command (argv without the binary and socket flags). */
export interface TmuxTransport {
  run(args: string[]): Promise<RunResult>;
  close?(): void;
}

/** A tmux command that takes longer than this is hung (a wedged server): killed, and it failed. */
export const TMUX_TIMEOUT_MS = 10_000;

export class SpawnTransport implements TmuxTransport {
  constructor(
    private readonly bin: string,
    private readonly baseArgs: string[],
    private readonly timeoutMs: number = TMUX_TIMEOUT_MS,
  ) {}

  /**
   * Through runBounded (plain child_process, not execa: a tmux call is on every tick's path and
   * execa roughly doubles the CPU a spawn costs in our process, measured by `npm run bench`), so a
   * hung tmux can never stall a tick. A signal death or a timeout is code 1, a failed spawn 127;
   * one final newline is stripped from stdout and stderr.
   */
  async run(args: string[]): Promise<RunResult> {
    const r = await runBounded(this.bin, [...this.baseArgs, ...args], { timeoutMs: this.timeoutMs, env: tmuxEnv() });
    if (r.error !== undefined) return { code: r.code, stdout: "", stderr: r.error };
    if (r.timedOut) return { code: 1, stdout: r.stdout, stderr: `tmux ${args[0]} timed out after ${this.timeoutMs / 1000}s` };
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }
}

/** Our own process env minus TMUX/TMUX_PANE, so a command run from inside a tmux pane never
 * talks to the user's server by accident when a private socket is configured. */
export function tmuxEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

export interface TmuxOptions {
  /** Private server name (`tmux -L`). */
  socket?: string;
  bin?: string;
  transport?: TmuxTransport;
  /** Per-command bound for the default transport (TMUX_TIMEOUT_MS). */
  timeoutMs?: number;
}

export class Tmux {
  readonly socket?: string;
  readonly bin: string;
  private readonly transport: TmuxTransport;

  constructor(opts: TmuxOptions = {}) {
    this.socket = opts.socket || undefined;
    this.bin = opts.bin ?? "tmux";
    this.transport = opts.transport ?? new SpawnTransport(this.bin, this.baseArgs(), opts.timeoutMs);
  }

  /** Flags every tmux invocation carries (the private socket). */
  baseArgs(): string[] {
    return this.socket ? ["-L", this.socket] : [];
  }

  close(): void {
    this.transport.close?.();
  }

  run(args: string[]): Promise<RunResult> {
    return this.transport.run(args);
  }

  /** Every pane on the server in one call; an absent server is simply an empty list. */
  async listPanes(): Promise<PaneInfo[]> {
    const r = await this.run(["list-panes", "-a", "-F", PANE_FORMAT]);
    if (r.code !== 0) return [];
    const bySession = new Map<string, PaneInfo & { paneIndex: number }>();
    for (const line of r.stdout.split("\n")) {
      const p = parsePaneLine(line);
      if (!p) continue;
      // An agent session has one pane; if a user split it, the first pane is the agent.
      const prev = bySession.get(p.session);
      if (!prev || p.paneIndex < prev.paneIndex) bySession.set(p.session, p);
    }
    return [...bySession.values()].map(({ paneIndex: _ignored, ...rest }) => rest);
  }

  async hasSession(name: string): Promise<boolean> {
    return (await this.run(["has-session", "-t", sessionTarget(name)])).code === 0;
  }

  async newSession(spec: NewSessionSpec): Promise<RunResult> {
    const args = ["new-session", "-d", "-s", spec.name, "-c", spec.cwd];
    args.push("-x", String(spec.width ?? 200), "-y", String(spec.height ?? 50));
    for (const [k, v] of Object.entries(spec.env ?? {})) args.push("-e", `${k}=${v}`);
    args.push(spec.command);
    if (spec.logTo) args.push(";", "pipe-pane", "-o", "-t", paneTarget(spec.name), `exec cat >> ${shellQuote(spec.logTo)}`);
    return this.run(args);
  }

  async killSession(name: string): Promise<boolean> {
    return (await this.run(["kill-session", "-t", sessionTarget(name)])).code === 0;
  }

  /** The visible pane; with `history`, up to that many scrollback lines above it too (`-S -N`). */
  async capture(name: string, opts: { history?: number } = {}): Promise<string | undefined> {
    const from = opts.history ? ["-S", `-${Math.floor(opts.history)}`] : [];
    const r = await this.run(["capture-pane", "-p", ...from, "-t", paneTarget(name)]);
    return r.code === 0 ? r.stdout : undefined;
  }

  /** Append everything the pane prints to logPath (tmux runs the pipe command with sh). */
  async pipeToFile(name: string, logPath: string): Promise<RunResult> {
    return this.run(["pipe-pane", "-o", "-t", paneTarget(name), `exec cat >> ${shellQuote(logPath)}`]);
  }

  /**
   * Replace the pane's pipe with a fresh one into logPath (no -o: tmux closes the old pipe first).
   * After the live log was renamed, the old cat drains what it was handed into the renamed file and
   * exits, and the new cat creates logPath. Only output tmux had queued but not yet written to the
   * old pipe is dropped (a few KB, and only during a flood).
   */
  async repipeToFile(name: string, logPath: string): Promise<RunResult> {
    return this.run(["pipe-pane", "-t", paneTarget(name), `exec cat >> ${shellQuote(logPath)}`]);
  }

  /** Type text literally (no key-name interpretation). */
  async sendText(name: string, text: string): Promise<RunResult> {
    return this.run(["send-keys", "-t", paneTarget(name), "-l", "--", text]);
  }

  async sendKeys(name: string, keys: string[]): Promise<RunResult> {
    return this.run(["send-keys", "-t", paneTarget(name), "--", ...keys]);
  }

  async setWindowOption(name: string, option: string, value: string): Promise<RunResult> {
    return this.run(["set-option", "-w", "-t", paneTarget(name), option, value]);
  }

  /** Kill this (private) server and remove its socket file, which tmux leaves behind. */
  async killServer(): Promise<void> {
    const r = await this.run(["kill-server"]);
    // Remove the socket only when no server is left behind it: an unlinked live socket orphans it.
    if (!this.socket || (r.code !== 0 && !/no server|error connecting|No such file/i.test(r.stderr))) return;
    const dir = path.join(process.env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid?.() ?? 0}`);
    rmSync(path.join(dir, this.socket), { force: true });
  }
}
