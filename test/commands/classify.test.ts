// `agents classify`: a saved screen with its pane's title, command and dead flag reads exactly as
// the watchdog reads the live pane (readScreen), and `classify <agent>` reads an agent's live pane
// on a private tmux server. The screens and their pane facts are real captures (INDEX.md).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run } from "../../src/commands/classify.js";
import { parseVerbArgs, usageError } from "../../src/commands/args.js";
import { SPECS, type Args } from "../../src/commands/table.js";
import { readScreen } from "../../src/detect/screen.js";
import { parseIndex } from "../../src/detect/selftest.js";
import { PRESETS } from "../../src/config/presets.js";
import { MINIMAL } from "../helpers/project.js";
import { ROOT, privateTmux, removeDir, tempDir, waitFor, type PrivateTmux } from "../helpers/tmux.js";

const CAPTURES = path.join(ROOT, "test/fixtures/captures");
const index = parseIndex(readFileSync(path.join(CAPTURES, "INDEX.md"), "utf8"));

/** Run the verb in-process, as the CLI would with these arguments. */
async function classifyArgs(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const p = parseVerbArgs(SPECS.classify, argv);
  const out: string[] = [];
  const inv = {
    opts: p.opts,
    args: p.args,
    io: { out: (l: string) => out.push(...l.split("\n")), err: (l: string) => out.push(`ERR ${l}`) },
    usage: (m: string) => usageError(SPECS.classify, m),
  } as unknown as Args<"classify">;
  const code = await run(inv);
  return { code, out };
}

/** The capture's pane facts from INDEX.md, as classify flags. */
function paneFlags(name: string): string[] {
  const m = index.get(name)!;
  expect(m, name).toBeDefined();
  return [...(m.title !== undefined ? ["--title", m.title] : []), ...(m.command ? ["--command", m.command] : []), ...(m.dead ? ["--dead"] : [])];
}

const state = async (...argv: string[]) => (await classifyArgs(...argv)).out[0]!.split(" ")[0];

describe("a saved screen with its pane facts reads as the watchdog reads the pane", () => {
  test.each([
    // [capture, backend, without the pane facts, with them]
    ["codex/slow-working.txt", "codex", "idle", "working"], // the braille spinner title alone says busy
    ["claude/shell_exit-exited.txt", "claude", "unknown", "exited"], // bash in the pane: exited to a shell
    ["opencode/crash-killed.txt", "opencode", "working", "exited"], // a frozen frame: only #{pane_dead} tells
  ])("%s: %s without its pane facts, %s with them", async (name, backend, bare, full) => {
    const file = path.join(CAPTURES, name);
    expect(await state("--backend", backend, file)).toBe(bare);
    expect(await state("--backend", backend, file, ...paneFlags(name))).toBe(full);
    // Exactly the watchdog's reading of that pane.
    const m = index.get(name)!;
    const rules = { ...PRESETS[backend]!, name: backend, preset: backend };
    expect(readScreen(rules, m, readFileSync(file, "utf8"), Date.now()).state).toBe(full);
  });

  test("each flag on its own: --title, --command, --dead", async () => {
    const slow = path.join(CAPTURES, "codex/slow-working.txt");
    const r = await classifyArgs("--backend", "codex", slow, "--title", "⠴ h-codex-slow", "--explain");
    expect(r.out).toEqual(["working", "  rule: title_active_re", "  line: ⠴ h-codex-slow"]);
    expect(await state("--backend", "codex", slow, "--title", "h-codex-slow")).toBe("idle");
    const shell = path.join(CAPTURES, "claude/shell_exit-exited.txt");
    expect((await classifyArgs("--backend", "claude", shell, "--command", "bash", "--explain")).out[1]).toBe("  rule: shell_command");
    expect(await state("--backend", "claude", shell, "--command", "claude")).not.toBe("exited");
    const frozen = path.join(CAPTURES, "opencode/crash-killed.txt");
    expect((await classifyArgs("--backend", "opencode", frozen, "--dead", "--explain")).out.slice(0, 2)).toEqual(["exited", "  rule: dead"]);
  });

  test("a dead pane whose last screen says why it ended: fatal, flagged dead", async () => {
    const name = "claude/first_run-screen1.txt";
    const file = path.join(CAPTURES, name);
    expect((await classifyArgs("--backend", "claude", file)).out).toEqual(["fatal"]);
    expect((await classifyArgs("--backend", "claude", file, ...paneFlags(name))).out).toEqual(["fatal (pane dead)"]);
    const json = JSON.parse((await classifyArgs("--backend", "claude", file, ...paneFlags(name), "--json")).out[0]!) as Record<string, unknown>;
    expect(json).toMatchObject({ state: "fatal", dead: true });
    expect(json).not.toHaveProperty("capturedAt");
  });

  test("pane facts are for saved screens; without --backend a target is required", async () => {
    await expect(classifyArgs("builder", "--dead")).rejects.toThrow(/--title, --command and --dead describe a saved screen/);
    await expect(classifyArgs()).rejects.toThrow(/give --backend NAME for a saved screen, or name an agent/);
  });
});

describe("classify <agent>: the live pane on a private tmux server", () => {
  let t: PrivateTmux;
  let dir: string;
  let config: string;

  beforeAll(() => {
    t = privateTmux("classify");
    dir = tempDir("classify");
    config = path.join(dir, "agents.toml");
    writeFileSync(
      config,
      `${MINIMAL}[[agent]]\nname = "solo"\nenv = { DEMO_MODE = "quiet", DEMO_TICK = "1" }\n` +
        `[[agent]]\nname = "cl"\nbackend = "claude"\nenv = { CLAUDE_CONFIG_DIR = "${path.join(dir, "claude-home")}" }\n` +
        `[[agent]]\nname = "cx"\nbackend = "codex"\nenv = { CODEX_HOME = "${path.join(dir, "codex-home")}" }\n` +
        `[[agent]]\nname = "oc"\nbackend = "opencode"\n`,
    );
  });

  afterAll(() => {
    t?.kill();
    removeDir(dir);
  });

  const agents = (...args: string[]) => t.cli([...args, "--config", config], { cwd: dir, timeoutMs: 30_000 });

  test("not running: exit 1 and says so; not an agent: a one-line error", async () => {
    const r = await agents("classify", "solo");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("solo: no pane (session t-solo is not running)");
    const bad = await agents("classify", "nobody");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no agent named "nobody" \(agents: solo, cl, cx, oc\); to classify a saved screen, pass --backend NAME/);
  });

  test("idle at its prompt, then working once told to work; the demo backend has no signal reader", async () => {
    expect((await agents("up", "solo")).code).toBe(0);
    const idle = await waitFor("the demo prompt", async () => {
      const r = await agents("classify", "solo", "--explain");
      return r.stdout.startsWith("idle") ? r : undefined;
    });
    expect(idle.code).toBe(0);
    const lines = idle.stdout.split("\n");
    expect(lines[1]).toBe("  rule: idle_re");
    expect(lines.find((l) => l.startsWith("  pane:"))).toMatch(/^  pane: command=bash title=".*" dead=no$/);
    expect(lines.at(-1)).toBe('signals: unavailable (no signal reader for backend "demo")');

    expect(t.tmux(["send-keys", "-t", "=t-solo:", "/work", "Enter"]).code).toBe(0);
    const working = await waitFor("working", async () => {
      const r = await agents("classify", "solo", "--json");
      const j = JSON.parse(r.stdout || "{}") as Record<string, unknown>;
      return j.state === "working" ? j : undefined;
    });
    expect(working).toMatchObject({ agent: "solo", pane: { command: "bash", dead: false }, signals: null });
  });

  test("a Claude agent: its screen by the claude rules, then what its signal tap recorded", async () => {
    // The pane shows a real Claude usage-limit screen; the tap's file holds the real records of a
    // 5-hour limit (test/fixtures/signals). Nothing of Claude runs: only what classify reads is there.
    const screen = path.join(CAPTURES, "claude/usage_limit-final.txt");
    expect(t.tmux(["new-session", "-d", "-s", "t-cl", "-x", "120", "-y", "40", `cat '${screen}'; exec sleep 600`]).code).toBe(0);
    const none = await waitFor("the screen", async () => {
      const r = await agents("classify", "cl");
      return r.stdout.startsWith("limited") ? r : undefined;
    });
    expect(none.stdout.split("\n")[1]).toBe(`signals: none recorded yet (${path.join(dir, ".state", "state", "cl.claude-signals.jsonl")})`);
    mkdirSync(path.join(dir, ".state", "state"), { recursive: true });
    copyFileSync(path.join(ROOT, "test/fixtures/signals/claude/2.1.330/usage-limit-5h.jsonl"), path.join(dir, ".state", "state", "cl.claude-signals.jsonl"));
    const r = await agents("classify", "cl");
    expect(r.code).toBe(0);
    const [head, signals] = r.stdout.split("\n");
    expect(head).toMatch(/^limited /);
    expect(signals).toMatch(/^signals \(claude\): limited until 2026-12-02T07:11:50\.000Z \(five_hour\)/);
    expect(signals).toContain("session 94c797e4-2120-4609-92f7-662bd9e61bca");
    const json = JSON.parse((await agents("classify", "cl", "--json")).stdout) as { signals: { source: string; state: string; limit: { window: string } } };
    expect(json.signals).toMatchObject({ source: "claude", state: "limited", limit: { window: "five_hour" } });
  });

  test("a Codex agent: its rollout, found by the thread stored for resuming, with its age", async () => {
    const thread = "01a23578-c0a1-7af3-85b8-5abbf22b6279";
    const day = path.join(dir, "codex-home", "sessions", "2026", "12", "02");
    mkdirSync(day, { recursive: true });
    copyFileSync(path.join(ROOT, "test/fixtures/signals/codex/limit-no-rate-headers.jsonl"), path.join(day, `rollout-2026-12-02T06-37-15-${thread}.jsonl`));
    const screen = path.join(CAPTURES, "codex/usage_limit-final.txt");
    expect(t.tmux(["new-session", "-d", "-s", "t-cx", "-x", "120", "-y", "40", `cat '${screen}'; exec sleep 600`]).code).toBe(0);
    // The rollout began before this pane and in another folder: without the stored thread it is not this run's.
    const before = await waitFor("the screen", async () => {
      const r = await agents("classify", "cx");
      return r.stdout.startsWith("limited") ? r : undefined;
    });
    expect(before.stdout.split("\n")[1]).toBe("signals: none recorded yet (no codex record found)");
    mkdirSync(path.join(dir, ".state", "state"), { recursive: true });
    writeFileSync(path.join(dir, ".state", "state", "cx.session-id"), `${thread}\n`);
    const r = await agents("classify", "cx");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[1]).toMatch(/^signals \(codex\): limited until 2026-12-02T08:38:00.000Z — ".*try again at 8:38 AM\." · record 2026-12-02T06:38:17.606Z \(\d+[smh] ago\)/);
  });

  test("an opencode agent: the plugin's record of opencode's own events", async () => {
    const screen = path.join(CAPTURES, "opencode/ok-idle.txt");
    expect(t.tmux(["new-session", "-d", "-s", "t-oc", "-x", "120", "-y", "40", `cat '${screen}'; exec sleep 600`]).code).toBe(0);
    mkdirSync(path.join(dir, ".state", "state"), { recursive: true });
    copyFileSync(path.join(ROOT, "test/fixtures/signals/opencode/signals.jsonl"), path.join(dir, ".state", "state", "oc.opencode-signals.jsonl"));
    const r = await waitFor("the screen", async () => {
      const x = await agents("classify", "oc", "--json");
      return x.stdout.includes('"state"') ? x : undefined;
    });
    const json = JSON.parse(r.stdout) as { agent: string; pane: { command: string }; signals: { source: string; state?: string } };
    expect(json).toMatchObject({ agent: "oc", pane: { command: "sleep" }, signals: { source: "opencode", state: "idle" } });
  });
});
