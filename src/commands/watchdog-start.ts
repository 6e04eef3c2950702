// Starting the watchdog and telling the truth about it. A watchdog is running when a live process
// holds the fleet's lock, not when a tmux session of its name exists: `up` creates the session,
// then waits (bounded) for the process in it to take the lock, and reports that pid, or why not —
// another watchdog already holds the lock, or the session died (its last words are in its log).
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Fleet } from "../config/load.js";
import { screenLines } from "../detect/ansi.js";
import { processParent } from "../proc/group.js";
import { holderOf, type LockInfo } from "../state/lock.js";
import { sessionLogFile, watchdogLockFile } from "../state/paths.js";
import { shellQuote, type Tmux } from "../tmux/tmux.js";

// The bin script, as a user runs it (cli.js only exports run(); started directly it would exit at
// once and the watchdog session would vanish the moment `up` created it).
const CLI_BIN = fileURLToPath(new URL("../../bin/agents", import.meta.url));

export const START_WAIT_MS = 10_000;
const POLL_MS = 100;
/** How many lines of a failed start's output `up` shows. */
const LAST_LINES = 8;

export type StartOutcome =
  | { kind: "started"; pid: number }
  /** A live watchdog holds the lock; `refused` when it is not ours and ours exited because of it. */
  | { kind: "already-running"; pid: number; refused: boolean }
  | { kind: "failed"; reason: string; lines: string[] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `pid` is `ancestor` or runs below it (a wrapper that did not exec). */
function descends(pid: number, ancestor: number): boolean {
  for (let p: number | undefined = pid, depth = 0; p !== undefined && p > 1 && depth < 8; depth++) {
    if (p === ancestor) return true;
    p = processParent(p);
  }
  return false;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last non-empty lines written to `file` after byte `from` (the log of this start only). */
export function lastLines(file: string, from: number, count = LAST_LINES): string[] {
  let text = "";
  try {
    // Non-blocking, and a regular file only: opening a FIFO put in the log's place would wait
    // for a writer, and `up` with it.
    const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return [];
      const start = Math.max(from, st.size - 64 * 1024);
      const buf = Buffer.alloc(Math.max(0, st.size - start));
      readSync(fd, buf, 0, buf.length, start);
      text = buf.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
  return screenLines(text)
    .filter((l) => l.trim() !== "")
    .slice(-count);
}

async function panePid(tmux: Tmux, session: string): Promise<number | undefined> {
  return (await tmux.listPanes()).find((p) => p.session === session && !p.dead)?.pid;
}

/**
 * Wait until a live process holds the lock, the session is gone, or the time is up. The holder
 * counts as ours when it is the session's process (or below it).
 */
async function awaitLock(fleet: Fleet, tmux: Tmux, waitMs: number, logFrom: number): Promise<StartOutcome> {
  const lock = watchdogLockFile(fleet);
  const deadline = Date.now() + waitMs;
  const log = sessionLogFile(fleet, fleet.watchdogSession);
  for (;;) {
    const holder: LockInfo | undefined = holderOf(lock);
    const pane = await panePid(tmux, fleet.watchdogSession);
    if (holder) {
      if (pane !== undefined && descends(holder.pid, pane)) return { kind: "started", pid: holder.pid };
      // Someone else's: ours refuses and exits. Wait for that, so the report is the whole story.
      if (pane === undefined) return { kind: "already-running", pid: holder.pid, refused: true };
    } else if (pane === undefined) {
      return { kind: "failed", reason: "its session exited", lines: lastLines(log, logFrom) };
    }
    if (Date.now() >= deadline) {
      const why = holder ? `pid ${holder.pid} holds the lock and the session is still up` : "its session is up but nothing holds the lock";
      return { kind: "failed", reason: `not confirmed after ${waitMs / 1000}s (${why})`, lines: lastLines(log, logFrom) };
    }
    await sleep(POLL_MS);
  }
}

export async function startWatchdog(fleet: Fleet, tmux: Tmux, waitMs = START_WAIT_MS): Promise<StartOutcome> {
  const holder = holderOf(watchdogLockFile(fleet));
  if (holder) return { kind: "already-running", pid: holder.pid, refused: false };
  const log = sessionLogFile(fleet, fleet.watchdogSession);
  const logFrom = sizeOf(log);
  if (await tmux.hasSession(fleet.watchdogSession)) {
    // A session but no lock: a watchdog starting this instant (another `up`), or a leftover.
    const other = await awaitLock(fleet, tmux, waitMs, logFrom);
    if (other.kind !== "failed") return { kind: "already-running", pid: other.pid, refused: false };
    await tmux.killSession(fleet.watchdogSession);
  }
  // The node running `up`, not whichever one tmux's PATH finds first (nvm, asdf, a newer system node).
  const command = `exec env AGENTS_NODE=${shellQuote(process.execPath)} ${shellQuote(CLI_BIN)} watchdog --config ${shellQuote(fleet.configPath)}`;
  const env: Record<string, string> = {};
  // The watchdog must find its lock (and runtime fallbacks) where `up`, `status` and `down` look,
  // not where the tmux server's own environment would point it.
  for (const k of ["AGENTS_TMUX_SOCKET", "XDG_RUNTIME_DIR", "TMPDIR"]) {
    const v = process.env[k];
    if (v) env[k] = v;
  }
  const r = await tmux.newSession({ name: fleet.watchdogSession, cwd: fleet.projectDir, command, env, logTo: log });
  if (r.code !== 0 && !(await tmux.hasSession(fleet.watchdogSession))) {
    return { kind: "failed", reason: `could not create its session: ${r.stderr.trim()}`, lines: lastLines(log, logFrom) };
  }
  return awaitLock(fleet, tmux, waitMs, logFrom);
}

/** What `up` prints for an outcome (first line, then the log lines of a failed start, indented). */
export function describeStart(o: StartOutcome, session: string): string[] {
  switch (o.kind) {
    case "started":
      return [`watchdog: started (pid ${o.pid}) [${session}]`];
    case "already-running":
      return [`watchdog: already running (pid ${o.pid}) [${session}]${o.refused ? "; the one just started exited" : ""}`];
    case "failed":
      return [`watchdog: failed to start: ${o.reason}${o.lines.length ? "; its last output:" : "; it printed nothing"}`, ...o.lines.map((l) => `  ${l}`)];
  }
}
