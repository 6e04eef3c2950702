// vitest globalSetup: one sandbox per run, as a safety net under the per-test cleanup
// (test/helpers/tmp.ts), never instead of it.
//
// - TMPDIR points at a fresh dir, so os.tmpdir() in the workers and in every process a test starts
//   (the CLI, tmux servers, agents, their children) lands there.
// - TMUX_TMPDIR points at another fresh dir (short, under /tmp: a unix socket path must fit in
//   ~104 bytes), so a tmux server a test starts without its own TMUX_TMPDIR keeps its socket out of
//   the shared /tmp/tmux-UID.
//
// At the end both are removed, and anything still in them is a leak: it is listed, any tmux
// server still behind a leftover socket is killed, and the run fails (exit code 1).
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Every path under dir (depth first), relative to it; dirs that hold something are not listed. */
function leavesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(path.join(dir, rel));
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const r = path.join(rel, name);
      const st = lstatSync(path.join(dir, r), { throwIfNoEntry: false });
      if (st?.isDirectory() && readdirSync(path.join(dir, r)).length > 0) walk(r);
      else out.push(r);
    }
  };
  walk("");
  return out;
}

/**
 * Processes this run started that are still alive: every process a test starts inherits the run's
 * own TMPDIR, so that value in a process's environment marks it as ours (Linux /proc; elsewhere
 * none are found). A watchdog whose `agents down` failed survives its tmux server by design, and
 * would otherwise live on after the run, recreating files in the sandbox.
 */
function processesOf(sandbox: string): { pid: number; cmd: string }[] {
  const marker = `TMPDIR=${sandbox}`;
  const found: { pid: number; cmd: string }[] = [];
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return found;
  }
  for (const p of pids) {
    const pid = Number(p);
    if (pid === process.pid) continue;
    try {
      // vitest's own workers (children of this process) carry the same TMPDIR.
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, "latin1"))?.[1]);
      if (ppid === process.pid) continue;
      if (!readFileSync(`/proc/${p}/environ`, "latin1").split("\0").includes(marker)) continue;
      found.push({ pid, cmd: readFileSync(`/proc/${p}/cmdline`, "latin1").split("\0").join(" ").trim() });
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

export default function setup(): () => void {
  const saved = {
    TMPDIR: process.env.TMPDIR,
    TMUX_TMPDIR: process.env.TMUX_TMPDIR,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR,
  };
  const sandbox = mkdtempSync(path.join(os.tmpdir(), "agents-test-run-"));
  const tmuxDir = mkdtempSync("/tmp/agt-run-");
  process.env.TMPDIR = sandbox;
  process.env.TMUX_TMPDIR = tmuxDir;
  // `status` caches fleets under XDG_CACHE_HOME and the watchdog keeps its lock under
  // XDG_RUNTIME_DIR: a test run must write neither into the real home nor the real runtime dir.
  // Both are the run's own and go with it (their content is the product's, not a test's leak).
  const xdg = { cache: path.join(sandbox, "xdg-cache"), runtime: path.join(sandbox, "xdg-runtime") };
  mkdirSync(xdg.cache, { mode: 0o700 });
  mkdirSync(xdg.runtime, { mode: 0o700 });
  process.env.XDG_CACHE_HOME = xdg.cache;
  process.env.XDG_RUNTIME_DIR = xdg.runtime;

  return function teardown() {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    // Before removing anything: a live process would recreate what it writes.
    const strays = processesOf(sandbox);
    for (const { pid } of strays) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    rmSync(xdg.cache, { recursive: true, force: true });
    rmSync(xdg.runtime, { recursive: true, force: true });
    const leftovers = leavesUnder(sandbox).map((p) => path.join(sandbox, p));
    // tmux makes tmux-UID itself; only what is inside it (a socket) is a test's.
    for (const rel of leavesUnder(tmuxDir)) {
      const p = path.join(tmuxDir, rel);
      if (/^tmux-\d+$/.test(rel)) continue;
      leftovers.push(p);
      if (lstatSync(p, { throwIfNoEntry: false })?.isSocket()) {
        // A live server behind it would outlive the run; -S reaches it by the socket path.
        spawnSync("tmux", ["-S", p, "kill-server"], { stdio: "ignore", env: { ...process.env, TMUX: "" } });
      }
    }
    rmSync(sandbox, { recursive: true, force: true });
    rmSync(tmuxDir, { recursive: true, force: true });
    if (strays.length > 0) {
      console.error(
        [
          `\ntests left ${strays.length} process${strays.length === 1 ? "" : "es"} running (now killed; a test must stop what it starts, by pid):`,
          ...strays.map((p) => `  ${p.pid} ${p.cmd}`),
        ].join("\n"),
      );
      process.exitCode = 1;
    }
    if (leftovers.length > 0) {
      console.error(
        [
          `\ntests left ${leftovers.length} temp entr${leftovers.length === 1 ? "y" : "ies"} behind (now removed; every test must remove what it creates, see test/helpers/tmp.ts;`,
          "a test file that failed to load also leaves what its top-level code made):",
          ...leftovers.map((p) => `  ${p}`),
        ].join("\n"),
      );
      process.exitCode = 1;
    }
  };
}
