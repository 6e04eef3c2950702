// Run a child process with a bound on everything we wait for. The watchdog must never hang on a
// child: a `git fetch` killed at its timeout can leave its remote helper holding our stdout pipe,
// and waiting for the pipe to close then waits forever. So every child gets its own process group
// (spawn detached → setsid), a timeout kills the whole group (SIGTERM, SIGKILL after a grace), and
// we resolve once the group is gone or the grace is over — never on the pipes alone.
//
// Plain child_process, not execa: tmux calls go through here on every tick, and execa roughly
// doubles what a spawn costs in our process (measured by `npm run bench`).
import { spawn, type ChildProcess } from "node:child_process";
import { groupRunning, killGroup } from "./group.js";

export interface BoundedOptions {
  /** Total time the child may take before its process group is killed. */
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** Time between SIGTERM and SIGKILL to the group, and the most we wait for it to vanish after. */
  killGraceMs?: number;
  /** Aborting kills the group as a timeout does (a watchdog stopping mid-fetch). */
  signal?: AbortSignal;
}

export interface BoundedResult {
  /** Exit code; 1 for a death by signal (also after a timeout), 127 when it could not be spawned. */
  code: number;
  /** One final newline stripped, as execa and the tmux transport always did. */
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** Why it could not be spawned. */
  error?: string;
}

const DEFAULT_GRACE_MS = 1000;
/** After the child exits, how long its pipes may stay open (held by a leftover grandchild). */
const DRAIN_MS = 200;
const POLL_MS = 25;

/** Groups of children still running: killed if this process exits first, so none outlive us. */
const liveGroups = new Set<number>();
let exitHook = false;

export function stripFinalNewline(s: string): string {
  if (s.endsWith("\r\n")) return s.slice(0, -2);
  if (s.endsWith("\n")) return s.slice(0, -1);
  return s;
}

export function runBounded(cmd: string, args: string[], opts: BoundedOptions): Promise<BoundedResult> {
  const grace = opts.killGraceMs ?? DEFAULT_GRACE_MS;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, {
        cwd: opts.cwd,
        env: opts.env,
        detached: true,
        stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
    } catch (e) {
      resolve({ code: 127, stdout: "", stderr: "", timedOut: false, aborted: false, error: (e as Error).message });
      return;
    }
    const pid = child.pid;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let done = false;
    let stopping = false;
    let exitCode: number | undefined;
    let timedOut = false;
    let aborted = false;
    const timers: NodeJS.Timeout[] = [];
    let poll: NodeJS.Timeout | undefined;

    const finish = (spawnError?: string) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      clearInterval(poll);
      opts.signal?.removeEventListener("abort", onAbort);
      if (pid !== undefined) liveGroups.delete(pid);
      // A grandchild outside the group may still hold a pipe: stop listening instead of waiting.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      resolve({
        code: spawnError !== undefined ? 127 : (exitCode ?? 1),
        stdout: stripFinalNewline(Buffer.concat(out).toString("utf8")),
        stderr: stripFinalNewline(Buffer.concat(err).toString("utf8")),
        timedOut,
        aborted,
        error: spawnError,
      });
    };

    /** Kill the group: SIGTERM, then SIGKILL after the grace; resolve when it is gone or at the end. */
    const stop = () => {
      if (stopping || done || pid === undefined) return;
      stopping = true;
      killGroup(pid, "SIGTERM");
      const killAt = Date.now() + grace;
      let killed = false;
      poll = setInterval(() => {
        if (!groupRunning(pid)) return finish();
        const now = Date.now();
        if (!killed && now >= killAt) {
          killGroup(pid, "SIGKILL");
          killed = true;
        } else if (killed && now >= killAt + grace) {
          // SIGKILL cannot be refused; what is left is a zombie nobody has reaped yet.
          finish();
        }
      }, POLL_MS);
    };
    const onAbort = () => {
      aborted = true;
      stop();
    };

    if (pid === undefined) {
      // spawn() reports ENOENT and the like asynchronously, with no pid.
      child.on("error", (e) => finish(e.message));
      return;
    }
    liveGroups.add(pid);
    if (!exitHook) {
      exitHook = true;
      process.on("exit", () => {
        for (const g of liveGroups) killGroup(g, "SIGKILL");
      });
    }
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => err.push(d));
    child.on("error", () => {
      /* reported through exit/close; an 'error' without a listener would throw */
    });
    if (opts.input !== undefined) {
      child.stdin!.on("error", () => {
        /* EPIPE: the child did not read its input */
      });
      child.stdin!.end(opts.input);
    }
    child.on("exit", (code) => {
      exitCode = code ?? 1;
      if (!stopping) timers.push(setTimeout(stop, DRAIN_MS));
    });
    // Once we are killing the group, the poll decides: pipes close while a killed process is
    // still exiting, and we return only when nothing of the group runs.
    child.on("close", () => {
      if (!stopping) finish();
    });
    timers.push(
      setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeoutMs),
    );
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener("abort", onAbort, { once: true });
    }
  });
}
