// `agents down`: stop the watchdog first, then the fleet's sessions (or the named ones). Only
// sessions this config owns, by exact name.
import { holderOf } from "../state/lock.js";
import { park } from "../state/parked.js";
import { watchdogLockFile } from "../state/paths.js";
import { checkNames, openFleet, type Ctx } from "./context.js";
import type { Args } from "./table.js";

export async function run(inv: Args<"down">): Promise<number> {
  const ctx = await openFleet(inv.opts.config, inv.io);
  checkNames(ctx.fleet, inv.args.name);
  return down(ctx, inv.args.name);
}

async function waitForWatchdogExit(ctx: Ctx, timeoutMs: number): Promise<void> {
  const lock = watchdogLockFile(ctx.fleet);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && holderOf(lock)) await new Promise((r) => setTimeout(r, 100));
}

async function down(ctx: Ctx, names: string[]): Promise<number> {
  const { fleet, tmux, io } = ctx;
  const all = names.length === 0;
  const sessions: [string, string][] = [];
  for (const a of fleet.agents) if (all || names.includes(a.name)) sessions.push([a.name, a.session]);
  for (const s of fleet.services) if (all || names.includes(s.name)) sessions.push([s.name, s.session]);
  if (all || names.includes("watchdog")) {
    // The watchdog goes first and is given time to finish its tick, so it cannot heal back what we stop.
    if (await tmux.killSession(fleet.watchdogSession)) io.out(`watchdog: stopped [${fleet.watchdogSession}]`);
    await waitForWatchdogExit(ctx, 10_000);
  }
  for (const [name, session] of sessions) {
    const agent = fleet.agents.find((a) => a.name === name);
    // Stopping one watched agent by hand must not be undone by the watchdog's next heal.
    if (!all && agent && agent.watch !== "none") park(fleet, name, "stopped by `agents down`");
    if (await tmux.killSession(session)) io.out(`${name}: stopped [${session}]`);
  }
  return 0;
}
