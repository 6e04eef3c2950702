// The status cache: a hit skips TOML and zod, but not the disk checks' paths.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cacheFileFor, loadFleetCached } from "../../src/config/cache.js";
import { ConfigError } from "../../src/errors.js";
import { MINIMAL, project } from "../helpers/project.js";

let cacheHome: string;
const saved = process.env.XDG_CACHE_HOME;
beforeAll(() => {
  cacheHome = mkdtempSync(path.join(os.tmpdir(), "agents-cache-test-"));
  process.env.XDG_CACHE_HOME = cacheHome;
});
afterAll(() => {
  if (saved === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = saved;
  rmSync(cacheHome, { recursive: true, force: true });
});

async function errorLines(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

/** Mark the cached fleet, so a later load shows whether it came from the cache. */
function markCached(file: string): void {
  const cacheFile = cacheFileFor(file);
  const entry = JSON.parse(readFileSync(cacheFile, "utf8")) as { fleet: { warnings: string[] } };
  entry.fleet.warnings = ["from the cache"];
  writeFileSync(cacheFile, JSON.stringify(entry));
}

const TOML = `${MINIMAL}[[agent]]\nname = "a"\nprompt_file = "p.md"\ndir = "work"\n`;

describe("loadFleetCached", () => {
  test("a second load with nothing changed is a cache hit", async () => {
    const p = project(TOML, { "p.md": "hi\n" });
    expect((await loadFleetCached(p.file)).agents[0]!.promptFile).toBe(`${p.dir}/p.md`);
    expect(existsSync(cacheFileFor(p.file))).toBe(true);
    markCached(p.file);
    expect((await loadFleetCached(p.file)).warnings).toEqual(["from the cache"]);
  });

  test("a prompt file deleted after caching is reported, not a stale OK", async () => {
    const p = project(TOML, { "p.md": "hi\n" });
    await loadFleetCached(p.file);
    markCached(p.file);
    unlinkSync(path.join(p.dir, "p.md"));
    expect(await errorLines(loadFleetCached(p.file))).toEqual([`${p.file}: agent[0](a).prompt_file: file not found: ${p.dir}/p.md`]);
  });

  test("a prompt file replaced by a directory is reported", async () => {
    const p = project(TOML, { "p.md": "hi\n" });
    await loadFleetCached(p.file);
    unlinkSync(path.join(p.dir, "p.md"));
    mkdirSync(path.join(p.dir, "p.md"));
    expect(await errorLines(loadFleetCached(p.file))).toEqual([
      `${p.file}: agent[0](a).prompt_file: is a directory, not a file: ${p.dir}/p.md`,
    ]);
  });

  test("an agent dir that was missing and is now a file is reported", async () => {
    const p = project(TOML, { "p.md": "hi\n" });
    await loadFleetCached(p.file);
    writeFileSync(path.join(p.dir, "work"), "not a dir\n");
    expect(await errorLines(loadFleetCached(p.file))).toEqual([`${p.file}: agent[0](a).dir: is not a directory: ${p.dir}/work`]);
  });

  test("a missing dir that appears as a directory is a miss that loads fine", async () => {
    const p = project(TOML, { "p.md": "hi\n" });
    await loadFleetCached(p.file);
    markCached(p.file);
    mkdirSync(path.join(p.dir, "work"));
    expect((await loadFleetCached(p.file)).warnings).toEqual([]);
    markCached(p.file);
    expect((await loadFleetCached(p.file)).warnings).toEqual(["from the cache"]);
  });

  test("a missing agent dir whose parent turns into a file is reported (same kind, new problem)", async () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\ndir = "f/work"\n`);
    await loadFleetCached(p.file);
    markCached(p.file);
    expect((await loadFleetCached(p.file)).warnings).toEqual(["from the cache"]);
    writeFileSync(path.join(p.dir, "f"), "in the way\n");
    expect(await errorLines(loadFleetCached(p.file))).toEqual([
      `${p.file}: agent[0](a).dir: cannot be created (${p.dir}/f is not a directory): ${p.dir}/f/work`,
    ]);
  });

  test.skipIf(process.getuid?.() === 0)("a prompt file made unreadable after caching is reported (skipped as root: permissions do not apply)", async () => {
    const p = project(TOML, { "p.md": "hi\n" });
    await loadFleetCached(p.file);
    chmodSync(path.join(p.dir, "p.md"), 0o000);
    expect(await errorLines(loadFleetCached(p.file))).toEqual([`${p.file}: agent[0](a).prompt_file: is not readable: ${p.dir}/p.md`]);
  });

  test("a FIFO as the config is one line, not a hang; so is a FIFO in the cache's place", async () => {
    const p = project(TOML, { "p.md": "hi\n" });
    await loadFleetCached(p.file);
    const cacheFile = cacheFileFor(p.file);
    unlinkSync(cacheFile);
    expect(spawnSync("mkfifo", [cacheFile]).status).toBe(0);
    expect((await loadFleetCached(p.file)).agents[0]!.name).toBe("a");
    unlinkSync(cacheFile);
    const fifo = path.join(p.dir, "fifo.toml");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expect(await errorLines(loadFleetCached(fifo))).toEqual([`${fifo}: is a FIFO (named pipe); a config must be a regular file`]);
  });

  test("a cache dir where no directory can be made (under /proc) costs speed, not a hang", async () => {
    const p = project(TOML, { "p.md": "hi\n" });
    process.env.XDG_CACHE_HOME = "/proc/self/agents-cache";
    try {
      expect((await loadFleetCached(p.file)).agents[0]!.name).toBe("a");
      expect((await loadFleetCached(p.file)).agents[0]!.name).toBe("a");
    } finally {
      process.env.XDG_CACHE_HOME = cacheHome;
    }
  });

  test("a config that fails its checks is not cached", async () => {
    const p = project(TOML);
    await errorLines(loadFleetCached(p.file));
    expect(existsSync(cacheFileFor(p.file))).toBe(false);
  });
});
