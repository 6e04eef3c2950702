import { afterEach, describe, expect, it } from "vitest";
import { findCli } from "../../src/selftest/live/profiles.js";
import { runLiveSelftest } from "../../src/selftest/live/run.js";
import { tempDir } from "../helpers/tmp.js";

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

describe("live selftest without the CLIs", () => {
  it("skips a backend that is not installed, pointing at live:install", async () => {
    const empty = tempDir("live-none");
    process.env.PATH = empty; // a CLI installed on this machine must not be picked up
    const lines: string[] = [];
    const code = await runLiveSelftest(["claude", "codex"], { out: (l) => lines.push(l), cliDir: empty });
    expect(lines).toEqual([
      "SKIP claude: not installed (npm run live:install)",
      "SKIP codex: not installed (npm run live:install)",
      "0 passed, 0 failed, 2 skipped",
    ]);
    expect(code).toBe(0);
    expect(findCli("claude", empty)).toBeUndefined();
  });

  it("refuses a backend it cannot drive", async () => {
    const lines: string[] = [];
    expect(await runLiveSelftest(["gemini"], { out: (l) => lines.push(l) })).toBe(2);
    expect(lines[0]).toMatch(/unknown backend for --live: gemini/);
  });
});
