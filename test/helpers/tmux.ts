// Shared test plumbing for anything that starts real tmux: a private server per test file (never
// the user's default server), the built CLI run against it, and polling with a deadline.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { onFileCleanup, tempDir, trackDir } from "./tmp.js";

export { tempDir };

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = path.join(ROOT, "bin", "agents");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the run was killed at its `timeoutMs`. */
  timedOut?: boolean;
}

export interface PrivateTmux {
  /** The `-L` name: unique per call, so parallel test files never share a server. */
  readonly socket: string;
  /** Own TMUX_TMPDIR: the socket file lives (and is removed) with it, not in the shared /tmp/tmux-UID. */
  readonly tmpdir: string;
  /** Environment for children: AGENTS_TMUX_SOCKET set, TMUX/TMUX_PANE removed, so nothing they
   * run can reach the server of the tmux the tests happen to be started from. */
  readonly env: NodeJS.ProcessEnv;
  /** Run tmux on the private server (synchronously; tests only need short commands). */
  tmux(args: string[]): CliResult;
  /** Session names on the private server (empty when the server is not running). */
  sessions(): string[];
  /** Run the built CLI (`bin/agents ...`) with the private environment. `timeoutMs`: kill it (SIGKILL)
   * if it runs longer, and report that as `timedOut`, so a verb that hangs fails its test instead. */
  cli(args: string[], opts?: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number }): Promise<CliResult>;
  /** Kill the private server and remove its socket dir; safe to call when it never started, and
   * called again after the test file in case a test failed before it did. */
  kill(): void;
}

export function childEnv(socket: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AGENTS_TMUX_SOCKET: socket, ...extra };
  // An inherited TMUX makes tmux (and anything it starts) talk to the server the tests run in.
  delete env.TMUX;
  delete env.TMUX_PANE;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

export function uniqueSocket(tag = "test"): string {
  return `agents-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export function privateTmux(tag = "test"): PrivateTmux {
  const socket = uniqueSocket(tag);
  // Short on purpose: a unix socket path must fit in ~104 bytes.
  const tmpdir = trackDir(mkdtempSync("/tmp/agt-"));
  const env = childEnv(socket, { TMUX_TMPDIR: tmpdir });
  const tmux = (args: string[]): CliResult => {
    const r = spawnSync("tmux", ["-L", socket, ...args], { env, encoding: "utf8" });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  const kill = () => {
    tmux(["kill-server"]);
    rmSync(tmpdir, { recursive: true, force: true });
  };
  onFileCleanup(kill);
  return {
    socket,
    tmpdir,
    env,
    tmux,
    sessions() {
      const r = tmux(["list-sessions", "-F", "#{session_name}"]);
      return r.code === 0 ? r.stdout.split("\n").filter(Boolean) : [];
    },
    async cli(args, opts = {}) {
      const r = await execa(CLI, args, {
        env: { ...env, ...opts.env },
        extendEnv: false,
        reject: false,
        cwd: opts.cwd ?? ROOT,
        stdin: "ignore",
        ...(opts.timeoutMs ? { timeout: opts.timeoutMs, killSignal: "SIGKILL" as const } : {}),
      });
      return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr), ...(r.timedOut ? { timedOut: true } : {}) };
    },
    kill,
  };
}

/** Poll until fn returns something truthy, or fail with what was awaited and the last value seen. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15_000, stepMs = 150): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** A temp project holding a copy of the repo's demo fleet (config, examples, prompts). */
export function copyDemoFleet(): { dir: string; config: string } {
  const dir = tempDir("demo");
  cpSync(path.join(ROOT, "agents.example.toml"), path.join(dir, "agents.toml"));
  cpSync(path.join(ROOT, "examples"), path.join(dir, "examples"), { recursive: true });
  cpSync(path.join(ROOT, "prompts"), path.join(dir, "prompts"), { recursive: true });
  return { dir, config: path.join(dir, "agents.toml") };
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
