// The texts `agents service` writes: the systemd unit's shape (and systemd-analyze's verdict on it
// where systemd-analyze exists), the launchd plist, the cron line, quoting, and the fleet's name.
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  captureEnv,
  launchdLabel,
  renderCronLine,
  renderLaunchdPlist,
  renderSystemdUnit,
  serviceName,
  systemdWord,
  type ServiceSpec,
} from "../../src/service/render.js";
import { tempDir } from "../helpers/tmp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function spec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  const name = serviceName("/home/u/proj/agents.toml", "/home/u/proj");
  return {
    name,
    label: launchdLabel(name),
    configPath: "/home/u/proj/agents.toml",
    projectDir: "/home/u/proj",
    node: "/usr/bin/node",
    bin: "/opt/agents/bin/agents",
    env: { PATH: "/home/u/.local/bin:/usr/bin:/bin", LANG: "C.UTF-8" },
    envFile: `/home/u/.config/agents/${name}.env`,
    logFile: "/home/u/proj/.agents/t-watchdog.service.log",
    ...over,
  };
}

/** `[Section]` → key → values, as systemd reads a unit (comments and blank lines dropped). */
function sections(unit: string): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  let cur: Map<string, string[]> | undefined;
  for (const line of unit.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^\[(\w+)\]$/.exec(line);
    if (m) {
      cur = new Map();
      out.set(m[1]!, cur);
      continue;
    }
    const eq = line.indexOf("=");
    expect(eq, `a key=value line: ${line}`).toBeGreaterThan(0);
    const k = line.slice(0, eq);
    cur!.set(k, [...(cur!.get(k) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

describe("service name", () => {
  it("is stable per config path, readable, and unit-name safe", () => {
    const a = serviceName("/home/u/My Project/agents.toml", "/home/u/My Project");
    expect(a).toBe(serviceName("/home/u/My Project/agents.toml", "/home/u/My Project"));
    expect(a).toMatch(/^agents-my-project-[0-9a-f]{8}$/);
    // Two configs in one folder, or two folders of one name, never share a unit.
    expect(serviceName("/home/u/My Project/other.toml", "/home/u/My Project")).not.toBe(a);
    expect(serviceName("/srv/My Project/agents.toml", "/srv/My Project")).not.toBe(a);
    expect(serviceName("/x/.../agents.toml", "/x/...")).toMatch(/^agents-fleet-[0-9a-f]{8}$/);
  });

  it("captures PATH, locale and tmux overrides, nothing else (no secrets)", () => {
    expect(captureEnv({ PATH: "/bin", LANG: "C.UTF-8", ANTHROPIC_API_KEY: "sk-x", AGENTS_TMUX_SOCKET: "s", HOME: "/h" })).toEqual({
      PATH: "/bin",
      LANG: "C.UTF-8",
      AGENTS_TMUX_SOCKET: "s",
    });
    expect(captureEnv({ PATH: "/a:/b:/a:/c:/b" }).PATH).toBe("/a:/b:/c");
  });
});

describe("systemd unit", () => {
  it("runs the watchdog in the foreground, restarts it on failure, and never kills the tmux server", () => {
    const s = sections(renderSystemdUnit(spec()));
    expect([...s.keys()]).toEqual(["Unit", "Service", "Install"]);
    const svc = s.get("Service")!;
    expect(svc.get("Type")).toEqual(["simple"]);
    expect(svc.get("ExecStart")).toEqual(["/opt/agents/bin/agents service run --config /home/u/proj/agents.toml"]);
    expect(svc.get("WorkingDirectory")).toEqual(["/home/u/proj"]);
    expect(svc.get("Environment")).toEqual([
      '"PATH=/home/u/.local/bin:/usr/bin:/bin"',
      '"LANG=C.UTF-8"',
      '"AGENTS_NODE=/usr/bin/node"',
    ]);
    expect(svc.get("EnvironmentFile")![0]).toMatch(/^-\/home\/u\/\.config\/agents\/agents-proj-[0-9a-f]{8}\.env$/);
    expect(svc.get("Restart")).toEqual(["on-failure"]);
    expect(svc.get("RestartPreventExitStatus")).toEqual(["2"]);
    expect(svc.get("KillMode")).toEqual(["process"]);
    expect(svc.has("ExecStop")).toBe(false);
    expect(s.get("Install")!.get("WantedBy")).toEqual(["default.target"]);
  });

  it("quotes spaces, escapes % specifiers and $ expansion, and refuses line breaks", () => {
    expect(systemdWord("/a b/agents.toml")).toBe('"/a b/agents.toml"');
    expect(systemdWord("/x/100%/a$HOME")).toBe('"/x/100%%/a$$HOME"');
    expect(systemdWord('/q"uote')).toBe('"/q\\"uote"');
    const unit = renderSystemdUnit(spec({ configPath: "/p 1/a%b.toml", projectDir: "/p 1", env: { PATH: "/a b:/c" } }));
    expect(unit).toContain('ExecStart=/opt/agents/bin/agents service run --config "/p 1/a%%b.toml"');
    expect(unit).toContain("WorkingDirectory=/p 1\n");
    expect(unit).toContain('Environment="PATH=/a b:/c"');
    expect(() => renderSystemdUnit(spec({ configPath: "/p/a\nExecStartPre=/bin/evil" }))).toThrow(/line break/);
  });

  // systemd-analyze checks real paths: the unit is rendered with this node and this bin/agents.
  const analyze = spawnSync("sh", ["-c", "command -v systemd-analyze"]).status === 0;
  it.skipIf(!analyze)("systemd-analyze verify accepts it", () => {
    const dir = tempDir("unit");
    const name = serviceName(path.join(dir, "agents.toml"), dir);
    const file = path.join(dir, `${name}.service`);
    writeFileSync(
      file,
      renderSystemdUnit(spec({ name, configPath: path.join(dir, "agents.toml"), projectDir: dir, node: process.execPath, bin: path.join(ROOT, "bin", "agents"), envFile: path.join(dir, "x.env") })),
    );
    // Warnings (an unknown key, a bad value) go to stderr with exit 0: both must be clean.
    const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8", timeout: 30_000 });
    expect(r.stderr.trim()).toBe("");
    expect(r.status).toBe(0);
  });

  it.skipIf(!analyze)("systemd-analyze flags a broken unit (the check above can fail)", () => {
    const dir = tempDir("unit");
    const file = path.join(dir, "agents-bad.service");
    writeFileSync(file, renderSystemdUnit(spec()).replace("KillMode=process", "KillMode=bogus"));
    const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8", timeout: 30_000 });
    expect(r.stderr).toMatch(/kill mode/i);
  });
});

describe("launchd plist", () => {
  it("runs at load, restarts only after a failure, abandons the tmux server, logs to log_dir", () => {
    const p = renderLaunchdPlist(spec({ configPath: "/p/a&b.toml" }));
    expect(p).toContain(`<key>Label</key><string>com.agents-fleet.${spec().name}</string>`);
    expect(p).toMatch(/<key>ProgramArguments<\/key>\s*<array>\s*<string>\/opt\/agents\/bin\/agents<\/string>\s*<string>service<\/string>\s*<string>run<\/string>\s*<string>--config<\/string>\s*<string>\/p\/a&amp;b\.toml<\/string>\s*<\/array>/);
    expect(p).toContain("<key>RunAtLoad</key><true/>");
    expect(p).toMatch(/<key>KeepAlive<\/key>\s*<dict>\s*<key>SuccessfulExit<\/key><false\/>/);
    expect(p).toContain("<key>AbandonProcessGroup</key><true/>");
    expect(p).toContain("<key>AGENTS_NODE</key><string>/usr/bin/node</string>");
    expect(p).toContain("<key>StandardOutPath</key><string>/home/u/proj/.agents/t-watchdog.service.log</string>");
    // Well-formed enough for plutil: every tag opened is closed.
    const opened = (p.match(/<(dict|array|plist)[ >]/g) ?? []).length;
    const closed = (p.match(/<\/(dict|array|plist)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });
});

describe("cron line", () => {
  it("is one @reboot line that cd's, sets the env, runs the service command and appends to the log", () => {
    const line = renderCronLine(spec());
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toBe(
      "@reboot cd '/home/u/proj' && env PATH='/home/u/.local/bin:/usr/bin:/bin' LANG='C.UTF-8' AGENTS_NODE='/usr/bin/node' " +
        "'/opt/agents/bin/agents' 'service' 'run' '--config' '/home/u/proj/agents.toml' >> '/home/u/proj/.agents/t-watchdog.service.log' 2>&1",
    );
  });

  it("escapes % (cron's newline) and single quotes; the command runs under sh as rendered", () => {
    const line = renderCronLine(spec({ configPath: "/p/it's 100%.toml" }));
    expect(line).toContain(`'/p/it'\\''s 100\\%.toml'`);
    // What cron does: unescape \%, hand the rest to sh. Echo instead of running the fleet.
    const cmd = line.slice("@reboot ".length).replace(/\\%/g, "%").replace("'/opt/agents/bin/agents'", "printf '%s\\n'").replace(/>>.*$/, "");
    const out = execFileSync("sh", ["-c", cmd.replace(/^cd '[^']*' && /, "")], { encoding: "utf8" });
    expect(out.split("\n")).toContain("/p/it's 100%.toml");
  });
});
