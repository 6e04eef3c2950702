// `agents service run`: what a service manager starts at boot or login. After a reboot there is
// no tmux server and no watchdog, only the state on disk. The watchdog, run here in the
// foreground, brings back every missing *watched* agent as a restart of cause "missing", so its
// conversation is resumed per resume_on (and a resume that dies at once is noticed, parked agents
// stay parked, account holds and a finished sequence are respected). What the watchdog never
// starts is started here first: services and unwatched agents, the latter resuming on the same
// rule. A plain `agents up` is unchanged: it resumes only with `resume = true`.
import type { Agent, Fleet } from "../config/load.js";
import { startAgent, startService } from "../fleet/launch.js";
import { holderOf } from "../state/lock.js";
import { readParked } from "../state/parked.js";
import { ensureLogDirs, watchdogLockFile } from "../state/paths.js";
import { phaseIndexMissing, readPhaseIndex, sequenceComplete, writePhaseIndex } from "../state/phase.js";
import { runWatchdog } from "../watchdog/index.js";
import type { Ctx } from "../commands/context.js";

export type BootStep =
  | { kind: "agent"; name: string; resume: boolean }
  | { kind: "service"; name: string }
  | { kind: "skip"; name: string; why: string };

/** A boot start continues the conversation as the watchdog's heal of a missing session would. */
export const bootResumes = (agent: Agent): boolean => agent.resume || agent.resume_on.includes("missing");

/**
 * Pure: what the boot starts itself, given the sessions that already run. Watched agents are not
 * listed: the watchdog heals them.
 */
export function bootPlan(fleet: Fleet, running: ReadonlySet<string>, parked: ReadonlySet<string>, complete: boolean): BootStep[] {
  const steps: BootStep[] = [];
  for (const a of fleet.agents) {
    if (!a.enabled || a.watch !== "none" || running.has(a.session)) continue;
    if (parked.has(a.name)) steps.push({ kind: "skip", name: a.name, why: `parked (\`agents up ${a.name}\` starts it)` });
    else if (complete && a.kind === "loop") steps.push({ kind: "skip", name: a.name, why: "phase sequence complete" });
    else steps.push({ kind: "agent", name: a.name, resume: bootResumes(a) });
  }
  for (const s of fleet.services) if (s.enabled && !running.has(s.session)) steps.push({ kind: "service", name: s.name });
  return steps;
}

/** Start what the watchdog will not (services, unwatched agents), as `up` would but resuming. */
export async function bootStart(ctx: Ctx): Promise<void> {
  const { fleet, tmux, io } = ctx;
  ensureLogDirs(fleet);
  if (fleet.loop.resume_phase === false && phaseIndexMissing(fleet)) writePhaseIndex(fleet, 0);
  const phase = readPhaseIndex(fleet);
  const running = new Set((await tmux.listPanes()).map((p) => p.session));
  const parked = new Set(readParked(fleet).keys());
  const deliveries: Promise<void>[] = [];
  for (const step of bootPlan(fleet, running, parked, sequenceComplete(fleet))) {
    if (step.kind === "skip") {
      io.out(`${step.name}: not started: ${step.why}`);
    } else if (step.kind === "service") {
      const s = fleet.services.find((x) => x.name === step.name)!;
      const r = await startService(ctx, s);
      io.out(`${s.name}: ${r.started ? "started" : r.detail} [${s.session}]`);
    } else {
      const a = fleet.agents.find((x) => x.name === step.name)!;
      const r = await startAgent(ctx, a, { phase, resume: step.resume });
      io.out(`${a.name}: ${r.started ? `started (${r.detail})` : r.detail} [${a.session}]`);
      deliveries.push(r.delivered);
    }
  }
  await Promise.all(deliveries);
}

export async function serviceRun(ctx: Ctx, watchdog: typeof runWatchdog = runWatchdog): Promise<number> {
  const { fleet, io } = ctx;
  // One watchdog per fleet: one `up` started already supervises. Exit 0, so a manager that
  // restarts on failure does not loop; the next boot, with no other watchdog, runs it here.
  const holder = holderOf(watchdogLockFile(fleet));
  if (holder) {
    io.out(`another watchdog (pid ${holder.pid}) already supervises this fleet; nothing to do`);
    return 0;
  }
  await bootStart(ctx);
  io.out(`watchdog: supervising in the foreground (pid ${process.pid}); missing watched agents come back resumed per resume_on`);
  return watchdog(fleet.configPath, {});
}
