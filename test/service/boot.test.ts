// What `agents service run` starts itself after a reboot (no tmux server, state on disk): services
// and unwatched agents, these resuming their pinned conversation as a heal of a missing session
// would; watched agents are the watchdog's (it heals them as "missing", resuming per resume_on).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bootPlan, bootStart, serviceRun } from "../../src/service/boot.js";
import { holderOf } from "../../src/state/lock.js";
import { park } from "../../src/state/parked.js";
import { ensureLogDirs, resumeIdFile, watchdogLockFile } from "../../src/state/paths.js";
import { startAgent } from "../../src/fleet/launch.js";
import { readSessionId, writeSessionId } from "../../src/state/session-id.js";
import { Tmux } from "../../src/tmux/tmux.js";
import { tempDir } from "../helpers/tmp.js";
import { RESUMER_FLEET } from "./fleet.js";
import { FakeTmux } from "../helpers/fake-tmux.js";
import { BASE, fleetFrom } from "../watchdog/helpers.js";

const TOML = `${BASE}${RESUMER_FLEET}[[agent]]
name = "fresh"
backend = "resumer"
resume_on = []
[[agent]]
name = "p"
[[agent]]
name = "off"
enabled = false
[[service]]
name = "svc"
command = "sleep 1000"
`;

function rig() {
  const fleet = fleetFrom(TOML);
  ensureLogDirs(fleet);
  for (const a of ["w", "u", "fresh"]) writeFileSync(resumeIdFile(fleet, a), `conv-${a}\n`);
  park(fleet, "p", "3 restarts in 600s");
  const fake = new FakeTmux();
  const out: string[] = [];
  const ctx = { fleet, tmux: new Tmux({ transport: fake }), io: { out: (l: string) => out.push(l), err: () => {} }, say: (l: string) => out.push(l) };
  return { fleet, fake, ctx, out };
}

describe("boot plan", () => {
  it("starts services and unwatched agents (resuming on resume_on's \"missing\"), skips parked, leaves watched ones to the watchdog", () => {
    const { fleet } = rig();
    expect(bootPlan(fleet, new Set(), new Set(["p"]), false)).toEqual([
      { kind: "agent", name: "u", resume: true },
      { kind: "agent", name: "fresh", resume: false },
      { kind: "skip", name: "p", why: "parked (`agents up p` starts it)" },
      { kind: "service", name: "svc" },
    ]);
    // What already runs (a restart of the service, not a boot) is left alone.
    expect(bootPlan(fleet, new Set(["t-u", "t-fresh", "t-svc"]), new Set(), false)).toEqual([{ kind: "agent", name: "p", resume: true }]);
  });
});

describe("boot start after a reboot", () => {
  it("the unwatched agent's start command carries its pinned id; resume_on = [] starts fresh", async () => {
    const { fake, ctx, out } = rig();
    await bootStart(ctx);
    expect([...fake.sessions.keys()].sort()).toEqual(["t-fresh", "t-svc", "t-u"]);
    expect(fake.get("t-u").startCommand).toContain("--resume 'conv-u'");
    expect(fake.get("t-fresh").startCommand).not.toContain("--resume");
    expect(fake.get("t-svc").startCommand).toContain("sleep 1000");
    expect(out).toContain("p: not started: parked (`agents up p` starts it)");
    expect(out.find((l) => l.startsWith("u: started"))).toMatch(/conversation resumed conv-u/);
  });

  it("with another watchdog holding the lock it does nothing and exits 0 (no restart loop)", async () => {
    const { fleet, fake, ctx, out } = rig();
    // This test process is a live holder.
    const { watchdogLock } = await import("../../src/state/lock.js");
    const lock = watchdogLock(fleet);
    lock.acquire();
    try {
      expect(holderOf(watchdogLockFile(fleet))?.pid).toBe(process.pid);
      let ran = false;
      const code = await serviceRun(ctx, async () => ((ran = true), 0));
      expect(code).toBe(0);
      expect(ran).toBe(false);
      expect(fake.sessions.size).toBe(0);
      expect(out).toEqual([`another watchdog (pid ${process.pid}) already supervises this fleet; nothing to do`]);
    } finally {
      lock.release();
    }
  });

  it("without one it boots, then hands over to the watchdog with the fleet's config", async () => {
    const { fleet, fake, ctx } = rig();
    const seen: string[] = [];
    expect(await serviceRun(ctx, async (config) => (seen.push(config), 0))).toBe(0);
    expect(seen).toEqual([fleet.configPath]);
    expect(fake.sessions.has("t-u")).toBe(true);
  });

  it("a Claude agent comes back with --resume of the id session-id.ts pinned, where a plain up would pin a new one", async () => {
    const claudeDir = tempDir("claude");
    const fleet = fleetFrom(`${BASE}\n[[agent]]\nname = "c"\nbackend = "claude"\nenv = { CLAUDE_CONFIG_DIR = "${claudeDir}" }\n`);
    ensureLogDirs(fleet);
    const id = "0b6a2f9e-7c1d-4d38-9f0e-2c5e8a1b3d47";
    writeSessionId(fleet, "c", id);
    mkdirSync(path.join(claudeDir, "projects", "-proj"), { recursive: true });
    writeFileSync(path.join(claudeDir, "projects", "-proj", `${id}.jsonl`), "{}\n");
    const fake = new FakeTmux();
    const ctx = { fleet, tmux: new Tmux({ transport: fake }), io: { out: () => {}, err: () => {} }, say: () => {} };
    await bootStart(ctx);
    expect(fake.get("t-c").startCommand).toMatch(new RegExp(`--resume '?${id}`));
    expect(readSessionId(fleet, "c")).toBe(id);
    // What `agents up` does with resume = false (the default): a new conversation, a new pinned id.
    await startAgent(ctx, fleet.agents[0]!, { phase: 0, force: true });
    expect(fake.get("t-c").startCommand).toMatch(/--session-id /);
    expect(readSessionId(fleet, "c")).not.toBe(id);
  });
});
