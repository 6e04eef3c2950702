// A FIFO where a file should be, for tests that the product never waits on one. Each FIFO comes
// with a "rescuer": a process that opens the other end after a few seconds. Were the code under
// test to block on the FIFO (the bug these tests guard against), the rescuer ends the wait, so the
// test fails on its time bound instead of hanging the worker for good. Rescuers are killed (by
// process group) after the test file; the FIFO goes with its temp dir.
import { spawn, spawnSync } from "node:child_process";
import { killGroup } from "../../src/proc/group.js";
import { onFileCleanup } from "./tmp.js";

/**
 * mkfifo `file`. `blocks`: what the code under test might block on — "read" (the rescuer opens
 * the FIFO for writing and closes it: EOF) or "write" (it opens it for reading and drains it).
 */
export function fifo(file: string, blocks: "read" | "write" = "read", afterS = 3): string {
  const r = spawnSync("mkfifo", [file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`mkfifo ${file}: ${r.stderr || `exit ${r.status}`}`);
  const open = blocks === "read" ? `exec 3>"$1"` : `cat "$1" >/dev/null`;
  // Its own process group: killing sh alone would leave its `sleep` running past the test.
  const rescuer = spawn("sh", ["-c", `sleep ${afterS}; ${open}`, "sh", file], { stdio: "ignore", detached: true });
  onFileCleanup(() => {
    if (rescuer.exitCode === null && rescuer.signalCode === null && rescuer.pid !== undefined) killGroup(rescuer.pid, "SIGKILL");
  });
  return file;
}

/** fn's result and how long it took, in ms. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = Date.now();
  const value = fn();
  return { value, ms: Date.now() - t0 };
}

/** The same for an async fn. */
export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t0 };
}
