// `agents down`: stop the watchdog first (its process, for certain: watchdog-stop.ts), then the
// fleet's sessions (or the named ones). Only sessions this config owns, by exact name.
import { park } from "../state/parked.js";
import { checkNames, openFleet, type Ctx } from "./context.js";
import { describeStop, stopWatchdog } from "./watchdog-stop.js";
import type { Args } from "./table.js";

export async function run(inv: Args<"down">): Promise<number> {
  const ctx = await openFleet(inv.opts.config, inv.io);
  checkNames(ctx.fleet, inv.args.name);
  return down(ctx, inv.args.name);
}

async function down(ctx: Ctx, names: string[]): Promise<number> {
  const { fleet, tmux, io } = ctx;
  const all = names.length === 0;
  const sessions: [string, string][] = [];
  for (const a of fleet.agents) if (all || names.includes(a.name)) sessions.push([a.name, a.session]);
  for (const s of fleet.services) if (all || names.includes(s.name)) sessions.push([s.name, s.session]);
  let code = 0;
  if (all || names.includes("watchdog")) {
    // The watchdog goes first, and for certain, so it cannot heal back what we stop.
    const stopped = await stopWatchdog(fleet, tmux);
    io.out(describeStop(stopped, fleet.watchdogSession));
    if (stopped.kind === "unkillable") code = 1;
  }
  for (const [name, session] of sessions) {
    const agent = fleet.agents.find((a) => a.name === name);
    // Stopping one watched agent by hand must not be undone by the watchdog's next heal.
    if (!all && agent && agent.watch !== "none") park(fleet, name, "stopped by `agents down`");
    if (await tmux.killSession(session)) io.out(`${name}: stopped [${session}]`);
  }
  return code;
}
