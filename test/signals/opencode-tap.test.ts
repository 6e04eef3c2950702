// The launch side of the opencode tap: the plugin as opencode calls it (only when the env names a
// file; which events it keeps and how it trims them; never a throw), the config layer that loads it
// beside the user's own plugins, and the arguments that continue a session.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { AgentsSignalTap } from "../../src/signals/opencode/plugin.js";
import * as pluginModule from "../../src/signals/opencode/plugin.js";
import { OPENCODE_SIGNALS_ENV, opencodeConfigContent, opencodePluginUrl, opencodeResumeArgs, opencodeTap } from "../../src/signals/opencode/index.js";
import { tempDir } from "../helpers/tmp.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/signals/opencode/", import.meta.url));
const SESSION = "ses_dca7d82e0ffebDQGoLvvaAFEck";

const saved = process.env[OPENCODE_SIGNALS_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[OPENCODE_SIGNALS_ENV];
  else process.env[OPENCODE_SIGNALS_ENV] = saved;
});

type Hooks = { event?: (i: { event: unknown }) => Promise<void> };

async function tapInto(file: string): Promise<Hooks> {
  process.env[OPENCODE_SIGNALS_ENV] = file;
  return (await AgentsSignalTap()) as Hooks;
}

const records = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { at: number; type: string; properties: Record<string, unknown> });

/** Real bus events as opencode 1.18.33 handed them to a plugin that recorded everything. */
const rawEvents = () => records(path.join(FIXTURES, "raw-events.jsonl")).map((r) => ({ type: r.type, properties: r.properties }));

describe("the plugin", () => {
  it("is the module's only export (opencode calls every export as a plugin)", () => {
    expect(Object.keys(pluginModule)).toEqual(["AgentsSignalTap"]);
  });

  it("does nothing without AGENTS_OPENCODE_SIGNALS", async () => {
    delete process.env[OPENCODE_SIGNALS_ENV];
    expect(await AgentsSignalTap()).toEqual({});
  });

  it("keeps the state, error, totals and permission events of a real run and drops the rest", async () => {
    const file = path.join(tempDir("oc-tap"), "signals.jsonl");
    const hooks = await tapInto(file);
    for (const event of rawEvents()) await hooks.event!({ event });
    const got = records(file);
    expect(got[0]).toMatchObject({ type: "agents.tap", properties: { pid: process.pid } });
    const types = new Set(got.slice(1).map((r) => r.type));
    expect([...types].sort()).toEqual(["message.updated", "session.created", "session.error", "session.idle", "session.status", "session.updated"]);
    // Every kept event, in order, and no streaming part or plugin bookkeeping.
    const kept = rawEvents().filter((e) => types.has(e.type) && (e.type !== "message.updated" || (e.properties.info as { role?: string }).role === "assistant"));
    expect(got.length - 1).toBe(kept.length);
    const err = got.find((r) => r.type === "session.error")!;
    expect(err.properties).toMatchObject({ sessionID: SESSION, error: { name: "APIError", data: { statusCode: 429, message: "The usage limit has been reached" } } });
    // Session records keep the totals and drop the rest (title, slug, summary of diffs...).
    const upd = got.find((r) => r.type === "session.updated")!.properties.info as Record<string, unknown>;
    expect(upd).toMatchObject({ id: SESSION, cost: 0, tokens: { input: 0, output: 0 } });
    for (const dropped of ["title", "slug", "summary", "version"]) expect(upd).not.toHaveProperty(dropped);
  });

  it("cuts a long error body and keeps a permission request's identity", async () => {
    const file = path.join(tempDir("oc-tap"), "signals.jsonl");
    const hooks = await tapInto(file);
    const body = `{"error":{"type":"usage_limit_reached","resets_at":1796200814}}${" ".repeat(10_000)}`;
    await hooks.event!({ event: { type: "session.error", properties: { sessionID: SESSION, error: { name: "APIError", data: { statusCode: 429, responseBody: body } } } } });
    await hooks.event!({ event: { type: "permission.asked", properties: { id: "per_1", sessionID: SESSION, permission: "bash", patterns: ["touch x"], metadata: { big: "x".repeat(5000) } } } });
    const [, e, p] = records(file);
    expect(((e!.properties.error as { data: { responseBody: string } }).data.responseBody).length).toBe(4096);
    expect(p!.properties).toEqual({ id: "per_1", sessionID: SESSION, permission: "bash" });
  });

  it("never throws: an unwritable file, a strange event", async () => {
    const hooks = await tapInto(path.join(tempDir("oc-tap"), "no", "such", "dir", "signals.jsonl"));
    await expect(hooks.event!({ event: { type: "session.status", properties: { sessionID: SESSION, status: { type: "busy" } } } })).resolves.toBeUndefined();
    await expect(hooks.event!({ event: null })).resolves.toBeUndefined();
    await expect(hooks.event!({ event: { type: 42 } })).resolves.toBeUndefined();
  });
});

describe("launch", () => {
  const url = "file:///opt/agents/dist/signals/opencode/plugin.js";

  it.each([
    ["nothing", undefined, { plugin: [url] }],
    ["the model from model_env", JSON.stringify({ model: "mock/mock-model" }), { model: "mock/mock-model", plugin: [url] }],
    ["the user's own plugins", JSON.stringify({ plugin: ["opencode-foo@1.0.0"], share: "disabled" }), { plugin: ["opencode-foo@1.0.0", url], share: "disabled" }],
    ["ours already there", JSON.stringify({ plugin: [url] }), { plugin: [url] }],
    ["not JSON", "model=x", { plugin: [url] }],
    ["a JSON array", "[1]", { plugin: [url] }],
  ])("OPENCODE_CONFIG_CONTENT over %s", (_what, existing, want) => {
    expect(JSON.parse(opencodeConfigContent(existing, url))).toEqual(want);
  });

  it("opencodeTap: env that loads the plugin, --session to resume a valid id only", () => {
    const t = opencodeTap({ signalFile: "/logs/state/a.opencode-signals.jsonl", pluginUrl: url, resumeId: SESSION });
    expect(t.args).toEqual(["--session", SESSION]);
    expect(t.sessionId).toBe(SESSION);
    expect(t.env[OPENCODE_SIGNALS_ENV]).toBe("/logs/state/a.opencode-signals.jsonl");
    expect(JSON.parse(t.env.OPENCODE_CONFIG_CONTENT!)).toEqual({ plugin: [url] });
    const fresh = opencodeTap({ signalFile: "/x.jsonl", pluginUrl: url, resumeId: "; rm -rf ~" });
    expect(fresh.args).toEqual([]);
    expect(fresh.sessionId).toBeUndefined();
  });

  it("opencodeResumeArgs refuses what is not a session id", () => {
    expect(opencodeResumeArgs(SESSION)).toEqual(["--session", SESSION]);
    expect(() => opencodeResumeArgs("--continue")).toThrow(/not an opencode session id/);
  });

  it("the plugin URL names a file that exists (plugin.ts from source, plugin.js once built)", () => {
    const u = opencodePluginUrl();
    expect(u).toMatch(/^file:\/\/\/.*\/signals\/opencode\/plugin\.(?:js|ts)$/);
    expect(readFileSync(fileURLToPath(u), "utf8")).toContain("AgentsSignalTap");
  });
});
