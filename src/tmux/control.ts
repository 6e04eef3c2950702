// One persistent control-mode client (`tmux -C attach`): the watchdog's reads (list-panes,
// capture-pane) travel over its stdin/stdout instead of costing a tmux process each. It attaches
// only to a session the fleet owns, with ignore-size (never sizes a window), no-output (no %output
// stream) and read-only. Every command has a bound; a client that dies or stops answering is
// killed (by its pid) and every command waiting on it fails, so the caller can fall back.
import { spawn, type ChildProcess } from "node:child_process";
import { ControlParser, controlLine, type ControlEvent } from "./control-parse.js";
import type { RunResult } from "./tmux.js";

export const CLIENT_FLAGS = "ignore-size,no-output,read-only";
/** Notifications that mean a session or window came or went (a pane died, a session was killed). */
const TOPOLOGY = new Set(["sessions-changed", "session-closed", "window-close", "unlinked-window-close", "window-add", "unlinked-window-add"]);

interface Pending {
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ControlClientOptions {
  bin: string;
  baseArgs: string[];
  env: NodeJS.ProcessEnv;
  session: string;
  /** Per-command bound: a reply later than this means the client is hung. */
  timeoutMs: number;
  /** Sessions or windows came or went on the server. */
  onTopology?: () => void;
  /** The client is gone (exited, killed, hung): called once. */
  onGone?: (why: string) => void;
}

export class ControlClient {
  private child: ChildProcess | undefined;
  private readonly parser = new ControlParser();
  private readonly pending: Pending[] = [];
  private gone: string | undefined;
  /** Set until tmux confirms the attach (or the start fails). */
  private attachDone: ((err?: string) => void) | undefined;

  private constructor(private readonly opts: ControlClientOptions) {}

  /** Start a client and wait (bounded) until tmux confirms the attach; rejects if it cannot. */
  static async open(opts: ControlClientOptions): Promise<ControlClient> {
    const c = new ControlClient(opts);
    await c.start();
    return c;
  }

  get alive(): boolean {
    return this.gone === undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): Promise<void> {
    const { bin, baseArgs, env, session } = this.opts;
    return new Promise<void>((resolve, reject) => {
      const attachTimer = setTimeout(() => this.fail(`no attach confirmation in ${this.opts.timeoutMs / 1000}s`), this.opts.timeoutMs);
      this.attachDone = (err?: string) => {
        this.attachDone = undefined;
        clearTimeout(attachTimer);
        if (err === undefined) resolve();
        else reject(new Error(err));
      };
      try {
        this.child = spawn(bin, [...baseArgs, "-C", "attach-session", "-t", `=${session}`, "-f", CLIENT_FLAGS], {
          env,
          stdio: ["pipe", "pipe", "pipe"],
        });
      } catch (e) {
        this.fail(`could not start: ${(e as Error).message}`);
        return;
      }
      const child = this.child;
      child.on("error", (e) => this.fail(`could not start: ${e.message}`));
      child.stdin!.on("error", () => this.fail("its stdin closed"));
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString("utf8")).slice(-500)));
      child.on("exit", (code, sig) => this.fail(`exited (${sig ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split("\n")[0]}` : ""}`));
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (d: string) => {
        for (const ev of this.parser.feed(d)) this.event(ev);
      });
    });
  }

  private event(ev: ControlEvent): void {
    if (ev.kind === "notify") {
      if (ev.name === "exit") this.fail("tmux said %exit (its session or server went away)");
      else if (TOPOLOGY.has(ev.name)) this.opts.onTopology?.();
      return;
    }
    if (!ev.fromClient) {
      // The reply to the attach on our argv.
      if (ev.ok) this.attachDone?.();
      else {
        this.fail(`attach failed: ${ev.lines.join(" ").trim()}`);
      }
      return;
    }
    const p = this.pending.shift();
    if (!p) return;
    clearTimeout(p.timer);
    const text = ev.lines.join("\n");
    p.resolve(ev.ok ? { code: 0, stdout: text, stderr: "" } : { code: 1, stdout: "", stderr: text });
  }

  /**
   * Run one command over the connection. Rejects (the caller falls back to a process) when the
   * client is gone, hangs past the bound, or the argv cannot be sent as one line.
   */
  run(args: string[]): Promise<RunResult> {
    if (this.gone !== undefined) return Promise.reject(new Error(`control client gone: ${this.gone}`));
    const line = controlLine(args);
    if (line === undefined) return Promise.reject(new Error("argument not sendable over control mode"));
    return new Promise<RunResult>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`no reply to ${args[0]} in ${this.opts.timeoutMs / 1000}s`), this.opts.timeoutMs);
      this.pending.push({ resolve, reject, timer });
      this.child!.stdin!.write(`${line}\n`);
    });
  }

  /** Stop the client and fail whatever waits on it (the reason is given to onGone). */
  fail(why: string): void {
    if (this.gone !== undefined) return;
    this.gone = why;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(new Error(`control client gone: ${why}`));
    }
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.stdin?.end();
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
    if (this.attachDone) this.attachDone(why);
    else this.opts.onGone?.(why);
  }

  close(): void {
    this.fail("closed");
  }
}
