// prepareConversation: which tap a start runs with and which conversation it continues.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { buildLaunch } from "../../src/fleet/command.js";
import { prepareConversation, tapKind } from "../../src/fleet/conversation.js";
import { readSessionId, writeSessionId } from "../../src/state/session-id.js";
import { claudeSettingsFile, opencodeSignalFile } from "../../src/state/paths.js";
import { MINIMAL, project } from "../helpers/project.js";

const UUID = "0199a0a0-1111-7222-8333-444455556666";

function fleetWith(backendToml: string, agentToml = "") {
  const p = project(`${MINIMAL}${backendToml}\n[[agent]]\nname = "a"\nbackend = "x"\n${agentToml}`);
  const fleet = p.load();
  return { p, fleet, agent: fleet.agents[0]! };
}

describe("tapKind", () => {
  test("claude and codex presets have a tap; signals = false turns it off; others have none", () => {
    expect(tapKind(fleetWith(`[backend.x]\npreset = "claude"\n`).agent)).toBe("claude");
    expect(tapKind(fleetWith(`[backend.x]\npreset = "codex"\n`).agent)).toBe("codex");
    expect(tapKind(fleetWith(`[backend.x]\npreset = "claude"\nsignals = false\n`).agent)).toBeUndefined();
    expect(tapKind(fleetWith(`[backend.x]\npreset = "opencode"\n`).agent)).toBe("opencode");
    expect(tapKind(fleetWith(`[backend.x]\npreset = "gemini"\n`).agent)).toBeUndefined();
  });
});

describe("prepareConversation", () => {
  test("claude: pins a new id in the session-id store and loads the tap's settings", () => {
    const { fleet, agent, p } = fleetWith(`[backend.x]\npreset = "claude"\n`);
    agent.env.CLAUDE_CONFIG_DIR = path.join(p.dir, "cfg");
    const c = prepareConversation(fleet, agent, false);
    const id = readSessionId(fleet, "a");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.tapArgs).toEqual(["--session-id", id, "--settings", claudeSettingsFile(fleet, "a")]);
    expect(c.resume).toBe(false);
    const cmd = buildLaunch(agent, { kickoffFile: "k", model: "", tapArgs: c.tapArgs, resume: c.resume }).command;
    expect(cmd.startsWith(`exec claude --session-id ${id} --settings `)).toBe(true);
  });

  test("claude: resume continues the stored id only when its transcript exists", () => {
    const { fleet, agent, p } = fleetWith(`[backend.x]\npreset = "claude"\n`);
    writeSessionId(fleet, "a", UUID);
    agent.env.CLAUDE_CONFIG_DIR = path.join(p.dir, "cfg");
    expect(prepareConversation(fleet, agent, true).tapArgs.slice(0, 1)).toEqual(["--session-id"]);
    mkdirSync(path.join(p.dir, "cfg/projects/x"), { recursive: true });
    writeFileSync(path.join(p.dir, `cfg/projects/x/${UUID}.jsonl`), "{}\n");
    writeSessionId(fleet, "a", UUID);
    expect(prepareConversation(fleet, agent, true).tapArgs.slice(0, 2)).toEqual(["--resume", UUID]);
    expect(prepareConversation(fleet, agent, false).tapArgs.slice(0, 1)).toEqual(["--session-id"]);
  });

  test("codex: resumes the stored thread only while its rollout exists", () => {
    const { fleet, agent, p } = fleetWith(`[backend.x]\npreset = "codex"\n`);
    agent.env.CODEX_HOME = path.join(p.dir, "codex");
    writeSessionId(fleet, "a", UUID);
    expect(prepareConversation(fleet, agent, true)).toMatchObject({ resume: false, note: "fresh" });
    mkdirSync(path.join(p.dir, "codex/sessions/2026/11/21"), { recursive: true });
    writeFileSync(path.join(p.dir, `codex/sessions/2026/11/21/rollout-2026-11-21T12-00-00-${UUID}.jsonl`), "{}\n");
    const c = prepareConversation(fleet, agent, true);
    expect(c).toMatchObject({ resume: true, resumeId: UUID });
    expect(buildLaunch(agent, { kickoffFile: "k", model: "", resumeId: c.resumeId, resume: c.resume }).command).toMatch(
      new RegExp(`^exec codex resume ${UUID} --no-daemon `),
    );
    expect(prepareConversation(fleet, agent, false).resume).toBe(false);
  });

  test("opencode: the plugin is loaded through the env; resume passes --session and types the kickoff", () => {
    const { fleet, agent } = fleetWith(`[backend.x]\npreset = "opencode"\n`, `env = { OPENCODE_CONFIG_CONTENT = '{"theme":"x"}' }\n`);
    const fresh = prepareConversation(fleet, agent, true);
    expect(fresh).toMatchObject({ tapArgs: [], resume: false, typePrompt: false });
    expect(fresh.env!.AGENTS_OPENCODE_SIGNALS).toBe(opencodeSignalFile(fleet, "a"));
    expect(JSON.parse(fresh.env!.OPENCODE_CONFIG_CONTENT!)).toMatchObject({ theme: "x", plugin: [expect.stringMatching(/^file:.*plugin\.(ts|js)$/)] });
    writeSessionId(fleet, "a", "ses_dca5b6287ffeT6jr2gGoX34NSG");
    const resumed = prepareConversation(fleet, agent, true);
    expect(resumed).toMatchObject({ tapArgs: ["--session", "ses_dca5b6287ffeT6jr2gGoX34NSG"], typePrompt: true });
    expect(buildLaunch(agent, { kickoffFile: "k", model: "", tapArgs: resumed.tapArgs, resume: resumed.resume }).command).toMatch(/^exec opencode --session ses_dca5b6287ffeT6jr2gGoX34NSG --prompt /);
    expect(prepareConversation(fleet, agent, false).tapArgs).toEqual([]);
  });
});
