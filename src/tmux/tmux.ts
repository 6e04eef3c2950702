// The only module that builds tmux argv. Every target is exact (`=name` / `=name:`) because tmux
// prefix-matches bare names: `-t proj-a` would happily hit `proj-a3`, someone else's work.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";

export interface PaneInfo {
  session: string;
  pid: number;
  command: string;
  dead: boolean;
  deadStatus?: number;
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
  "#{window_activity}",
  "#{session_created}",
  "#{pane_index}",
  // Last: titles are free text, so they get whatever follows the final separator.
  "#{pane_title}",
].join(FIELD_SEP);

export function parsePaneLine(line: string): (PaneInfo & { paneIndex: number }) | undefined {
  const parts = line.split(FIELD_SEP);
  if (parts.length < 9) return undefined;
  const [session, pid, command, dead, deadStatus, activity, created, paneIndex] = parts;
  return {
    session: session!,
    pid: Number(pid),
    command: command ?? "",
    dead: dead === "1",
    deadStatus: deadStatus === "" || deadStatus === undefined ? undefined : Number(deadStatus),
    activity: Number(activity) || 0,
    created: Number(created) || 0,
    paneIndex: Number(paneIndex) || 0,
    title: parts.slice(8).join(FIELD_SEP),
  };
}

/** A transport runs one tmux command (argv without the binary and socket flags). */
export interface TmuxTransport {
  run(args: string[]): Promise<RunResult>;
  close?(): void;
}

export class SpawnTransport implements TmuxTransport {
  constructor(
    private readonly bin: string,
    private readonly baseArgs: string[],
  ) {}

  /**
   * Plain child_process rather than execa: a tmux call is on every tick's path and execa's
   * machinery roughly doubles the CPU a spawn costs in our process (measured by `npm run bench`).
   * Same result shape as before: a failed spawn or a signal death is code 1, and one final
   * newline is stripped from stdout and stderr.
   */
  run(args: string[]): Promise<RunResult> {
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let spawnFailed = false;
      let child;
      try {
        child = spawn(this.bin, [...this.baseArgs, ...args], { stdio: ["ignore", "pipe", "pipe"], env: tmuxEnv() });
      } catch (e) {
        resolve({ code: 127, stdout: "", stderr: String((e as Error).message) });
        return;
      }
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
      child.on("error", () => {
        spawnFailed = true;
      });
      child.on("close", (code) => {
        if (spawnFailed) resolve({ code: 1, stdout: "", stderr: "" });
        else resolve({ code: code ?? 1, stdout: stripFinalNewline(Buffer.concat(out).toString("utf8")), stderr: stripFinalNewline(Buffer.concat(err).toString("utf8")) });
      });
    });
  }
}

function stripFinalNewline(s: string): string {
  if (s.endsWith("\r\n")) return s.slice(0, -2);
  if (s.endsWith("\n")) return s.slice(0, -1);
  return s;
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
}

export class Tmux {
  readonly socket?: string;
  readonly bin: string;
  private readonly transport: TmuxTransport;

  constructor(opts: TmuxOptions = {}) {
    this.socket = opts.socket || undefined;
    this.bin = opts.bin ?? "tmux";
    this.transport = opts.transport ?? new SpawnTransport(this.bin, this.baseArgs());
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
    return this.run(args);
  }

  async killSession(name: string): Promise<boolean> {
    return (await this.run(["kill-session", "-t", sessionTarget(name)])).code === 0;
  }

  async capture(name: string): Promise<string | undefined> {
    const r = await this.run(["capture-pane", "-p", "-t", paneTarget(name)]);
    return r.code === 0 ? r.stdout : undefined;
  }

  /** Append everything the pane prints to logPath (tmux runs the pipe command with sh). */
  async pipeToFile(name: string, logPath: string): Promise<RunResult> {
    return this.run(["pipe-pane", "-o", "-t", paneTarget(name), `exec cat >> ${shellQuote(logPath)}`]);
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
