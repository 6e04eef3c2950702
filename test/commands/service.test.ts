// The `service` verb over a real config and an injected host (temp home, recorded systemctl):
// --print prints the unit and writes nothing; install then remove; --print only with install.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/commands/service.js";
import type { Args } from "../../src/commands/table.js";
import { UsageError } from "../../src/errors.js";
import type { ServiceHost } from "../../src/service/install.js";
import { MINIMAL, project } from "../helpers/project.js";
import { tempDir } from "../helpers/tmp.js";

function rig() {
  const p = project(`${MINIMAL}\n[[agent]]\nname = "a"\nwatch = "heal"\n`);
  const home = tempDir("home");
  mkdirSync(path.join(home, "bin"));
  writeFileSync(path.join(home, "bin", "systemctl"), "#!/bin/sh\nexit 99\n");
  chmodSync(path.join(home, "bin", "systemctl"), 0o755);
  const calls: string[] = [];
  const host: ServiceHost = {
    platform: "linux",
    home,
    configHome: path.join(home, ".config"),
    path: path.join(home, "bin"),
    user: "alice",
    run: async (cmd, args) => (calls.push([cmd, ...args].join(" ")), { code: 0, stdout: "", stderr: "" }),
  };
  const out: string[] = [];
  const inv = (action: string, print = false) =>
    ({
      opts: { config: p.file, print },
      args: { action },
      io: { out: (l: string) => out.push(l), err: () => {} },
      usage: (m: string) => new UsageError(m, "usage: agents service"),
    }) as unknown as Args<"service">;
  return { p, home, host, calls, out, inv };
}

describe("agents service", () => {
  it("install --print prints the unit for this config and writes or runs nothing", async () => {
    const r = rig();
    expect(await run(r.inv("install", true), r.host)).toBe(0);
    const text = r.out.join("\n");
    expect(text).toContain(`ExecStart=`);
    expect(text).toContain(`service run --config ${r.p.file}`);
    expect(text).toContain(`WorkingDirectory=${r.p.dir}`);
    expect(text).toContain(`EnvironmentFile=-${path.join(r.home, ".config", "agents")}`);
    expect(readdirSync(r.home)).toEqual(["bin"]);
    expect(r.calls).toEqual([]);
  });

  const analyze = spawnSync("sh", ["-c", "command -v systemd-analyze"]).status === 0;
  it.skipIf(!analyze)("systemd-analyze verify accepts what install --print prints (warnings included)", async () => {
    const r = rig();
    await run(r.inv("install", true), r.host);
    const name = /^EnvironmentFile=-.*\/(agents-[^/]+)\.env$/m.exec(r.out.join("\n"))![1]!;
    const file = path.join(tempDir("unit"), `${name}.service`);
    writeFileSync(file, r.out.join("\n") + "\n");
    const v = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8", timeout: 30_000 });
    expect(v.stderr.trim()).toBe("");
    expect(v.status).toBe(0);
  });

  it("install, install again, remove, remove again", async () => {
    const r = rig();
    expect(await run(r.inv("install"), r.host)).toBe(0);
    const unitDir = path.join(r.home, ".config", "systemd", "user");
    const [unit] = readdirSync(unitDir);
    expect(unit).toMatch(/^agents-agents-cfg-[a-z0-9]+-[0-9a-f]{8}\.service$/);
    expect(r.out[0]).toBe(`installed ${path.join(unitDir, unit!)}`);
    r.out.length = 0;
    expect(await run(r.inv("install"), r.host)).toBe(0);
    expect(r.out[0]).toMatch(/^already installed, unchanged: /);
    expect(await run(r.inv("remove"), r.host)).toBe(0);
    expect(existsSync(path.join(unitDir, unit!))).toBe(false);
    r.out.length = 0;
    expect(await run(r.inv("remove"), r.host)).toBe(0);
    expect(r.out[0]).toMatch(/^not installed/);
  });

  it("--print goes with install only", async () => {
    const r = rig();
    await expect(run(r.inv("remove", true), r.host)).rejects.toThrow(/--print goes with install/);
  });
});
