// `agents up`: use-or-create the fleet's sessions (or the named ones). `--dry-run` says what it
// would do, member by member, and neither starts nor writes anything.
import type { Fleet } from "../config/load.js";
import { startAgent, startDetail, startService } from "../fleet/launch.js";
import { readParked, unpark } from "../state/parked.js";
import { holderOf } from "../state/lock.js";
import { ensureLogDirs, watchdogLockFile } from "../state/paths.js";
import { phaseIndexMissing, readPhaseIndex, writePhaseIndex } from "../state/phase.js";
import { checkNames, openFleet, type Ctx } from "./context.js";
import type { Args } from "./table.js";
import { describeStart, startWatchdog } from "./watchdog-start.js";

export async function run(inv: Args<"up">): Promise<number> {
  const ctx = await openFleet(inv.opts.config, inv.io);
  checkNames(ctx.fleet, inv.args.name);
  return inv.opts["dry-run"] ? dryRun(ctx, inv.args.name) : up(ctx, inv.args.name);
}

/** The enabled members when no names are given, else exactly the named ones. */
function members(fleet: Fleet, names: string[]) {
  const all = names.length === 0;
  return {
    agents: all ? fleet.agents.filter((a) => a.enabled) : fleet.agents.filter((a) => names.includes(a.name)),
    services: all ? fleet.services.filter((s) => s.enabled) : fleet.services.filter((s) => names.includes(s.name)),
    watchdog: all || names.includes("watchdog"),
  };
}

async function up(ctx: Ctx, names: string[]): Promise<number> {
  const { fleet, io } = ctx;
  const m = members(fleet, names);
  ensureLogDirs(fleet);
  if (fleet.loop.resume_phase === false && phaseIndexMissing(fleet)) writePhaseIndex(fleet, 0);
  const phase = readPhaseIndex(fleet);
  const deliveries: Promise<void>[] = [];
  for (const a of m.agents) {
    // `up` is how a user says "try again": a parked agent gets a fresh restart budget.
    if (unpark(fleet, a.name)) io.out(`${a.name}: unparked`);
    const r = await startAgent(ctx, a, { phase });
    io.out(`${a.name}: ${r.started ? `started (${r.detail})` : r.detail} [${a.session}]`);
    deliveries.push(r.delivered);
  }
  for (const s of m.services) {
    const r = await startService(ctx, s);
    io.out(`${s.name}: ${r.started ? "started" : r.detail} [${s.session}]`);
  }
  let code = 0;
  if (m.watchdog) {
    // Reported from the lock, not the session: a session whose watchdog refused or died is no watchdog.
    const started = await startWatchdog(fleet, ctx.tmux);
    for (const line of describeStart(started, fleet.watchdogSession)) io.out(line);
    if (started.kind === "failed" || (started.kind === "already-running" && started.refused)) code = 1;
  }
  await Promise.all(deliveries);
  return code;
}

async function dryRun(ctx: Ctx, names: string[]): Promise<number> {
  const { fleet, tmux, io } = ctx;
  const m = members(fleet, names);
  // A real `up` with resume_phase = false writes index 0 when none exists: the index read then.
  const phase = readPhaseIndex(fleet);
  const parked = readParked(fleet);
  for (const a of m.agents) {
    if (parked.has(a.name)) io.out(`${a.name}: would unpark`);
    const running = await tmux.hasSession(a.session);
    io.out(`${a.name}: ${running ? "already running" : `would start (${startDetail(fleet, a, phase)})`} [${a.session}]`);
  }
  for (const s of m.services) {
    io.out(`${s.name}: ${(await tmux.hasSession(s.session)) ? "already running" : "would start"} [${s.session}]`);
  }
  if (m.watchdog) {
    const holder = holderOf(watchdogLockFile(fleet));
    io.out(`watchdog: ${holder ? `already running (pid ${holder.pid})` : "would start"} [${fleet.watchdogSession}]`);
  }
  return 0;
}
