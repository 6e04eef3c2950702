// Disk faults under a running watchdog, on a private tmux server with the demo agent: log_dir full
// (a tiny tmpfs filled to ENOSPC), read-only (a tmpfs remounted ro), and deleted while running.
// In each, a killed agent must be healed: the disk is a record, not a need. The tmpfs cases need
// root and permission to mount, and are skipped with the reason printed otherwise.
import { readFileSync, rmSync, rmdirSync } from "node:fs";
import path from "node:path";
import type { ResultPromise } from "execa";
import { describe, expect, it } from "vitest";
import * as paths from "../../src/state/paths.js";
import { onFileCleanup } from "../helpers/tmp.js";
import { mountTmpfs, tmpfsSkipReason, type Tmpfs } from "../helpers/tmpfs.js";
import { TestFleet, baseToml, useTestFleet, waitFor } from "./harness.js";

const TOML = `${baseToml()}
[[agent]]
name = "a"
watch = "heal"
prompt = "hello"
`;

const HEAL_LIMIT_MS = 15_000;

let disk: Tmpfs | undefined;
let runtime: string | undefined;

/** The fleet, its log_dir and runtime dir; the runtime dir's removal is registered before
 * anything that could write there, so it runs after every other cleanup (latest runs first). */
function setUp(): { fleet: TestFleet; logDir: string; pf: paths.PathFleet } {
  const f = new TestFleet(TOML);
  const logDir = path.join(f.dir, ".state");
  const pf = { logDir, watchdogSession: "t-watchdog", loop: { state_file: "phase-idx" } } as unknown as paths.PathFleet;
  runtime = paths.runtimeDir(pf);
  const rt = runtime;
  onFileCleanup(() => removeRuntime(rt));
  fleets.set(f);
  return { fleet: f, logDir, pf };
}

function removeRuntime(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  try {
    rmdirSync(path.dirname(dir)); // the per-user root, when no other fleet uses it
  } catch {
    /* in use or gone */
  }
}

// Lazy unmount first (the watchdog may still hold files there), then stop everything and
// remove the fleet dir, then the runtime dir nothing writes to any more.
const fleets = useTestFleet({
  before: () => disk?.unmount(),
  after: () => {
    if (runtime) removeRuntime(runtime);
    disk = undefined;
    runtime = undefined;
  },
});

const jsonLines = (file: string): Record<string, unknown>[] => {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
};

/** Kill the agent's session; resolve with the ms until the watchdog has it running again. On
 * failure the watchdog is stopped and what it printed is added to the error. */
async function killAndTimeHeal(f: TestFleet, wd: ResultPromise): Promise<number> {
  try {
    return await timeHeal(f);
  } catch (err) {
    wd.kill("SIGTERM");
    const r = await wd;
    throw new Error(`${(err as Error).message}\nwatchdog exit ${r.exitCode}, output:\n${String(r.stdout)}\n${String(r.stderr)}`);
  }
}

async function timeHeal(f: TestFleet): Promise<number> {
  const before = await waitFor("a running", () => f.pid("t-a"));
  const t0 = Date.now();
  await f.tmux.killSession("t-a");
  await waitFor(
    "a healed",
    async () => {
      const p = await f.pid("t-a");
      return p !== undefined && p !== before;
    },
    HEAL_LIMIT_MS,
    100,
  );
  return Date.now() - t0;
}

async function statusJson(f: TestFleet): Promise<{ logDir: { path: string; state: string }; watchdog: { running: boolean } }> {
  const r = await f.cli(["status", "--json"]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("watchdog when log_dir misbehaves", () => {
  it.skipIf(tmpfsSkipReason)("log_dir full: heals a killed agent, reports the state write once, status says full", async () => {
    const { fleet: f, logDir, pf } = setUp();
    disk = mountTmpfs(logDir, 256);
    disk.fill();
    const wd = f.watchdog();
    const healMs = await killAndTimeHeal(f, wd);
    console.log(`heal time with log_dir full: ${healMs} ms`);
    expect(wd.exitCode).toBeNull(); // still running

    const st = await statusJson(f);
    expect(st.logDir).toMatchObject({ path: logDir, state: "full" });
    expect(st.watchdog.running).toBe(true);
    const text = (await f.cli(["status"])).stdout;
    expect(text).toContain(`log_dir: FULL (${logDir}): healing continues; logs and state are not being written`);

    // Events went to the runtime dir; many ticks, one state-write-failed.
    const events = await waitFor("heals and several ticks in the fallback", () => {
      const ev = jsonLines(paths.fallbackEventsFile(pf));
      const heals = ev.filter((e) => e.action === "restarted").length;
      return heals >= 2 && ev.filter((e) => e.action === "tick").length >= 5 ? ev : undefined;
    });
    expect(events.filter((e) => e.action === "state-write-failed").map((e) => e.errno)).toEqual(["ENOSPC"]);
    expect(events.filter((e) => e.action === "event-log-degraded")).toHaveLength(1);

    // Room again: the state is written and the event log is back in log_dir, each said once.
    disk.unfill();
    const back = await waitFor("events back in log_dir", () => {
      const ev = jsonLines(paths.watchdogEventsFile(pf));
      return ev.some((e) => e.action === "state-write-recovered") ? ev : undefined;
    });
    expect(back.filter((e) => e.action === "event-log-recovered")).toHaveLength(1);
    expect((await statusJson(f)).logDir.state).toBe("ok");
  });

  it.skipIf(tmpfsSkipReason)("log_dir read-only: the watchdog starts, heals a killed agent, status says read-only", async () => {
    const { fleet: f, logDir } = setUp();
    disk = mountTmpfs(logDir, 256);
    disk.readOnly();
    const wd = f.watchdog();
    const healMs = await killAndTimeHeal(f, wd);
    console.log(`heal time with log_dir read-only: ${healMs} ms`);
    expect(wd.exitCode).toBeNull();
    const st = await statusJson(f);
    expect(st.logDir).toMatchObject({ path: logDir, state: "read-only" });
    expect(st.watchdog.running).toBe(true);
    expect((await f.cli(["status"])).stdout).toContain(`log_dir: READ-ONLY (${logDir}, EROFS): healing continues`);
  });

  it("log_dir deleted while running: events are written again, a second watchdog is refused, healing goes on", async () => {
    const { fleet: f, logDir, pf } = setUp();
    const first = f.watchdog();
    const wd = first;
    await waitFor("a running", () => f.pid("t-a"));
    await waitFor("events written", () => jsonLines(paths.watchdogEventsFile(pf)).length > 0);
    rmSync(logDir, { recursive: true });

    // The event file comes back (a tick event each second) and says why.
    const events = await waitFor("events file recreated", () => {
      const ev = jsonLines(paths.watchdogEventsFile(pf));
      return ev.some((e) => e.action === "event-log-reopened") ? ev : undefined;
    });
    // Only what came after the deletion: the line that found the file gone, then why.
    expect(events[1]?.action).toBe("event-log-reopened");

    // --once: were it wrongly let in, it would run one tick and exit 0 rather than linger.
    const second = await f.cli(["watchdog", "--once"]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/another watchdog \(pid \d+/);

    const healMs = await killAndTimeHeal(f, wd);
    console.log(`heal time after log_dir was deleted: ${healMs} ms`);
    expect(first.exitCode).toBeNull();
    await waitFor("heal logged in the new file", () =>
      jsonLines(paths.watchdogEventsFile(pf)).some((e) => e.agent === "a" && e.action === "restarted"),
    );
    expect(jsonLines(paths.watchdogEventsFile(pf)).some((e) => e.action === "lock-lost")).toBe(false);
  });
});
