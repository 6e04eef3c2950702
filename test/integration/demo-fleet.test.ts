// The built CLI against real tmux on a private server: the repo's demo fleet goes up, reports
// itself, shows its logs and comes down, while look-alike sessions on the same server survive.
import { existsSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLI, copyDemoFleet, privateTmux, removeDir, waitFor, type PrivateTmux } from "../helpers/tmux.js";

interface StatusJson {
  phase?: { id: string; index: number; count: number };
  rows: { name: string; kind: string; backend: string; model: string; watch: string; session: string; state: string }[];
  watchdog: { running: boolean; heartbeatAgeS?: number };
}

const FLEET = ["demo-builder", "demo-adversary", "demo-supervisor", "demo-clock", "demo-watchdog"];
// Names a bare (prefix-matching) tmux target would confuse with fleet sessions, and a stranger.
const DECOYS = ["demo-builder2", "demo-builder-x", "demo-watchdog2", "someone-else"];

let t: PrivateTmux;
let dir: string;
let config: string;

const agents = (...args: string[]) => t.cli([...args, "--config", config], { cwd: dir });

async function statusJson(): Promise<StatusJson> {
  const r = await agents("status", "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
}

beforeAll(() => {
  t = privateTmux("demo");
  ({ dir, config } = copyDemoFleet());
  // The decoys exist before `up`, so use-or-create must not mistake demo-builder2 for demo-builder.
  for (const name of DECOYS) expect(t.tmux(["new-session", "-d", "-s", name, "sleep 600"]).code).toBe(0);
});

afterAll(() => {
  t?.kill();
  removeDir(dir);
});

describe("demo fleet on a private tmux server", () => {
  test("up starts every agent, the service and the watchdog", async () => {
    const r = await agents("up");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // The watchdog's line names the pid that took the lock.
    expect(r.stdout.replace(/\(pid \d+\)/, "(pid N)").split("\n").filter(Boolean)).toEqual([
      "builder: started (demo, loop phase=P1, model=demo-model-1) [demo-builder]",
      "adversary: started (demo, loop phase=P1, model=demo-model-1) [demo-adversary]",
      "supervisor: started (demo, persistent, model=demo-model-1) [demo-supervisor]",
      "clock: started [demo-clock]",
      "watchdog: started (pid N) [demo-watchdog]",
    ]);
    expect(t.sessions().sort()).toEqual([...FLEET, ...DECOYS].sort());
  });

  test("status --json: every agent and service running, the watchdog alive with a heartbeat", async () => {
    const s = await waitFor("the watchdog's first heartbeat", async () => {
      const j = await statusJson();
      return j.watchdog.running && j.watchdog.heartbeatAgeS !== undefined ? j : undefined;
    });
    expect(s.phase).toMatchObject({ id: "P1", index: 0, count: 2 });
    expect(s.rows.map((r) => [r.name, r.kind, r.backend, r.model, r.watch, r.state])).toEqual([
      ["builder", "loop", "demo", "demo-model-1", "heal+stall", "running"],
      ["adversary", "loop", "demo", "demo-model-1", "heal+stall", "running"],
      ["supervisor", "persistent", "demo", "demo-model-1", "heal", "running"],
      ["clock", "service", "-", "-", "-", "running"],
    ]);
  });

  test("status table: a header, one row per agent, service and the watchdog, all running", async () => {
    const r = await agents("status");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter(Boolean);
    expect(lines[0]).toBe("phase P1 [1/2] plan=examples/demo/plans/P1.md (in progress)");
    expect(lines[1]!.split(/\s+/)).toEqual(["NAME", "KIND", "BACKEND", "MODEL", "WATCH", "SESSION", "DOING"]);
    const rows = new Map(lines.slice(2).map((l) => [l.split(/\s+/)[0]!, l.split(/\s{2,}/)]));
    expect([...rows.keys()]).toEqual(["builder", "adversary", "supervisor", "clock", "watchdog"]);
    for (const [name, cols] of rows) expect(cols[5], name).toBe("running");
    expect(rows.get("watchdog")![6]).toMatch(/^heartbeat \d+s ago$/);
  });

  test("the agents run the demo agent with their kickoff and model", async () => {
    const screen = await waitFor("builder's first working line", () => {
      const out = t.tmux(["capture-pane", "-p", "-t", "=demo-builder:"]).stdout;
      return /working\.\.\. \d\d:\d\d:\d\d/.test(out) ? out : undefined;
    });
    expect(screen).toContain("demo agent ready (model=demo-model-1)");
    expect(screen).toContain("kickoff: # Kickoff: phase P1, you are the builder");
    expect(existsSync(path.join(dir, ".agents-state/state/kickoff-demo-builder.txt"))).toBe(true);
  });

  test("logs <name> -n shows the session log; logs watchdog shows its decisions", async () => {
    const log = await waitFor("a working line in builder's log", async () => {
      const r = await agents("logs", "builder", "-n", "3");
      return r.code === 0 && r.stdout.includes("working...") ? r : undefined;
    });
    expect(log.stdout.split("\n").filter(Boolean).length).toBeLessThanOrEqual(3);
    const wd = await waitFor("the watchdog's start event", async () => {
      const r = await agents("logs", "watchdog");
      return r.code === 0 && r.stdout.includes("watchdog-up") ? r : undefined;
    });
    expect(wd.stdout).toMatch(/watchdog-up/);
    const bad = await agents("logs", "nobody");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`agents: ${config}: no agent or service named "nobody"`);
  });

  test("logs -f follows the log as the agent writes", async () => {
    const child = execa(CLI, ["logs", "supervisor", "-f", "-n", "0", "--config", config], {
      env: t.env,
      extendEnv: false,
      cwd: dir,
      reject: false,
      buffer: false,
      stdin: "ignore",
    });
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    try {
      // -n 0 prints nothing old, so any working line seen here arrived while following.
      await waitFor("a new working line while following", () => /working\.\.\. \d\d:\d\d:\d\d/.test(out), 15_000);
    } finally {
      child.kill("SIGTERM");
      await child;
    }
  });

  test("up again is use-or-create: nothing restarted, nothing duplicated", async () => {
    const before = t.tmux(["list-panes", "-a", "-F", "#{session_name} #{pane_pid}"]).stdout;
    const r = await agents("up");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("builder: already running [demo-builder]");
    expect(r.stdout).toMatch(/^watchdog: already running \(pid \d+\) \[demo-watchdog\]$/m);
    expect(t.tmux(["list-panes", "-a", "-F", "#{session_name} #{pane_pid}"]).stdout).toBe(before);
  });

  test("down stops the watchdog first, then exactly the fleet's sessions; decoys survive", async () => {
    const r = await agents("down");
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\(pid \d+\)/, "(pid N)").split("\n").filter(Boolean)).toEqual([
      "watchdog: stopped (pid N) [demo-watchdog]",
      "builder: stopped [demo-builder]",
      "adversary: stopped [demo-adversary]",
      "supervisor: stopped [demo-supervisor]",
      "clock: stopped [demo-clock]",
    ]);
    expect(t.sessions().sort()).toEqual([...DECOYS].sort());
    // Nothing heals the fleet back after down: the watchdog is gone, not just its session.
    const s = await statusJson();
    expect(s.watchdog.running).toBe(false);
    expect(s.rows.map((row) => row.state)).toEqual(["stopped", "stopped", "stopped", "stopped"]);
  });

  test("down on a stopped fleet is a no-op that still spares the decoys", async () => {
    const r = await agents("down");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("watchdog: not running");
    expect(t.sessions().sort()).toEqual([...DECOYS].sort());
  });

  test("up/down by name touch only the named sessions", async () => {
    const up = await agents("up", "clock");
    expect(up.code).toBe(0);
    expect(up.stdout.trim()).toBe("clock: started [demo-clock]");
    expect(t.sessions().sort()).toEqual([...DECOYS, "demo-clock"].sort());
    const down = await agents("down", "clock");
    expect(down.stdout.trim()).toBe("clock: stopped [demo-clock]");
    expect(t.sessions().sort()).toEqual([...DECOYS].sort());
    const unknown = await agents("down", "builder2");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^agents: .*: no agent or service named "builder2" \(known: watchdog, builder, adversary, supervisor, clock\)$/);
    expect(t.sessions().sort()).toEqual([...DECOYS].sort());
  });
});
