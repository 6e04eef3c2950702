// The tmux server that runs the fleet (and the watchdog's own session) is killed: the watchdog
// must outlive it and bring the fleet back on a new server, and `status` must say so.
import { describe, expect, it } from "vitest";
import { TestFleet, baseToml, useTestFleet, waitFor } from "./harness.js";
import { onFileCleanup } from "../helpers/tmp.js";

const TOML = `${baseToml()}
[[agent]]
name = "a"
watch = "heal"
prompt = "go"
`;

const fleets = useTestFleet();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function statusJson(f: TestFleet) {
  const r = await f.cli(["status", "--json"]);
  return JSON.parse(r.stdout) as { watchdog: { running: boolean; pid?: number; heartbeatAgeS?: number; mode?: string }; rows: { name: string; state: string }[] };
}

describe("the tmux server dies", () => {
  it("the watchdog survives outside tmux and brings the fleet back on a new server", async () => {
    const f = fleets.set(new TestFleet(TOML));
    expect((await f.cli(["up"])).exitCode).toBe(0);
    const wd = await waitFor("watchdog ticking", async () => {
      const s = await statusJson(f);
      return s.watchdog.heartbeatAgeS !== undefined && s.watchdog.pid ? s.watchdog : undefined;
    });
    expect(wd.mode).toBe("session");
    const pid = wd.pid!;
    // It was started by `up`, not by this test's process: make sure it goes whatever happens.
    onFileCleanup(() => {
      if (alive(pid)) process.kill(pid, "SIGKILL");
    });
    const before = await f.pid("t-a");
    expect(before).toBeDefined();

    await f.tmux.run(["kill-server"]);

    const healed = await waitFor("agent back on a new server", async () => {
      const p = await f.pid("t-a");
      return p !== undefined && p !== before ? p : undefined;
    });
    expect(healed).not.toBe(before);
    expect(alive(pid)).toBe(true);
    await waitFor("server loss logged", () => f.events().find((e) => e.action === "tmux-server-lost"));
    const after = await waitFor("status says detached", async () => {
      const s = await statusJson(f);
      return s.watchdog.mode === "detached" ? s : undefined;
    });
    expect(after.watchdog).toMatchObject({ running: true, pid });
    expect((await f.cli(["status"])).stdout).toMatch(/outside tmux \(its tmux server died/);

    process.kill(pid, "SIGTERM");
    await waitFor("detached watchdog stops on SIGTERM", () => !alive(pid));
  });
});
