// Compatibility promise: the reference program's own demo config (an exec backend written for
// agents.py) loads and runs unchanged with this CLI.
import { cpSync, existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT, privateTmux, removeDir, tempDir, waitFor, type PrivateTmux } from "../helpers/tmux.js";

// The reference sits beside the repo (../shared/reference) on the machine it was built on.
const REFERENCE =
  [process.env.AGENTS_REFERENCE_DIR, path.resolve(ROOT, "../shared/reference"), "/work/shared/reference"].find(
    (d): d is string => !!d && existsSync(path.join(d, "demo.toml")),
  ) ?? "";
const available = REFERENCE !== "";

let t: PrivateTmux;
let dir: string;
let config: string;
const agents = (...args: string[]) => t.cli([...args, "--config", config], { cwd: dir });

// Not part of a clone: where the reference is absent this suite is reported as skipped.
describe.skipIf(!available)("the reference demo.toml, unchanged", () => {
  beforeAll(() => {
    t = privateTmux("ref");
    dir = tempDir("ref");
    for (const f of ["demo.toml", "prompts", "plans", "status"]) cpSync(path.join(REFERENCE, f), path.join(dir, f), { recursive: true });
    config = path.join(dir, "demo.toml");
  });

  afterAll(() => {
    t?.kill();
    removeDir(dir);
  });

  test("up starts all three agents and the watchdog", async () => {
    const r = await agents("up");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\(pid \d+\)/, "(pid N)").split("\n")).toEqual([
      "supervisor: started (fake, persistent, model=fake-model-1) [bl-supervisor]",
      "builder: started (fake, loop phase=P1, model=fake-model-1) [bl-builder]",
      "adversary: started (fake, loop phase=P1, model=fake-model-1) [bl-adversary]",
      "watchdog: started (pid N) [bl-watchdog]",
    ]);
    expect(t.sessions().sort()).toEqual(["bl-adversary", "bl-builder", "bl-supervisor", "bl-watchdog"]);
  });

  test("the exec template got its session, model and kickoff file", async () => {
    const first = await waitFor("the fake agent's banner", () => {
      const line = t.tmux(["capture-pane", "-p", "-t", "=bl-builder:"]).stdout.split("\n")[0] ?? "";
      return line.startsWith("[bl-builder]") ? line : undefined;
    });
    const kickoff = path.join(dir, ".state/state/kickoff-bl-builder.txt");
    expect(first).toMatch(new RegExp(`^\\[bl-builder\\] model=fake-model-1 kickoff=${kickoff.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(\\d+ lines\\)$`));
  });

  test("status lists every agent running and the watchdog alive", async () => {
    const s = await waitFor("the watchdog's heartbeat", async () => {
      const r = await agents("status", "--json");
      const j = JSON.parse(r.stdout) as { rows: { name: string; state: string }[]; watchdog: { running: boolean; heartbeatAgeS?: number } };
      return j.watchdog.running && j.watchdog.heartbeatAgeS !== undefined ? j : undefined;
    });
    expect(s.rows.map((r) => [r.name, r.state])).toEqual([
      ["supervisor", "running"],
      ["builder", "running"],
      ["adversary", "running"],
    ]);
    const table = await agents("status");
    expect(table.code).toBe(0);
    const lines = table.stdout.split("\n");
    expect(lines[0]).toBe("phase P1 [1/2] plan=plans/P1.md (in progress)");
    for (const name of ["supervisor", "builder", "adversary", "watchdog"]) {
      expect(lines.find((l) => l.startsWith(`${name} `)), name).toMatch(/\brunning\b/);
    }
  });

  test("down leaves nothing of the fleet", async () => {
    const r = await agents("down");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^watchdog: stopped \(pid \d+\) \[bl-watchdog\]$/);
    expect(t.sessions()).toEqual([]);
  });
});
