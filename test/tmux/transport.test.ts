// SpawnTransport over runBounded: a tmux that hangs is killed at the transport's timeout and the
// call fails like any failed tmux command, instead of stalling the watchdog's tick. A shell stands
// in for the hung tmux (it prints its pid so the test can check it is gone).
import { describe, expect, it } from "vitest";
import { running } from "../../src/proc/group.js";
import { SpawnTransport } from "../../src/tmux/tmux.js";

describe("SpawnTransport", () => {
  it("fails a hung command at its timeout and leaves nothing running", { timeout: 15_000 }, async () => {
    const t = new SpawnTransport("sh", ["-c", "echo $$; sleep 600 & wait", "sh"], 300);
    const r = await t.run(["list-panes", "-a"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tmux list-panes timed out after 0.3s");
    const pid = Number(r.stdout);
    expect(running(pid)).toBe(false);
  });

  it("passes code, stdout and stderr through", async () => {
    const t = new SpawnTransport("sh", ["-c", 'echo "$@"; echo warn >&2; exit 2', "sh"]);
    expect(await t.run(["has-session", "-t", "=x"])).toEqual({ code: 2, stdout: "has-session -t =x", stderr: "warn" });
  });

  it("reports a tmux that is not installed as a failed command", async () => {
    const r = await new SpawnTransport("/nonexistent/tmux", []).run(["list-panes"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ENOENT/);
  });
});
