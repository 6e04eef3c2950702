// A reboot, simulated on a private tmux server: the fleet runs (started by a plain `agents up`,
// which starts fresh conversations), then the watchdog is killed and the tmux server with it, as a
// power cut would; only the state on disk is left. Then the command the installed service runs
// (taken from `agents service install --print`, with the environment the unit sets) brings the
// fleet back: the watched agent (healed by the watchdog as "missing") and the unwatched one (started
// by the boot) both resume their pinned conversations. `agents status` sees the service's watchdog,
// and `agents down` stops it (exit 0: a service manager does not restart it) and the agents.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, TestFleet, baseToml, childEnv, useTestFleet, waitFor } from "../watchdog/harness.js";
import { RESUMER_FLEET } from "./fleet.js";

const TOML = `${baseToml()}${RESUMER_FLEET}`;

/** The unit's ExecStart words and Environment= pairs (the test's paths hold no spaces or quotes). */
function fromUnit(unit: string): { argv: string[]; env: Record<string, string>; cwd: string } {
  const lines = unit.split("\n");
  const exec = lines.find((l) => l.startsWith("ExecStart="))!.slice("ExecStart=".length);
  const env: Record<string, string> = {};
  for (const l of lines.filter((x) => x.startsWith("Environment="))) {
    const kv = l.slice("Environment=".length).replace(/^"|"$/g, "");
    env[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
  }
  const cwd = lines.find((l) => l.startsWith("WorkingDirectory="))!.slice("WorkingDirectory=".length);
  return { argv: exec.split(" "), env, cwd };
}

const startCommand = async (f: TestFleet, session: string) =>
  (await f.tmux.run(["display-message", "-p", "-t", `=${session}:`, "#{pane_start_command}"])).stdout;

describe("a fleet after a reboot", () => {
  const fleet = useTestFleet();

  it("comes back from the service's command with each agent resuming its pinned conversation", async () => {
    const f = fleet.set(new TestFleet(TOML));
    f.write(".state/state/w.id", "conv-w\n");
    f.write(".state/state/u.id", "conv-u\n");

    // Before: a plain `up` starts new conversations (resume = false), as documented.
    const up = await f.cli(["up"]);
    expect(up.exitCode, up.stderr).toBe(0);
    for (const s of ["t-w", "t-u"]) expect(await startCommand(f, s)).not.toContain("--resume");
    const st0 = JSON.parse((await f.cli(["status", "--json"])).stdout) as { watchdog: { pid: number } };
    const oldWatchdog = st0.watchdog.pid;
    expect(oldWatchdog).toBeGreaterThan(0);

    // The power cut: the watchdog (started by this test's `up`) and the tmux server go at once.
    process.kill(oldWatchdog, "SIGKILL");
    await f.tmux.killServer();
    await waitFor("the old watchdog to be gone", () => {
      try {
        process.kill(oldWatchdog, 0);
        return false;
      } catch {
        return true;
      }
    });

    // Nothing supervises now, and status says so loudly (the watchdog never stopped).
    const dead = JSON.parse((await f.cli(["status", "--json"])).stdout) as { watchdog: Record<string, unknown> };
    expect(dead.watchdog).toMatchObject({ running: false, health: "dead", deadPid: oldWatchdog });
    expect((await f.cli(["status"])).stdout.split("\n")[0]).toMatch(new RegExp(`^WATCHDOG DEAD: pid ${oldWatchdog} died without stopping`));

    // What the service manager runs.
    const printed = await f.cli(["service", "install", "--print"]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    const base = childEnv(f.socket);
    // What the user manager itself provides (HOME, the runtime dir) plus what the unit sets.
    const sysEnv = { HOME: base.HOME ?? "/", XDG_RUNTIME_DIR: base.XDG_RUNTIME_DIR ?? "", TMPDIR: base.TMPDIR ?? "" };
    let child;
    if (printed.stdout.startsWith("@reboot ")) {
      // No systemctl here: the cron line is what was printed; run it as cron would.
      const line = printed.stdout.trim().slice("@reboot ".length).replace(/\\%/g, "%");
      child = execa("sh", ["-c", `exec ${line.replace("&& env", "&& exec env")}`], { env: sysEnv, extendEnv: false, reject: false });
    } else {
      const unit = fromUnit(printed.stdout);
      expect(unit.argv.slice(0, 4)).toEqual([CLI, "service", "run", "--config"]);
      expect(unit.env.AGENTS_TMUX_SOCKET).toBe(f.socket);
      expect(unit.cwd).toBe(f.dir);
      child = execa(unit.argv[0]!, unit.argv.slice(1), { env: { ...sysEnv, ...unit.env }, extendEnv: false, reject: false, cwd: unit.cwd });
    }
    try {
      await waitFor("both agents back", async () => (await f.tmux.listPanes()).filter((p) => ["t-w", "t-u"].includes(p.session)).length === 2);
      expect(await startCommand(f, "t-u")).toContain("--resume 'conv-u'");
      await waitFor("w resumed", async () => (await startCommand(f, "t-w")).includes("--resume 'conv-w'"));
      await waitFor("w's screen says so", async () => (await f.screen("t-w")).includes("demo: resuming session conv-w"));
      const heal = f.eventsFor("w", "restarted").at(-1);
      expect(heal).toMatchObject({ reason: "session missing" });
      expect(String(heal?.detail)).toContain("conversation resumed conv-w");

      // status sees the service's watchdog; down stops it, and the service exits 0 (not restarted).
      const st = JSON.parse((await f.cli(["status", "--json"])).stdout) as { watchdog: { running: boolean; pid: number; health?: string; mode?: string } };
      expect(st.watchdog).toMatchObject({ running: true, pid: child.pid, health: "ok", stale: false, mode: "foreground" });
      const down = await f.cli(["down"]);
      expect(down.stdout).toContain(`watchdog: stopped (pid ${child.pid})`);
      const r = await child;
      expect(r.exitCode, r.stderr).toBe(0);
      const left = (await f.tmux.listPanes()).map((p) => p.session);
      expect(left.filter((x) => x === "t-w" || x === "t-u"), down.stdout).toEqual([]);
    } finally {
      child.kill("SIGTERM");
      await child;
    }
    // The unit is only printed: nothing was written under the (real) config home.
    expect(printed.stdout).not.toMatch(/installed /);
  });
});
