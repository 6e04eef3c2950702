// `npm run demo` end to end (scripts/demo.mjs on a temp copy of demo/fleet.toml, a private tmux
// server): the story is narrated — heal, hold, resume, phase advance — and `why` printed; a second
// run while the first fleet runs starts afresh; Ctrl-C leaves the fleet running and says how to
// stop it; the fleet's own `down` removes everything. About 50 s.
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT, privateTmux, removeDir, tempDir, waitFor, type PrivateTmux } from "../helpers/tmux.js";

let t: PrivateTmux;
let dir: string;
let config: string;

const FLEET = ["demo-adversary", "demo-builder", "demo-clock", "demo-supervisor", "demo-watchdog"];

/** Run the demo script as `npm run demo` does, from the temp project. */
function demo(args: string[] = ["--config", config]) {
  return execa("node", [path.join(ROOT, "scripts/demo.mjs"), ...args], {
    env: t.env,
    extendEnv: false,
    cwd: dir,
    reject: false,
    stdin: "ignore",
    timeout: 120_000,
    killSignal: "SIGKILL",
  });
}

const narration = () => readFileSync(path.join(dir, ".agents-state/demo/narration.log"), "utf8");

beforeAll(() => {
  t = privateTmux("story");
  dir = tempDir("story");
  mkdirSync(path.join(dir, "demo"));
  mkdirSync(path.join(dir, "scripts"));
  cpSync(path.join(ROOT, "demo/fleet.toml"), path.join(dir, "demo/fleet.toml"));
  cpSync(path.join(ROOT, "scripts/narrate.mjs"), path.join(dir, "scripts/narrate.mjs"));
  for (const d of ["examples", "prompts"]) cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
  config = path.join(dir, "demo/fleet.toml");
});

afterAll(() => {
  t?.kill();
  removeDir(dir);
});

// The story's lines, as narrate.mjs words them (HH:MM:SS, two spaces, the line).
const HEAL = /^\d\d:\d\d:\d\d {2}builder crashed \(its session is gone\) → restarted; forensic record (builder-restarted-\S+\.json)$/m;
const HOLD = /^\d\d:\d\d:\d\d {2}adversary hit a usage limit \(reset \S+Z\) → held until \d\d:\d\d:\d\d, not restarted$/m;
const RESUME = /^\d\d:\d\d:\d\d {2}adversary's usage-limit hold is over: agent is working again$/m;
const ADVANCE = /^\d\d:\d\d:\d\d {2}phase advanced on DONE: phase P1 done; advancing to P2$/m;

describe("npm run demo", { timeout: 150_000 }, () => {
  test("tells the story within 90 s, narrated, with `why` on the crashed agent, and leaves the fleet running", async () => {
    const r = await demo();
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const out = String(r.stdout);
    const record = HEAL.exec(out)?.[1];
    expect(record, out).toBeDefined();
    for (const re of [HOLD, RESUME, ADVANCE]) expect(out).toMatch(re);
    // In the story's order, and the file the sink wrote says the same.
    const at = [HEAL, HOLD, RESUME, ADVANCE].map((re) => out.search(re));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const re of [HEAL, HOLD, RESUME, ADVANCE]) expect(narration()).toMatch(re);
    // `why builder` shows the record the heal named, with the agent's last words from its log.
    expect(out).toContain(`last record: ${record}`);
    expect(out).toContain("demo: exiting with status 1");
    const took = Number(/The story took (\d+) s/.exec(out)?.[1]);
    expect(took).toBeLessThanOrEqual(90);
    expect(out).toContain(`down --config ${path.relative(dir, config)}`);
    expect(t.sessions().sort()).toEqual(FLEET);
  });

  test("run again while it runs: the old fleet is stopped and the story starts afresh", async () => {
    const r = await demo();
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/^Stopping the demo fleet of an earlier run:\n {4}watchdog: stopped \(pid \d+\)/);
    // A fresh narration: one watchdog start, one heal, one advance (P1 again, from a reset phase).
    const told = narration();
    expect(told.match(/watchdog started/g)).toHaveLength(1);
    expect(told.match(/→ restarted/g)).toHaveLength(1);
    expect(told).toMatch(ADVANCE);
  });

  test("Ctrl-C mid-story leaves the fleet running and says how to stop it", async () => {
    const child = demo();
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await waitFor("the first step", () => out.includes("1. A crash"), 60_000);
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(String(r.stdout)).toMatch(/demo: interrupted; the demo fleet is left running; look with .* stop it with .*down --config demo\/fleet\.toml/);
    // Interrupted right after it crashed builder, maybe: the watchdog heals it regardless.
    await waitFor("every session of the fleet", () => t.sessions().sort().join() === FLEET.join(), 20_000);
  });

  test("the fleet's own down removes every session it made", async () => {
    const r = await t.cli(["down", "--config", config], { cwd: dir });
    expect(r.code).toBe(0);
    expect(t.sessions()).toEqual([]);
  });

  test("a config that is not a demo fleet is refused in one line, before anything starts", async () => {
    const r = await demo(["--config", path.join(ROOT, "agents.example.toml")]);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr).trim().split("\n")).toHaveLength(1);
    expect(String(r.stderr)).toMatch(/^demo: .*agents\.example\.toml: not a demo fleet/);
    expect(t.sessions()).toEqual([]);
  });
});
