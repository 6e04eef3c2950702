// `status` says loudly when the watchdog supervises nothing (issue 12 part 6): a live pid whose
// heartbeat stopped is STALE, one that died without releasing its lock is DEAD; `--json` carries
// watchdog.health and watchdog.stale. The verdict itself is a table test.
import { rmSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { status } from "../../src/commands/status.js";
import { ago, healthLine, watchdogHealth, type HealthFacts } from "../../src/commands/watchdog-health.js";
import { processStart } from "../../src/state/lock.js";
import { ensureLogDirs, ensureRuntimeDir, legacyWatchdogLockFile, tidyRuntimeDir, watchdogLockFile } from "../../src/state/paths.js";
import { writeWatchdogState } from "../../src/state/watchdog-state.js";
import { emptyState } from "../../src/watchdog/types.js";
import { fakeCtx } from "../helpers/fake-tmux.js";
import { BASE, fleetFrom } from "../watchdog/helpers.js";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const MIN = 60_000;
const base: HealthFacts = { now: NOW, starting: false, staleAfterMs: 30_000, orphanSession: false };

describe("watchdog health", () => {
  const cases: [string, Partial<HealthFacts>, string, number | undefined][] = [
    ["ticking", { holder: { pid: 7, since: NOW - 60 * MIN }, heartbeat: NOW - 2_000 }, "ok", 2],
    ["alive, heartbeat 14 min old", { holder: { pid: 7, since: NOW - 60 * MIN }, heartbeat: NOW - 14 * MIN }, "stale", 840],
    // An earlier run's heartbeat does not make a watchdog that just took the lock stale.
    ["just started over an old heartbeat", { holder: { pid: 7, since: NOW - 5_000 }, heartbeat: NOW - 24 * 60 * MIN }, "ok", 5],
    ["took the lock long ago, never ticked", { holder: { pid: 7, since: NOW - 10 * MIN } }, "stale", 600],
    ["its session starting", { starting: true }, "ok", undefined],
    ["died holding the lock", { deadHolder: { pid: 9 }, heartbeat: NOW - 3 * MIN }, "dead", 180],
    ["a session that runs no watchdog", { orphanSession: true }, "dead", undefined],
    ["stopped cleanly", { heartbeat: NOW - 3 * MIN }, "stopped", 180],
    ["never ran", {}, "stopped", undefined],
  ];
  it.each(cases)("%s → %s", (_name, facts, health, silentS) => {
    expect(watchdogHealth({ ...base, ...facts })).toEqual(silentS === undefined ? { health } : { health, silentS });
  });

  it("says it loudly, only when not ok", () => {
    expect(healthLine({ health: "stale", pid: 123, silentS: 840 })).toMatch(/^WATCHDOG STALE: last heartbeat 14m ago \(pid 123 alive, not ticking\)/);
    expect(healthLine({ health: "dead", deadPid: 9, silentS: 180 })).toMatch(/^WATCHDOG DEAD: pid 9 died without stopping; last heartbeat 3m ago; .*run `agents up`$/);
    expect(healthLine({ health: "ok" })).toBeUndefined();
    expect(healthLine({ health: "stopped" })).toBeUndefined();
    expect([ago(40), ago(840), ago(7500)]).toEqual(["40s", "14m", "2h 5m"]);
  });
});

function rig(lock: { start: string; sinceMs: number } | undefined, heartbeatAgeMs: number) {
  const fleet = fleetFrom(`${BASE}\n[[agent]]\nname = "a"\nwatch = "heal"\n`);
  const now = Date.now();
  const state = emptyState();
  state.heartbeat = now - heartbeatAgeMs;
  writeWatchdogState(fleet, state);
  if (lock) {
    ensureRuntimeDir(fleet);
    // This test process plays the watchdog: a matching start time is a live holder, another is a dead one.
    writeFileSync(watchdogLockFile(fleet), JSON.stringify({ pid: process.pid, start: lock.start, since: new Date(now - lock.sinceMs).toISOString() }));
  }
  const { ctx, out } = fakeCtx(fleet);
  const cleanup = () => {
    rmSync(watchdogLockFile(fleet), { force: true });
    tidyRuntimeDir(fleet);
  };
  return { ctx, out, cleanup };
}

describe("status with an unhealthy watchdog", () => {
  it("a live pid with a 14-minute-old heartbeat: STALE first, health/stale in --json", async () => {
    const { ctx, out, cleanup } = rig({ start: processStart(process.pid) ?? "", sinceMs: 60 * MIN }, 14 * MIN);
    try {
      await status(ctx, false);
      expect(out[0]).toBe(
        `WATCHDOG STALE: last heartbeat 14m ago (pid ${process.pid} alive, not ticking); nothing is healed meanwhile: see \`agents logs watchdog\`, then \`agents down watchdog && agents up watchdog\``,
      );
      expect(out.at(-1)).toMatch(/^watchdog\s+watchdog\s+-\s+-\s+-\s+STALE\s+heartbeat 840s ago/);
      out.length = 0;
      await status(ctx, true);
      expect(JSON.parse(out.join("\n")).watchdog).toMatchObject({ running: true, pid: process.pid, health: "stale", stale: true, silentS: 840 });
    } finally {
      cleanup();
    }
  });

  it("a lock left by a dead process: DEAD, with its pid", async () => {
    const { ctx, out, cleanup } = rig({ start: "1", sinceMs: 60 * MIN }, 3 * MIN);
    try {
      await status(ctx, false);
      expect(out[0]).toMatch(new RegExp(`^WATCHDOG DEAD: pid ${process.pid} died without stopping; last heartbeat 3m ago`));
      out.length = 0;
      await status(ctx, true);
      expect(JSON.parse(out.join("\n")).watchdog).toMatchObject({ running: false, health: "dead", stale: false, deadPid: process.pid });
    } finally {
      cleanup();
    }
  });

  it("after a reboot only the lock in log_dir is left (the runtime dir is gone): DEAD too", async () => {
    const { ctx, out, cleanup } = rig(undefined, 3 * MIN);
    try {
      ensureLogDirs(ctx.fleet);
      // A pid from before the reboot: whatever runs under that number now started later.
      writeFileSync(legacyWatchdogLockFile(ctx.fleet), JSON.stringify({ pid: process.pid, start: "1", since: new Date(Date.now() - 60 * MIN).toISOString() }));
      await status(ctx, true);
      expect(JSON.parse(out.join("\n")).watchdog).toMatchObject({ running: false, health: "dead", deadPid: process.pid });
    } finally {
      cleanup();
    }
  });

  it("stopped cleanly (no lock): no loud line, health stopped", async () => {
    const { ctx, out, cleanup } = rig(undefined, 3 * MIN);
    try {
      await status(ctx, false);
      expect(out.join("\n")).not.toMatch(/WATCHDOG/);
      out.length = 0;
      await status(ctx, true);
      expect(JSON.parse(out.join("\n")).watchdog).toMatchObject({ running: false, health: "stopped", stale: false });
    } finally {
      cleanup();
    }
  });
});
