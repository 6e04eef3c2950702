// Faults around the watchdog's own process, on a real private tmux server with real git:
// - a handoff origin that accepts the connection and never answers must not stop healing, must be
//   reported once, and must not keep `down` from stopping the watchdog;
// - `down` stops a watchdog that will not stop by itself (SIGKILL after the grace);
// - `up` says who holds the lock, and says so when the watchdog it started did not come up.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { loadConfig } from "../../src/config/load.js";
import { running } from "../../src/proc/group.js";
import { clearLockOf, holderOf, processStart } from "../../src/state/lock.js";
import { ensureRuntimeDir, tidyRuntimeDir, watchdogLockFile } from "../../src/state/paths.js";
import { onFileCleanup } from "../helpers/tmp.js";
import { CLI, TestFleet, baseToml, childEnv, gitPair, sleep, useTestFleet, waitFor } from "./harness.js";

const BASE = baseToml();

const LOOPS = ["builder", "adversary"].map((n) => `[[agent]]\nname = "${n}"\nkind = "loop"\nrole = "${n}"\nwatch = "heal"\nenv = { DEMO_MODE = "quiet" }\n`).join("");

const strays: ChildProcess[] = [];
// A watchdog `up` started runs in the private server's session; down stops it, and killing the
// server (cleanup) ends anything left. Processes this file spawned itself are killed by pid.
const fleets = useTestFleet({
  before: async (fleet) => {
    if (fleet) await fleet.cli(["down"]);
    for (const c of strays.splice(0)) if (c.pid && running(c.pid)) process.kill(c.pid, "SIGKILL");
  },
});

/** An origin that accepts every connection and never says a word. */
let hang: net.Server;
const held = new Set<net.Socket>();
let connections = 0;
beforeAll(async () => {
  hang = net.createServer((s) => {
    connections++;
    held.add(s);
    s.on("close", () => held.delete(s));
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => hang.close(r));
});

const pidIn = (line: string | undefined, re: RegExp): number => {
  const m = re.exec(line ?? "");
  if (!m) throw new Error(`no match for ${re} in ${JSON.stringify(line)}`);
  return Number(m[1]);
};

/** git processes still running (not zombies) that talk to the hanging origin. */
async function gitToHang(port: number): Promise<string[]> {
  const ps = await execa("ps", ["-eo", "stat=,args="]);
  return ps.stdout.split("\n").filter((l) => l.includes(`127.0.0.1:${port}`) && !l.trim().startsWith("Z"));
}

describe("a handoff origin that hangs", () => {
  it("heals a killed agent while the fetch hangs, reports git-failed once, and down/up still work", async () => {
    const fleet = fleets.set(new TestFleet(`${BASE}
[loop]
phases = [ { id = "P1", status = "P1.md" } ]
handoff = { repo = "work/repo", fetch_timeout = 2 }
${LOOPS}`));
    const port = (hang.address() as net.AddressInfo).port;
    const git = await gitPair(path.join(fleet.dir, "work"));
    await execa("git", ["-C", git.clone, "remote", "set-url", "origin", `http://127.0.0.1:${port}/repo.git`]);

    const up = await fleet.cli(["up"]);
    expect(up.exitCode).toBe(0);
    const lines = String(up.stdout).split("\n");
    const wdPid = pidIn(lines.find((l) => l.startsWith("watchdog:")), /^watchdog: started \(pid (\d+)\) \[t-watchdog\]$/);
    expect(running(wdPid)).toBe(true);

    const failed = await waitFor("git-failed", () => fleet!.events().find((e) => e.action === "git-failed"));
    expect(failed.reason).toMatch(/^git fetch in .* timed out after 2s \(fetch_timeout\)/);
    expect(connections).toBeGreaterThan(0);

    const first = await waitFor("builder up", () => fleet!.pid("t-builder"));
    const killedAt = Date.now();
    await fleet.tmux.killSession("t-builder");
    await waitFor("builder healed", async () => {
      const p = await fleet!.pid("t-builder");
      return p !== undefined && p !== first;
    });
    const healMs = Date.now() - killedAt;
    // 1 s ticks; a tick that waited on the 2 s fetch would still heal, so the bound is the point:
    // healing does not wait for a remote that never answers. Generous for a loaded machine.
    expect(healMs).toBeLessThan(10_000);

    // Ticks complete (a heartbeat) while fetches keep timing out; the failure is said once.
    await sleep(5000);
    const status = JSON.parse(String((await fleet.cli(["status", "--json"])).stdout));
    expect(status.watchdog).toMatchObject({ running: true, pid: wdPid });
    expect(status.watchdog.heartbeatAgeS).toBeLessThanOrEqual(5);
    expect(fleet.events().filter((e) => e.action === "git-failed")).toHaveLength(1);
    expect(fleet.events().filter((e) => e.action === "tick-overrun")).toEqual([]);

    const downAt = Date.now();
    const down = await fleet.cli(["down"]);
    const downMs = Date.now() - downAt;
    expect(down.exitCode).toBe(0);
    expect(String(down.stdout).split("\n")[0]).toBe(`watchdog: stopped (pid ${wdPid}) [t-watchdog]`);
    expect(running(wdPid)).toBe(false);
    expect(holderOf(watchdogLockFile(loadConfig(fleet.config)))).toBeUndefined();
    expect(await gitToHang(port)).toEqual([]);
    expect(fleet.events().some((e) => e.action === "watchdog-down")).toBe(true);

    const again = await fleet.cli(["up"]);
    expect(again.exitCode).toBe(0);
    const newPid = pidIn(String(again.stdout).split("\n").find((l) => l.startsWith("watchdog:")), /^watchdog: started \(pid (\d+)\)/);
    expect(newPid).not.toBe(wdPid);
    expect(running(newPid)).toBe(true);
    expect(holderOf(watchdogLockFile(loadConfig(fleet.config)))?.pid).toBe(newPid);
    console.log(`[faults-git] heal with the origin hanging: ${healMs} ms; down: ${downMs} ms`);
  });
});

describe("down and up against the lock", () => {
  /** A process that holds the fleet's lock and ignores SIGTERM: a watchdog stuck for good. */
  async function stuckHolder(config: string): Promise<number> {
    const child = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1e6); console.log('ready')"], { stdio: ["ignore", "pipe", "ignore"] });
    strays.push(child);
    await new Promise((r) => child.stdout!.once("data", r));
    const pid = child.pid!;
    const f = loadConfig(config);
    const lock = watchdogLockFile(f);
    ensureRuntimeDir(f);
    const info = { pid, start: processStart(pid) ?? "", since: new Date().toISOString() };
    writeFileSync(lock, JSON.stringify(info));
    // `down` removes it; a test that failed before that must not leave it in the runtime dir.
    onFileCleanup(() => {
      clearLockOf(lock, info);
      tidyRuntimeDir(f);
    });
    return pid;
  }

  it("up reports a watchdog already holding the lock, and down kills one that ignores SIGTERM", { timeout: 60_000 }, async () => {
    const fleet = fleets.set(new TestFleet(`${BASE}\n[[agent]]\nname = "a"\nwatch = "heal"\nprompt = "go"\n`));
    const pid = await stuckHolder(fleet.config);
    const up = await fleet.cli(["up", "watchdog"]);
    expect(up.stderr).toBe("");
    expect(up.exitCode).toBe(0);
    expect(String(up.stdout)).toBe(`watchdog: already running (pid ${pid}) [t-watchdog]`);
    expect(await fleet.tmux.hasSession("t-watchdog")).toBe(false);

    const down = await fleet.cli(["down", "watchdog"]);
    expect(down.exitCode).toBe(0);
    expect(String(down.stdout)).toBe(`watchdog: killed after 10s (pid ${pid}) [t-watchdog]`);
    await waitFor("the stuck holder reaped", () => !running(pid), 5_000);
    expect(holderOf(watchdogLockFile(loadConfig(fleet.config)))).toBeUndefined();
    expect(String((await fleet.cli(["down", "watchdog"])).stdout)).toBe("watchdog: not running");
  });

  it("up says the watchdog failed to start, with its last output, and exits 1", { timeout: 60_000 }, async () => {
    const fleet = fleets.set(new TestFleet(`${BASE}\n[[agent]]\nname = "a"\nwatch = "heal"\nprompt = "go"\n`));
    // A runtime dir that cannot be made: the watchdog cannot take its lock and exits. `up` itself
    // starts the private server with this environment, so the watchdog's session inherits it.
    const notADir = path.join(fleet.dir, "not-a-dir");
    writeFileSync(notADir, "");
    const up = await execa(CLI, ["up", "watchdog", "--config", fleet.config], {
      env: { ...childEnv(fleet.socket), XDG_RUNTIME_DIR: notADir },
      extendEnv: false,
      reject: false,
      cwd: fleet.dir,
    });
    expect(up.stderr).toBe("");
    expect(up.exitCode).toBe(1);
    const out = String(up.stdout).split("\n");
    expect(out[0]).toBe("watchdog: failed to start: its session exited; its last output:");
    expect(out.slice(1).join("\n")).toMatch(/not-a-dir/);
    expect(await fleet.tmux.hasSession("t-watchdog")).toBe(false);
  });
});
