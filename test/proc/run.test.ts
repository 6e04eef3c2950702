// runBounded against real processes: a child that leaves a grandchild holding its stdout must not
// hold us past the timeout, and what it started must be dead when we return. Each test names only
// pids it started (printed by the child itself) and kills any it finds alive, by pid.
import { afterEach, describe, expect, it } from "vitest";
import { running, groupRunning } from "../../src/proc/group.js";
import { runBounded } from "../../src/proc/run.js";

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone, as it should be */
    }
  }
});

/** The pids a child printed, one a line, remembered for cleanup. */
function pids(stdout: string): number[] {
  const list = stdout.split("\n").filter((l) => /^\d+$/.test(l)).map(Number);
  started.push(...list);
  return list;
}

describe("runBounded", () => {
  it("returns code, stdout and stderr of a child that exits, one final newline stripped", async () => {
    const r = await runBounded("sh", ["-c", "printf 'a\\nb\\n'; echo oops >&2; exit 3"], { timeoutMs: 10_000 });
    expect(r).toEqual({ code: 3, stdout: "a\nb", stderr: "oops", timedOut: false, aborted: false, error: undefined });
  });

  it("feeds input on stdin", async () => {
    const r = await runBounded("cat", [], { timeoutMs: 10_000, input: "line 1\nline 2\n" });
    expect(r.stdout).toBe("line 1\nline 2");
    expect(r.code).toBe(0);
  });

  it("reports a command that cannot be spawned as code 127 with the reason", async () => {
    const r = await runBounded("/nonexistent/agents-no-such-bin", [], { timeoutMs: 10_000 });
    expect(r.code).toBe(127);
    expect(r.error).toMatch(/ENOENT/);
  });

  it("runs the child in its own process group", async () => {
    const r = await runBounded("sh", ["-c", "echo $$; ps -o pgid= -p $$"], { timeoutMs: 10_000 });
    const [pid, pgid] = r.stdout.split("\n").map((s) => Number(s.trim()));
    expect(pgid).toBe(pid);
    expect(pgid).not.toBe(Number(process.pid));
  });

  it("at the timeout, kills a child and the grandchild holding its stdout, and returns", { timeout: 15_000 }, async () => {
    // The shape of the fault: git waits on a remote helper that never answers, and the helper
    // has our stdout. Both sleep far longer than the test's own timeout.
    const r = await runBounded("sh", ["-c", "echo $$; sleep 600 & echo $!; wait"], { timeoutMs: 300, killGraceMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBe(1);
    const [child, grandchild] = pids(r.stdout);
    expect(running(child!)).toBe(false);
    expect(running(grandchild!)).toBe(false);
    expect(groupRunning(child!)).toBe(false);
  });

  it("SIGKILLs a group that ignores SIGTERM after the grace", { timeout: 15_000 }, async () => {
    const r = await runBounded("sh", ["-c", "trap '' TERM; echo $$; sh -c 'trap \"\" TERM; echo $$; while :; do sleep 1; done' & wait"], {
      timeoutMs: 300,
      killGraceMs: 300,
    });
    expect(r.timedOut).toBe(true);
    const [child, grandchild] = pids(r.stdout);
    expect(running(child!)).toBe(false);
    expect(running(grandchild!)).toBe(false);
  });

  it("returns when the child exits even though a grandchild still holds its stdout, and kills the grandchild", { timeout: 15_000 }, async () => {
    const r = await runBounded("sh", ["-c", "sleep 600 & echo $!"], { timeoutMs: 60_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    const [grandchild] = pids(r.stdout);
    expect(running(grandchild!)).toBe(false);
  });

  it("does not wait for a pipe held by a process that left the group (setsid)", { timeout: 15_000 }, async () => {
    // The escaped process is no longer ours to kill by group; the test kills it by pid.
    const r = await runBounded("sh", ["-c", "echo $$; setsid sh -c 'echo $$; exec sleep 600' & sleep 600"], { timeoutMs: 500, killGraceMs: 300 });
    expect(r.timedOut).toBe(true);
    const [child, escaped] = pids(r.stdout);
    expect(groupRunning(child!)).toBe(false);
    expect(running(escaped!)).toBe(true);
  });

  it("kills the group when aborted", { timeout: 15_000 }, async () => {
    const ctl = new AbortController();
    const p = runBounded("sh", ["-c", "echo $$; exec sleep 600"], { timeoutMs: 60_000, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 200);
    const r = await p;
    expect(r.aborted).toBe(true);
    expect(r.timedOut).toBe(false);
    const [child] = pids(r.stdout);
    expect(running(child!)).toBe(false);
  });
});
