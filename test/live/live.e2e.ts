// End to end against the real CLIs (npm run test:live): install them if missing, then require the
// live selftest to pass for Claude Code and Codex. Offline machines skip with a reason.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { DEFAULT_CLI_DIR } from "../../src/selftest/live/profiles.js";
import { runLiveSelftest } from "../../src/selftest/live/run.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REQUIRED = ["claude", "codex"];
const installed = (bin: string) => existsSync(path.join(DEFAULT_CLI_DIR, "node_modules", ".bin", bin));

async function ensureInstalled(): Promise<string | undefined> {
  if (REQUIRED.every(installed)) return undefined;
  const r = await execa("npm", ["run", "live:install"], { cwd: ROOT, reject: false, all: true, timeout: 9 * 60_000 });
  if (r.exitCode !== 0 || !REQUIRED.every(installed)) {
    const tail = (r.all ?? "").trim().split("\n").slice(-3).join(" | ");
    return `could not install the agent CLIs (offline?): npm run live:install exited ${r.exitCode ?? "?"}: ${tail}`;
  }
  return undefined;
}

describe("live selftest", () => {
  it("claude and codex: ready, working, idle, limited read right", async (ctx) => {
    const problem = await ensureInstalled();
    if (problem) {
      console.warn(`SKIP live selftest: ${problem}`);
      ctx.skip();
      return;
    }
    const lines: string[] = [];
    const code = await runLiveSelftest(REQUIRED, {
      out: (l) => {
        lines.push(l);
        console.log(l);
      },
      saveDir: path.join(ROOT, ".cache", "live-screens"),
    });
    for (const backend of REQUIRED) {
      for (const step of ["ready", "process_name", "working", "idle", "limited"]) {
        expect(lines.some((l) => l.startsWith(`PASS ${backend} ${step}:`)), `${backend} ${step}\n${lines.join("\n")}`).toBe(true);
      }
    }
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(code).toBe(0);
  });
});
