// `agents logs <agent> --transcript [-f]` through the built CLI: the agent's own record found where
// its CLI keeps it (Claude's config dir, CODEX_HOME), rendered, followed until interrupted. The
// records are copies of the real fixtures; tmux is a private server (nothing runs on it: the
// agents are stopped, so their newest record is shown).
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MINIMAL } from "../helpers/project.js";
import { CLI, ROOT, privateTmux, removeDir, tempDir, waitFor, type PrivateTmux } from "../helpers/tmux.js";

const SIGNALS = path.join(ROOT, "test/fixtures/signals");
const CLAUDE_FIXTURE = path.join(SIGNALS, "claude/2.1.330/transcript-limit-offer.jsonl");
const CLAUDE_SESSION = "94c797e4-2120-4609-92f7-662bd9e61bca";
const CODEX_FIXTURE = path.join(SIGNALS, "codex/limit-resumed.jsonl");
const CODEX_THREAD = "01a2357a-ff5b-7851-bbcc-3b8fa6a569a0";

let t: PrivateTmux;
let dir: string;
let config: string;
let claudeFile: string;
let claudeHome: string;

beforeAll(() => {
  t = privateTmux("transcript");
  dir = tempDir("transcript");
  claudeHome = path.join(dir, "claude-home");
  claudeFile = path.join(claudeHome, "projects", "-tmp-project", `${CLAUDE_SESSION}.jsonl`);
  mkdirSync(path.dirname(claudeFile), { recursive: true });
  copyFileSync(CLAUDE_FIXTURE, claudeFile);
  const codexHome = path.join(dir, "codex-home");
  const day = path.join(codexHome, "sessions", "2026", "12", "02");
  mkdirSync(day, { recursive: true });
  copyFileSync(CODEX_FIXTURE, path.join(day, `rollout-2026-12-02T06-39-42-${CODEX_THREAD}.jsonl`));
  config = path.join(dir, "agents.toml");
  writeFileSync(
    config,
    `${MINIMAL}
[[agent]]
name = "cl"
backend = "claude"
env = { CLAUDE_CONFIG_DIR = "${claudeHome}" }

[[agent]]
name = "cx"
backend = "codex"
env = { CODEX_HOME = "${codexHome}" }

[[agent]]
name = "dm"
`,
  );
});

afterAll(() => {
  t?.kill();
  removeDir(dir);
});

const agents = (...args: string[]) => t.cli([...args, "--config", config], { cwd: dir, env: { TZ: "UTC" }, timeoutMs: 30_000 });

describe("logs --transcript", () => {
  test("Claude: the newest transcript under its config dir, rendered; -n keeps the last lines", async () => {
    const r = await agents("logs", "cl", "--transcript");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.stdout.split("\n");
    expect(out[0]).toBe(`07:10:29 -- session ${CLAUDE_SESSION} (claude 2.1.330, /tmp/agents-live-claude-tap-TRNyzb/project)`);
    expect(out).toContain("  → tool Read: /tmp/agents-live-claude-tap-TRNyzb/project/README.md");
    expect(out.at(-2)).toBe("07:10:35 !! usage limit: You've hit your 5-hour limit · resets 7:11am (UTC)");
    const two = await agents("logs", "cl", "--transcript", "-n", "2");
    expect(two.stdout.split("\n")).toEqual(out.slice(-2));
  });

  test("Claude: the conversation id stored at launch picks its transcript over a newer one", async () => {
    const newer = path.join(claudeHome, "projects", "-tmp-other", "0b7f1c8e-0000-4000-8000-000000000000.jsonl");
    mkdirSync(path.dirname(newer), { recursive: true });
    writeFileSync(newer, readFileSync(CLAUDE_FIXTURE, "utf8").split("\n").slice(0, 1).join("\n") + "\n");
    const bare = await agents("logs", "cl", "--transcript");
    expect(bare.stdout.split("\n")).toEqual([
      `07:10:29 -- session ${CLAUDE_SESSION} (claude 2.1.330, /tmp/agents-live-claude-tap-TRNyzb/project)`,
      "07:10:29 you: Say hello.",
    ]);
    mkdirSync(path.join(dir, ".state", "state"), { recursive: true });
    writeFileSync(path.join(dir, ".state", "state", "cl.session-id"), `${CLAUDE_SESSION}\n`);
    const pinned = await agents("logs", "cl", "--transcript", "-n", "1");
    expect(pinned.stdout).toBe("07:10:35 -- Usage limit reached · set to continue automatically at 7:11am");
    // The signal tap's records name a transcript that is not there (they were captured elsewhere):
    // their session id still finds this one.
    rmSync(path.join(dir, ".state", "state", "cl.session-id"));
    copyFileSync(path.join(SIGNALS, "claude/2.1.330/usage-limit-5h.jsonl"), path.join(dir, ".state", "state", "cl.claude-signals.jsonl"));
    expect((await agents("logs", "cl", "--transcript", "-n", "1")).stdout).toBe(pinned.stdout);
  });

  test("Codex: its rollout by the thread id stored for resuming; without one none from another folder", async () => {
    const none = await agents("logs", "cx", "--transcript");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no transcript yet for cx");
    writeFileSync(path.join(dir, ".state", "state", "cx.session-id"), `${CODEX_THREAD}\n`);
    const r = await agents("logs", "cx", "--transcript", "-n", "3");
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")).toEqual([
      "06:40:14 !! usage limit: You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at 8:40 AM.",
      "06:40:39 you: Resume: say hello again.",
      "06:40:40 codex: Working through it slowly: I read the files, check the tests and write a short summary.",
    ]);
  });

  test("a backend without a reader, an unknown name and the watchdog are refused plainly", async () => {
    const demo = await agents("logs", "dm", "--transcript");
    expect(demo.code).toBe(1);
    expect(demo.stderr).toContain('dm: no transcript reader for backend "demo"');
    expect((await agents("logs", "nobody", "--transcript")).code).toBe(2);
    const wd = await agents("logs", "watchdog", "--transcript");
    expect(wd.code).toBe(2);
    expect(wd.stderr).toContain("--transcript is for an agent");
  });

  test("-f follows the transcript as it grows and exits 0 on SIGINT", async () => {
    const child = execa(CLI, ["logs", "cl", "--transcript", "-f", "-n", "1", "--config", config], {
      env: { ...t.env, TZ: "UTC" },
      extendEnv: false,
      cwd: dir,
      reject: false,
      stdin: "ignore",
      buffer: true,
      timeout: 30_000,
    });
    let seen = "";
    child.stdout?.on("data", (b: Buffer) => (seen += b.toString()));
    await waitFor("the last line", () => seen.includes("set to continue automatically"), 10_000, 50);
    // Claude appends the next turn: the first prompt and reply again, as real records.
    const again = readFileSync(CLAUDE_FIXTURE, "utf8").split("\n").slice(0, 2).join("\n") + "\n";
    appendFileSync(claudeFile, again);
    await waitFor("the appended turn", () => seen.includes("07:10:30 claude: Hello from the mock. All good."), 10_000, 50);
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(seen.split("\n").filter(Boolean)).toEqual([
      "07:10:35 -- Usage limit reached · set to continue automatically at 7:11am",
      "07:10:29 you: Say hello.",
      "07:10:30 claude: Hello from the mock. All good.",
    ]);
  });
});
