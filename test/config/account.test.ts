import { describe, expect, it } from "vitest";
import { deriveAccount } from "../../src/config/account.js";
import { loadConfigText } from "../../src/config/load.js";

describe("deriveAccount: the login an agent's CLI uses", () => {
  const cases: [string, { name: string; preset?: string }, Record<string, string>, Record<string, string>, string][] = [
    ["claude: HOME/.claude", { name: "claude", preset: "claude" }, {}, { HOME: "/root" }, "claude:/root/.claude"],
    ["claude: CLAUDE_CONFIG_DIR wins", { name: "claude", preset: "claude" }, {}, { HOME: "/root", CLAUDE_CONFIG_DIR: "/acct/b" }, "claude:/acct/b"],
    ["claude: the agent's env beats the watchdog's", { name: "claude" }, { CLAUDE_CONFIG_DIR: "/acct/a" }, { CLAUDE_CONFIG_DIR: "/acct/b" }, "claude:/acct/a"],
    ["claude: the agent's HOME", { name: "claude" }, { HOME: "/home/x" }, { HOME: "/root" }, "claude:/home/x/.claude"],
    ["a backend built on the claude preset shares claude's login", { name: "fast", preset: "claude" }, {}, { HOME: "/root" }, "claude:/root/.claude"],
    ["codex: HOME/.codex", { name: "codex", preset: "codex" }, {}, { HOME: "/root" }, "codex:/root/.codex"],
    ["codex: CODEX_HOME", { name: "codex", preset: "codex" }, { CODEX_HOME: "/c2" }, { HOME: "/root" }, "codex:/c2"],
    ["opencode: HOME/.local/share", { name: "opencode", preset: "opencode" }, {}, { HOME: "/root" }, "opencode:/root/.local/share/opencode"],
    ["opencode: XDG_DATA_HOME", { name: "opencode", preset: "opencode" }, {}, { HOME: "/root", XDG_DATA_HOME: "/d" }, "opencode:/d/opencode"],
    ["others: backend name + HOME", { name: "mycli" }, {}, { HOME: "/root" }, "mycli:/root"],
    ["no HOME at all", { name: "mycli" }, {}, {}, "mycli:~"],
  ];
  it.each(cases)("%s", (_, backend, agentEnv, env, want) => {
    expect(deriveAccount(backend, agentEnv, env)).toBe(want);
  });
});

describe("config: account", () => {
  const toml = `
[defaults]
session_prefix = "t-"
log_dir = ".state"
backend = "claude"
[watchdog]
account_resume_gap = 60
[[agent]]
name = "a"
[[agent]]
name = "b"
env = { CLAUDE_CONFIG_DIR = "/acct/b" }
[[agent]]
name = "c"
account = "team"
[[agent]]
name = "d"
backend = "codex"
`;
  it("derives, inherits and overrides the account; reads account_resume_gap", () => {
    const f = loadConfigText("/p/agents.toml", toml, { env: { HOME: "/root" } });
    expect(Object.fromEntries(f.agents.map((a) => [a.name, a.account]))).toEqual({
      a: "claude:/root/.claude",
      b: "claude:/acct/b",
      c: "team",
      d: "codex:/root/.codex",
    });
    expect(f.watchdog.account_resume_gap).toBe(60);
    const g = loadConfigText("/p/agents.toml", toml.replace('backend = "claude"', 'backend = "claude"\naccount = "all"'), { env: {} });
    expect(g.agents.map((a) => a.account)).toEqual(["all", "all", "team", "all"]);
    expect(loadConfigText("/p/agents.toml", toml.replace("60", "1"), { env: {} }).watchdog.account_resume_gap).toBe(1);
  });
  it("account_resume_gap defaults to 30 and is at most a day", () => {
    expect(loadConfigText("/p/agents.toml", toml.replace("account_resume_gap = 60", ""), { env: {} }).watchdog.account_resume_gap).toBe(30);
    expect(() => loadConfigText("/p/agents.toml", toml.replace("60", "90000"), { env: {} })).toThrow(/account_resume_gap/);
  });
});
