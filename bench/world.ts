// The bench's private world: a temp dir holding a private TMUX_TMPDIR (so the fleet's tmux server
// is never the user's), the PATH dir where `tmux` is either the real binary or the counting shim,
// and every child the bench starts. close() undoes all of it synchronously, so it can run from a
// signal handler: children killed by pid, the private server killed (by socket, then by pid), the
// temp dir removed.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { alive } from "./procfs.js";

export type TmuxMode = "shim" | "real";

/** A child under measurement (a watchdog), its output going to outFile. */
export interface Child {
  proc: ChildProcess;
  pid: number;
  outFile: string;
  exited: Promise<{ code: number | null; sig: NodeJS.Signals | null }>;
}

/** Block the thread for ms (close() must be synchronous). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class BenchWorld {
  readonly tmuxDir: string;
  readonly shimDir: string;
  readonly shimScript: string;
  /** The private server's socket: the default socket under the private TMUX_TMPDIR, where both
   * watchdogs (plain `tmux`, no -L/-S) find it. The bench's own calls name it with -S. */
  readonly socket: string;
  /** For the bench's own tmux calls: the private TMUX_TMPDIR, no TMUX/TMUX_PANE/AGENTS_* leaking in. */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** For the programs under measurement: baseEnv with the shim dir first on PATH. */
  readonly childEnv: NodeJS.ProcessEnv;
  private readonly children = new Set<Child>();
  private readonly serverPids = new Set<number>();
  private closed = false;

  constructor(
    readonly root: string,
    readonly realTmux: string,
  ) {
    this.tmuxDir = path.join(root, "tmux");
    this.shimDir = path.join(root, "bin");
    this.shimScript = path.join(root, "tmux-shim.sh");
    const uidDir = path.join(this.tmuxDir, `tmux-${process.getuid?.() ?? 0}`);
    mkdirSync(uidDir, { recursive: true, mode: 0o700 });
    mkdirSync(this.shimDir, { recursive: true });
    this.socket = path.join(uidDir, "default");
    const env: NodeJS.ProcessEnv = { ...process.env, TMUX_TMPDIR: this.tmuxDir };
    for (const k of ["TMUX", "TMUX_PANE", "AGENTS_TMUX_SOCKET", "AGENTS_TICK_EVENTS", "AGENTS_BENCH_TMUX_LOG"]) delete env[k];
    this.baseEnv = env;
    this.childEnv = { ...env, PATH: `${this.shimDir}:${process.env.PATH}` };
    writeFileSync(
      this.shimScript,
      `#!/bin/sh\n# Counts tmux calls for the bench: "<uptime s> <args...>" per call, then the real tmux.\nread up _ < /proc/uptime\necho "$up $1 $2" >> "\${AGENTS_BENCH_TMUX_LOG:-/dev/null}"\nexec '${realTmux}' "$@"\n`,
      { mode: 0o755 },
    );
    this.setTmuxMode("real");
  }

  static create(realTmux: string): BenchWorld {
    return new BenchWorld(mkdtempSync(path.join(os.tmpdir(), "agents-bench-")), realTmux);
  }

  /** One tmux call of the bench itself: the real binary, on the private socket. */
  tmux(args: string[]): SpawnSyncReturns<string> {
    return spawnSync(this.realTmux, ["-S", this.socket, ...args], { env: this.baseEnv, encoding: "utf8" });
  }

  /** Remember the private server's pid, so close() can kill it even if kill-server fails. */
  noteServer(pid: number): void {
    if (Number.isInteger(pid) && pid > 0) this.serverPids.add(pid);
  }

  /**
   * PATH's `tmux` for the watchdogs: either the counting shim or the real binary (swapped
   * atomically; both programs resolve `tmux` through PATH on every spawn).
   */
  setTmuxMode(mode: TmuxMode): void {
    const tmp = path.join(this.shimDir, `.tmux-${process.pid}`);
    rmSync(tmp, { force: true });
    symlinkSync(mode === "shim" ? this.shimScript : this.realTmux, tmp);
    renameSync(tmp, path.join(this.shimDir, "tmux"));
  }

  /** Start a child with stdout and stderr appended to outFile; close() kills it if still running. */
  spawn(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; outFile: string }): Child {
    const fd = openSync(opts.outFile, "a");
    let proc: ChildProcess;
    try {
      proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", fd, fd] });
    } finally {
      closeSync(fd);
    }
    if (proc.pid === undefined) throw new Error(`could not start ${cmd}`);
    const exited = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((r) => proc.on("exit", (code, sig) => r({ code, sig })));
    const child: Child = { proc, pid: proc.pid, outFile: opts.outFile, exited };
    this.children.add(child);
    void exited.then(() => this.children.delete(child));
    return child;
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(child: Child): Promise<void> {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
    child.proc.kill("SIGTERM");
    const done = await Promise.race([child.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
    if (!done) {
      child.proc.kill("SIGKILL");
      await child.exited;
    }
  }

  /** Kill the private server: kill-server on its socket, then by pid whatever is left of it. */
  killServer(): void {
    this.tmux(["kill-server"]);
    for (const pid of this.serverPids) {
      for (let i = 0; i < 20 && alive(pid); i++) sleepSync(50);
      if (alive(pid) && isTmux(pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    this.serverPids.clear();
  }

  /** Kill every child by pid and the private server, then remove the temp dir (unless keep). Idempotent. */
  close(keep: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.children) {
      try {
        process.kill(c.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    this.children.clear();
    this.killServer();
    if (!keep) rmSync(this.root, { recursive: true, force: true });
    else console.error(`kept ${this.root}`);
  }
}

/** Guard against pid reuse: only a tmux process is killed by pid. */
function isTmux(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0")[0]!.includes("tmux");
  } catch {
    return false;
  }
}
