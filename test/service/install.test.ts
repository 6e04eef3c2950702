// `agents service install|remove` against a temp home and a recorded systemctl: idempotence, the
// systemctl steps, an unreachable user manager, no service manager (the cron line), and macOS.
// Nothing here touches the real ~/.config or runs the real systemctl.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { install, remove, type CommandResult, type ServiceHost } from "../../src/service/install.js";
import { launchdLabel, serviceName, type ServiceSpec } from "../../src/service/render.js";
import { tempDir } from "../helpers/tmp.js";

interface Rig {
  host: ServiceHost;
  calls: string[];
  home: string;
  unitFile: string;
}

/** A temp home; a PATH dir holding an executable `systemctl` (never run: `run` is recorded). */
function rig(opts: { platform?: NodeJS.Platform; systemctl?: boolean; answer?: (args: string[]) => CommandResult } = {}): Rig {
  const home = tempDir("home");
  const bin = path.join(home, "bin");
  mkdirSync(bin);
  if (opts.systemctl !== false) {
    writeFileSync(path.join(bin, "systemctl"), "#!/bin/sh\nexit 99\n");
    chmodSync(path.join(bin, "systemctl"), 0o755);
  }
  const calls: string[] = [];
  const host: ServiceHost = {
    platform: opts.platform ?? "linux",
    home,
    configHome: path.join(home, "cfg"),
    path: bin,
    user: "alice",
    run: async (cmd, args, timeoutMs) => {
      expect(timeoutMs).toBeGreaterThan(0);
      calls.push([cmd, ...args].join(" "));
      return opts.answer?.(args) ?? { code: 0, stdout: "", stderr: "" };
    },
  };
  return { host, calls, home, unitFile: path.join(home, "cfg", "systemd", "user", `${SPEC.name}.service`) };
}

const NAME = serviceName("/p/agents.toml", "/p");
const SPEC: ServiceSpec = {
  name: NAME,
  label: launchdLabel(NAME),
  configPath: "/p/agents.toml",
  projectDir: "/p",
  node: "/usr/bin/node",
  bin: "/opt/agents/bin/agents",
  env: { PATH: "/usr/bin:/bin" },
  envFile: `/h/.config/agents/${NAME}.env`,
  logFile: "/p/.agents/t-watchdog.service.log",
};
const UNIT = `${NAME}.service`;

describe("service install (systemd)", () => {
  it("writes the unit under XDG_CONFIG_HOME, reloads and enables it; a second install changes nothing", async () => {
    const r = rig();
    const first = await install(r.host, SPEC);
    expect(first.code).toBe(0);
    expect(first.lines[0]).toBe(`installed ${r.unitFile}`);
    expect(readFileSync(r.unitFile, "utf8")).toContain("ExecStart=/opt/agents/bin/agents service run --config /p/agents.toml");
    expect(r.calls).toEqual(["systemctl --user daemon-reload", `systemctl --user enable ${UNIT}`]);
    expect(first.lines.join("\n")).toMatch(/loginctl enable-linger alice \(agents does not run this\)/);

    const second = await install(r.host, SPEC);
    expect(second.code).toBe(0);
    expect(second.lines[0]).toBe(`already installed, unchanged: ${r.unitFile}`);

    // A different install (a new PATH, a moved node) rewrites it.
    const third = await install(r.host, { ...SPEC, node: "/opt/node22/bin/node" });
    expect(third.lines[0]).toBe(`rewrote ${r.unitFile} (it differed from this install)`);
    expect(readFileSync(r.unitFile, "utf8")).toContain("AGENTS_NODE=/opt/node22/bin/node");
  });

  it("an unreachable user manager: the unit is written, the reason and how to finish are said, exit 1", async () => {
    const r = rig({ answer: () => ({ code: 1, stdout: "", stderr: "Failed to connect to bus: No medium found\n" }) });
    const rep = await install(r.host, SPEC);
    expect(rep.code).toBe(1);
    expect(existsSync(r.unitFile)).toBe(true);
    const text = rep.lines.join("\n");
    expect(text).toContain("could not reach the systemd user manager (systemctl --user daemon-reload: Failed to connect to bus: No medium found)");
    expect(text).toContain(`systemctl --user daemon-reload && systemctl --user enable ${UNIT}`);
    expect(text).toMatch(/@reboot /);
    expect(r.calls).toEqual(["systemctl --user daemon-reload"]);
  });

  it("no systemctl on PATH: says so, prints the cron line, writes nothing, exit 0", async () => {
    const r = rig({ systemctl: false });
    const rep = await install(r.host, SPEC);
    expect(rep.code).toBe(0);
    expect(rep.lines[0]).toMatch(/^no service manager found/);
    expect(rep.lines[2]).toMatch(/^@reboot cd '\/p' && env .* '--config' '\/p\/agents.toml' >> /);
    expect(existsSync(path.join(r.home, "cfg"))).toBe(false);
    expect(r.calls).toEqual([]);
  });
});

describe("service remove (systemd)", () => {
  it("disables (stopping its watchdog) and deletes; a second remove says it is not installed, exit 0", async () => {
    const r = rig();
    await install(r.host, SPEC);
    r.calls.length = 0;
    const rep = await remove(r.host, SPEC);
    expect(rep.code).toBe(0);
    expect(rep.lines.join("\n")).toContain(`disabled and stopped ${UNIT}`);
    expect(rep.lines.join("\n")).toContain("the agents keep running");
    expect(existsSync(r.unitFile)).toBe(false);
    expect(r.calls).toEqual([`systemctl --user disable --now ${UNIT}`, "systemctl --user daemon-reload"]);

    r.calls.length = 0;
    const again = await remove(r.host, SPEC);
    expect(again).toEqual({ code: 0, lines: [`not installed (no ${r.unitFile}); nothing to remove`] });
    expect(r.calls).toEqual([]);
  });

  it("an unreachable user manager: the file goes, how to finish is said, exit 1", async () => {
    const r = rig();
    await install(r.host, SPEC);
    const down = rig({ answer: () => ({ code: 1, stdout: "", stderr: "timed out after 15s" }) });
    const rep = await remove({ ...down.host, configHome: r.host.configHome }, SPEC);
    expect(rep.code).toBe(1);
    expect(rep.lines[0]).toContain(`finish by hand: systemctl --user disable --now ${UNIT}`);
    expect(existsSync(r.unitFile)).toBe(false);
  });
});

describe("service on macOS (launchd)", () => {
  it("writes ~/Library/LaunchAgents/<label>.plist and says how to load it; remove deletes it", async () => {
    const r = rig({ platform: "darwin", systemctl: false });
    const file = path.join(r.home, "Library", "LaunchAgents", `${SPEC.label}.plist`);
    const rep = await install(r.host, SPEC);
    expect(rep.code).toBe(0);
    expect(rep.lines).toEqual([`installed ${file}`, `load it now (and at every login): launchctl bootstrap gui/$(id -u) ${file}`]);
    expect(readFileSync(file, "utf8")).toContain("<key>RunAtLoad</key><true/>");
    expect((await install(r.host, SPEC)).lines[0]).toBe(`already installed, unchanged: ${file}`);
    const rm = await remove(r.host, SPEC);
    expect(rm.lines).toEqual([`unload it if it is loaded: launchctl bootout gui/$(id -u)/${SPEC.label}`, `removed ${file}`]);
    expect(existsSync(file)).toBe(false);
    expect(r.calls).toEqual([]);
  });
});
