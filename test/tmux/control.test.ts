// The control-mode transport against a real (private) tmux server: reads travel over one client
// with no process each, the client changes no window size, a killed client falls back to plain
// processes at once and is attached again after its backoff (on a timer, no read needed), and
// sessions that go away notify.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ControlTransport, type TransportMode } from "../../src/tmux/control-transport.js";
import { SpawnTransport, Tmux } from "../../src/tmux/tmux.js";
import { hiddenSessionName, sessionProvider } from "../../src/watchdog/control-session.js";
import { privateTmux } from "../helpers/tmux.js";

const t = privateTmux("ctl");
afterAll(() => t.kill());

async function until<T>(what: string, f: () => T | undefined | false, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("ControlTransport", () => {
  it("reads over one client, falls back when it dies, and comes back", { timeout: 30_000 }, async () => {
    expect(t.tmux(["new-session", "-d", "-s", "own-a", "-x", "90", "-y", "20", "printf 'hello\\tworld\\n%%begin 1 2 1\\n'; exec sleep 600"]).code).toBe(0);
    const sock = path.join(t.tmpdir, `tmux-${process.getuid!()}`, t.socket);
    const baseArgs = ["-S", sock];
    const spawn = new SpawnTransport("tmux", baseArgs);
    const switches: [TransportMode, string][] = [];
    let topology = 0;
    const control = new ControlTransport({
      bin: "tmux",
      baseArgs,
      env: t.env,
      spawn,
      session: sessionProvider(spawn, "own-watchdog"),
      onSwitch: (mode, reason) => switches.push([mode, reason]),
      onTopology: () => topology++,
    });
    const tmux = new Tmux({ transport: control });
    try {
      const panes = await tmux.listPanes();
      expect(panes.map((p) => p.session).sort()).toEqual(["own-a", hiddenSessionName("own-watchdog")]);
      expect(control.counts).toEqual({ control: 1, spawn: 0 });
      expect(switches).toEqual([["control", expect.stringMatching(/attached to session own-watchdog\+ctl/)]]);
      expect(await until("the pane's text", async () => /world/.test((await tmux.capture("own-a")) ?? "") || undefined)).toBe(true);
      const text = await tmux.capture("own-a");
      expect(text?.split("\n").slice(0, 2)).toEqual(["hello   world", "%begin 1 2 1"]);
      expect(control.counts.spawn).toBe(0);
      // ignore-size: the agent's window keeps its size; the client is read-only.
      expect(t.tmux(["display", "-p", "-t", "=own-a:", "#{window_width}x#{window_height}"]).stdout.trim()).toBe("90x20");
      const clients = t.tmux(["list-clients", "-F", "#{client_flags}"]).stdout;
      expect(clients).toMatch(/ignore-size/);
      expect(clients).toMatch(/no-output/);
      expect(clients).toMatch(/read-only/);

      // Writes never go over the client.
      expect((await tmux.run(["set-option", "-w", "-t", "=own-a:", "@x", "1"])).code).toBe(0);
      expect(control.counts.control).toBe(3);

      // A session going away is notified.
      t.tmux(["new-session", "-d", "-s", "own-b", "sleep 600"]);
      const before = topology;
      t.tmux(["kill-session", "-t", "=own-b"]);
      await until("a topology notification", () => topology > before);

      // Kill the client: reads go on as processes, and it is attached again after the backoff.
      const pid = control.clientPid!;
      process.kill(pid, "SIGKILL");
      await until("the loss seen", () => control.mode === "spawn");
      expect(switches.at(-1)?.[0]).toBe("spawn");
      expect((await tmux.listPanes()).length).toBe(2);
      expect(control.counts.spawn).toBe(1);
      // Attached again on its own timer, with no read to prompt it (its notifications wake the watchdog).
      await until("attached again without a read", () => control.mode === "control", 5_000);
      expect((await tmux.listPanes()).length).toBe(2);
      expect(control.mode).toBe("control");
      expect(control.clientPid).not.toBe(pid);
    } finally {
      tmux.close();
    }
  });

  it("makes no session while the server is down", async () => {
    const spawn = new SpawnTransport("tmux", ["-S", path.join(t.tmpdir, "nope")]);
    expect(await sessionProvider(spawn, "x-watchdog")()).toBeUndefined();
  });
});
