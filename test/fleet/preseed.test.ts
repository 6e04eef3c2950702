import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseToml } from "smol-toml";
import { loadConfigText, type Agent } from "../../src/config/load.js";
import { prepareAgentHome, preseedKind, tomlKey, trustCodex } from "../../src/fleet/preseed.js";
import { fifo, timedAsync } from "../helpers/fifo.js";
import { tempDir } from "../helpers/tmp.js";

let root: string;
let home: string;
let project: string;
const saved: Record<string, string | undefined> = {};

beforeEach(() => {
  // Physical path: on macOS the temp dir is behind a symlink, which would add a second trust key.
  root = realpathSync(tempDir("preseed"));
  home = path.join(root, "home");
  project = path.join(root, "proj");
  mkdirSync(home);
  mkdirSync(project);
  // The supervisor's own env must not leak into these checks.
  for (const k of ["CLAUDE_CONFIG_DIR", "CODEX_HOME"]) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
});

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function agentFor(backend: string, extra = "", env: Record<string, string> = { HOME: home }): Agent {
  const envToml = Object.entries(env)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(", ");
  const toml = `
[defaults]
session_prefix = "t-"
log_dir = ".state"

${extra}

[[agent]]
name = "a"
backend = "${backend}"
kind = "persistent"
dir = ${JSON.stringify(project)}
prompt = "hello"
env = { ${envToml} }
`;
  const file = path.join(root, "agents.toml");
  writeFileSync(file, toml);
  return loadConfigText(file, toml).agents[0]!;
}

describe("claude trust", () => {
  const claudeJson = () => path.join(home, ".claude.json");

  it("adds hasTrustDialogAccepted for the agent's dir and keeps everything else", async () => {
    const before = {
      hasCompletedOnboarding: true,
      oauthAccount: { emailAddress: "me@example.com" },
      projects: {
        "/other": { hasTrustDialogAccepted: true, allowedTools: ["Bash"] },
        [project]: { allowedTools: ["Edit"], history: [{ display: "hi" }] },
      },
    };
    writeFileSync(claudeJson(), JSON.stringify(before, null, 2));
    chmodSync(claudeJson(), 0o600);
    await prepareAgentHome(agentFor("claude"));
    const after = JSON.parse(readFileSync(claudeJson(), "utf8"));
    expect(after).toEqual({
      ...before,
      projects: { ...before.projects, [project]: { ...before.projects[project], hasTrustDialogAccepted: true } },
    });
    expect(statSync(claudeJson()).mode & 0o777).toBe(0o600);
    // No temp files left behind next to the user's config.
    expect(readdirSync(home)).toEqual([".claude.json"]);
  });

  it("creates the projects table when there is none", async () => {
    writeFileSync(claudeJson(), `{"theme":"dark"}\n`);
    await prepareAgentHome(agentFor("claude"));
    expect(JSON.parse(readFileSync(claudeJson(), "utf8"))).toEqual({
      theme: "dark",
      projects: { [project]: { hasTrustDialogAccepted: true } },
    });
  });

  it("does nothing without a .claude.json (a first run needs the user's own login)", async () => {
    await prepareAgentHome(agentFor("claude"));
    expect(existsSync(claudeJson())).toBe(false);
  });

  it("leaves an unparsable file untouched", async () => {
    writeFileSync(claudeJson(), "{ not json");
    await prepareAgentHome(agentFor("claude"));
    expect(readFileSync(claudeJson(), "utf8")).toBe("{ not json");
  });

  it("leaves a FIFO in place of .claude.json alone, without waiting on it", async () => {
    fifo(claudeJson());
    const { ms } = await timedAsync(() => prepareAgentHome(agentFor("claude")));
    expect(ms).toBeLessThan(1000);
    expect(statSync(claudeJson()).isFIFO()).toBe(true);
  });

  it("does not rewrite a file that already trusts the dir", async () => {
    const text = JSON.stringify({ projects: { [project]: { hasTrustDialogAccepted: true } } });
    writeFileSync(claudeJson(), text);
    const ino = statSync(claudeJson()).ino;
    await prepareAgentHome(agentFor("claude"));
    expect(readFileSync(claudeJson(), "utf8")).toBe(text);
    expect(statSync(claudeJson()).ino).toBe(ino);
  });

  it("uses the agent's CLAUDE_CONFIG_DIR over HOME", async () => {
    const cfgDir = path.join(root, "claude-cfg");
    mkdirSync(cfgDir);
    writeFileSync(path.join(cfgDir, ".claude.json"), "{}");
    writeFileSync(claudeJson(), "{}");
    await prepareAgentHome(agentFor("claude", "", { HOME: home, CLAUDE_CONFIG_DIR: cfgDir }));
    expect(JSON.parse(readFileSync(path.join(cfgDir, ".claude.json"), "utf8")).projects[project]).toEqual({
      hasTrustDialogAccepted: true,
    });
    expect(readFileSync(claudeJson(), "utf8")).toBe("{}");
  });

  it("falls back to the supervisor's CLAUDE_CONFIG_DIR when the agent sets none", async () => {
    const cfgDir = path.join(root, "claude-cfg");
    mkdirSync(cfgDir);
    writeFileSync(path.join(cfgDir, ".claude.json"), "{}");
    process.env.CLAUDE_CONFIG_DIR = cfgDir;
    await prepareAgentHome(agentFor("claude"));
    expect(JSON.parse(readFileSync(path.join(cfgDir, ".claude.json"), "utf8")).projects[project].hasTrustDialogAccepted).toBe(true);
  });

  it("writes through a symlinked config instead of replacing the link", async () => {
    const real = path.join(root, "dotfiles-claude.json");
    writeFileSync(real, "{}");
    symlinkSync(real, claudeJson());
    await prepareAgentHome(agentFor("claude"));
    expect(JSON.parse(readFileSync(real, "utf8")).projects[project].hasTrustDialogAccepted).toBe(true);
  });

  it("is off when preseed_trust is false", async () => {
    writeFileSync(claudeJson(), "{}");
    await prepareAgentHome(agentFor("claude", "[backend.claude]\npreseed_trust = false"));
    expect(readFileSync(claudeJson(), "utf8")).toBe("{}");
  });

  it("recognises a custom backend built on the claude preset", async () => {
    writeFileSync(claudeJson(), "{}");
    const agent = agentFor("mine", `[backend.mine]\npreset = "claude"\nbin = "/opt/tools/claude"`);
    expect(preseedKind(agent)).toBe("claude");
    await prepareAgentHome(agent);
    expect(JSON.parse(readFileSync(claudeJson(), "utf8")).projects[project].hasTrustDialogAccepted).toBe(true);
  });
});

describe("codex trust", () => {
  const codexDir = () => path.join(home, ".codex");
  const configToml = () => path.join(codexDir(), "config.toml");

  it("appends a trusted project table and keeps the user's text byte for byte", async () => {
    mkdirSync(codexDir());
    const before = `# my settings\nmodel = "gpt-5" # favourite\n\n[projects."/other"]\ntrust_level = "trusted"\n`;
    writeFileSync(configToml(), before);
    await prepareAgentHome(agentFor("codex"));
    const after = readFileSync(configToml(), "utf8");
    expect(after.startsWith(before)).toBe(true);
    const parsed = parseToml(after) as { projects: Record<string, { trust_level: string }>; model: string };
    expect(parsed.model).toBe("gpt-5");
    expect(parsed.projects[project]).toEqual({ trust_level: "trusted" });
    expect(parsed.projects["/other"]).toEqual({ trust_level: "trusted" });
  });

  it("is idempotent", async () => {
    mkdirSync(codexDir());
    writeFileSync(configToml(), `model = "x"`);
    const agent = agentFor("codex");
    await prepareAgentHome(agent);
    const once = readFileSync(configToml(), "utf8");
    await prepareAgentHome(agent);
    expect(readFileSync(configToml(), "utf8")).toBe(once);
    expect(once).toBe(`model = "x"\n\n[projects.${tomlKey(project)}]\ntrust_level = "trusted"\n`);
  });

  it("respects a project the user marked untrusted", async () => {
    mkdirSync(codexDir());
    const before = `[projects.${tomlKey(project)}]\ntrust_level = "untrusted"\n`;
    writeFileSync(configToml(), before);
    await prepareAgentHome(agentFor("codex"));
    expect(readFileSync(configToml(), "utf8")).toBe(before);
  });

  it("creates config.toml in an existing Codex home, but not the home itself", async () => {
    await prepareAgentHome(agentFor("codex"));
    expect(existsSync(codexDir())).toBe(false);
    mkdirSync(codexDir());
    await prepareAgentHome(agentFor("codex"));
    expect(parseToml(readFileSync(configToml(), "utf8"))).toEqual({ projects: { [project]: { trust_level: "trusted" } } });
  });

  it("uses the agent's CODEX_HOME", async () => {
    const codexHome = path.join(root, "codex-home");
    mkdirSync(codexHome);
    await prepareAgentHome(agentFor("codex", "", { HOME: home, CODEX_HOME: codexHome }));
    expect(parseToml(readFileSync(path.join(codexHome, "config.toml"), "utf8"))).toEqual({
      projects: { [project]: { trust_level: "trusted" } },
    });
  });

  it("leaves an unparsable config alone", async () => {
    mkdirSync(codexDir());
    writeFileSync(configToml(), "model = ");
    await prepareAgentHome(agentFor("codex"));
    expect(readFileSync(configToml(), "utf8")).toBe("model = ");
  });

  it("leaves a FIFO in place of config.toml alone, without waiting on it", async () => {
    mkdirSync(codexDir());
    fifo(configToml());
    const { ms } = await timedAsync(() => prepareAgentHome(agentFor("codex")));
    expect(ms).toBeLessThan(1000);
    expect(statSync(configToml()).isFIFO()).toBe(true);
  });

  it("quotes awkward paths so the result still parses", () => {
    const dir = mkdtempSync(path.join(root, "c-"));
    const file = path.join(dir, "config.toml");
    const weird = `/tmp/a "quoted" \\ dir\twith tab`;
    expect(trustCodex(file, weird)).toBe(true);
    expect((parseToml(readFileSync(file, "utf8")) as { projects: Record<string, unknown> }).projects[weird]).toEqual({
      trust_level: "trusted",
    });
  });
});

describe("other backends", () => {
  it("touches nothing for opencode or demo", async () => {
    writeFileSync(path.join(home, ".claude.json"), "{}");
    await prepareAgentHome(agentFor("opencode", "[backend.opencode]\npreseed_trust = true"));
    await prepareAgentHome(agentFor("demo"));
    expect(readFileSync(path.join(home, ".claude.json"), "utf8")).toBe("{}");
  });
});

describe("symlinked project dirs", () => {
  it("trusts both the configured path and the physical one the CLI will report", async () => {
    const link = path.join(root, "link");
    symlinkSync(project, link);
    writeFileSync(path.join(home, ".claude.json"), "{}");
    const toml = `
[defaults]
session_prefix = "t-"
log_dir = ".state"

[[agent]]
name = "a"
backend = "claude"
kind = "persistent"
dir = ${JSON.stringify(link)}
prompt = "hello"
env = { HOME = ${JSON.stringify(home)} }
`;
    const file = path.join(root, "agents.toml");
    writeFileSync(file, toml);
    await prepareAgentHome(loadConfigText(file, toml).agents[0]!);
    const projects = JSON.parse(readFileSync(path.join(home, ".claude.json"), "utf8")).projects;
    expect(Object.keys(projects).sort()).toEqual([link, project].sort());
  });
});
