// The optional digest ([notify] digest = "<cron>"): one line summing up the period since the last
// one from the watchdog's own events log (restarts, parks, holds, phases) and the cost the agents'
// records report. digestReason is pure; DigestSchedule runs it on node-cron.
import cron, { type ScheduledTask } from "node-cron";
import type { Fleet } from "../config/load.js";
import { readRecentEvents, type LoggedEvent } from "../state/events-read.js";
import { readWatchdogState } from "../state/watchdog-state.js";

function counted(events: LoggedEvent[], actions: string[]): string | undefined {
  const by = new Map<string, number>();
  for (const e of events) if (e.action && actions.includes(e.action)) by.set(e.agent ?? "fleet", (by.get(e.agent ?? "fleet") ?? 0) + 1);
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  if (!total) return undefined;
  return `${total} (${[...by].map(([who, n]) => `${who} ${n}`).join(", ")})`;
}

/** One line: what happened between `from` and `to` (ms), and the spend each agent's record reports. */
export function digestReason(events: LoggedEvent[], from: number, to: number, costs: Record<string, number | undefined>): string {
  const inPeriod = events.filter((e) => {
    const t = e.time ? Date.parse(e.time) : NaN;
    return t >= from && t < to;
  });
  const parts: string[] = [];
  const hours = Math.round((to - from) / 360_000) / 10;
  const restarts = counted(inPeriod, ["restarted"]);
  const parked = counted(inPeriod, ["parked"]);
  const holds = counted(inPeriod, ["limit-hold", "account-hold"]);
  const phases = inPeriod.filter((e) => e.action === "phase-advanced").map((e) => String(e.phase ?? e.index ?? "?"));
  parts.push(`restarts: ${restarts ?? "none"}`);
  if (parked) parts.push(`parked: ${parked}`);
  parts.push(`limit holds: ${holds ?? "none"}`);
  if (phases.length) parts.push(`phases advanced to: ${phases.join(", ")}`);
  if (inPeriod.some((e) => e.action === "sequence-complete")) parts.push("sequence complete");
  const crashes = inPeriod.filter((e) => e.action === "watchdog-crashed").length;
  if (crashes) parts.push(`watchdog crashed ${crashes}x`);
  const known = Object.entries(costs).filter((c): c is [string, number] => c[1] !== undefined);
  if (known.length) {
    const total = known.reduce((a, [, c]) => a + c, 0);
    parts.push(`cost so far: $${total.toFixed(2)} (${known.map(([a, c]) => `${a} $${c.toFixed(2)}`).join(", ")})`);
  }
  return `last ${hours}h: ${parts.join("; ")}`;
}

export class DigestSchedule {
  private readonly task: ScheduledTask;
  constructor(readonly expr: string, fire: () => void) {
    this.task = cron.schedule(expr, fire);
  }

  stop(): void {
    void this.task.destroy();
  }

  static summarize(fleet: Fleet, from: number, to: number): string {
    const wd = readWatchdogState(fleet);
    const costs = Object.fromEntries(fleet.agents.map((a) => [a.name, wd.agents[a.name]?.signal?.costUsd]));
    return digestReason(readRecentEvents(fleet), from, to, costs);
  }
}
