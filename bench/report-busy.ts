// What the busy and latency scenarios print: the busy table (metric × N: ours, reference,
// ours/reference), the latencies, and the goals of issue 13 (with the quiet fleet held to the
// numbers committed in the project README).
import type { BusyRun } from "./busy.js";
import { latencyText, TRIGGERS, type LatencyRuns } from "./latency.js";
import type { Options } from "./options.js";
import { fmt, ratio, type Goal, type ProgResult, type Results, type Row } from "./report.js";

export function busyRows(O: Options, busy: BusyRun): Row[] {
  const rows: Row[] = [];
  const add = (label: string, get: (r: ProgResult) => number | undefined, digits = 1) => {
    for (const n of O.busyNs) {
      const at = busy.results[n];
      if (!at) continue;
      const o = get(at.ours ?? {});
      const r = at.ref ? get(at.ref) : undefined;
      rows.push([label, n, fmt(o, digits), at.ref ? fmt(r, digits) : "skipped", ratio(o, r)]);
    }
  };
  add("watchdog CPU ms per tick", (r) => r.cpuMsPerTick, 2);
  add("tmux server CPU ms per tick", (r) => r.serverCpuMsPerTick, 2);
  add("total CPU ms per tick (watchdog + server)", (r) => r.totalCpuMsPerTick, 2);
  add("total CPU % of one core", (r) => r.totalPctCore, 2);
  add("tmux server alone % of one core (no watchdog)", (r) => r.serverAlonePctCore, 2);
  // What the watchdog costs in all: the total less what the fleet's output costs the server anyway.
  add("total added % of one core (total - server alone)", (r) => (r.totalPctCore !== undefined && r.serverAlonePctCore !== undefined ? r.totalPctCore - r.serverAlonePctCore : undefined), 2);
  add("tmux spawns per tick (all calls / ticks)", (r) => r.spawnsPerTickAll, 2);
  add("tmux spawns per tick (max, one burst)", (r) => r.spawnsPerTickMax, 0);
  add("tmux spawns per second", (r) => r.spawnsPerSecond, 1);
  add("captures per tick (capture-pane via shim)", (r) => r.capturesPerTickShim, 2);
  add("captures per tick (ours: tick events)", (r) => r.capturesPerTick, 2);
  add("tick wall ms (median)", (r) => r.tickMsMedian, 1);
  add("ticks in CPU window", (r) => r.ticksInCpuWindow, 1);
  add("watchdog RSS MB", (r) => r.rssMB, 1);
  add("restarts/kills/pings done (must be 0)", (r) => r.interventions?.count, 0);
  return rows;
}

export function printLatency(O: Options, lat: LatencyRuns): void {
  console.log(`\nreaction latency (signal_interval = 30, default heavy_interval; trigger -> event, cap ${O.latencyCapS} s):`);
  for (const t of TRIGGERS) {
    const o = lat.ours?.find((r) => r.trigger === t);
    const r = lat.ref?.find((x) => x.trigger === t);
    console.log(`  ${t.padEnd(6)} ours ${latencyText(o, O.latencyCapS).padStart(6)}   reference ${latencyText(r, O.latencyCapS).padStart(6)}${o?.reaction ? `   (ours: ${o.reaction.slice(0, 90)})` : ""}`);
  }
}

// Ours on the quiet fleet at N = 50 as the project README's table has it (one full run on this
// project's 2-core machine, before issue 13): "no worse than today" is judged on these absolute
// numbers, with a margin for a shared machine's noise. Not on ratios: the reference's own times
// moved by 2x between runs (its status took 627 ms there, ~300 ms since).
const README_QUIET = { cpuMsPerTick: 12.5, spawnsPerTick: 1.0, tickMs: 13, statusMs: 105 };
const NOISE = 1.25;

/** The goals of issue 13. */
export function judgeBusyGoals(O: Options, busy: BusyRun | undefined, quiet: Results | undefined, lat: LatencyRuns | undefined): Goal[] {
  const goals: Goal[] = [];
  const g = (goal: string, pass: boolean | undefined, detail: string) => goals.push({ goal, pass, detail });
  if (busy) {
    const b50 = busy.results[50];
    if (b50?.ours && b50.ref) {
      const o = b50.ours;
      const r = b50.ref;
      const pt = o.totalCpuMsPerTick! / r.totalCpuMsPerTick!;
      const ps = o.totalPctCore! / r.totalPctCore!;
      g("busy N=50: total CPU (watchdog + tmux server) <= 1/10 of the reference's", pt <= 0.1 && ps <= 0.1, `per tick ${ratio(o.totalCpuMsPerTick, r.totalCpuMsPerTick)}, per second ${ratio(o.totalPctCore, r.totalPctCore)}`);
    } else g("busy N=50: total CPU <= 1/10 of the reference's", undefined, "needs busy N=50 and the reference in the run");
    const s10 = busy.results[10]?.ours?.spawnsPerTickAll;
    const s100 = busy.results[100]?.ours?.spawnsPerTickAll;
    g(
      "busy: tmux spawns per tick at N=100 <= at N=10, and <= 2",
      s10 === undefined || s100 === undefined ? undefined : s100 <= s10 + 0.05 && s100 <= 2,
      O.busyNs.map((n) => `N=${n}: ${fmt(busy.results[n]?.ours?.spawnsPerTickAll, 2)}`).join("; "),
    );
  }
  const q50 = quiet?.[50]?.ours;
  if (q50) {
    const R = README_QUIET;
    const ok =
      q50.cpuMsPerTick! <= R.cpuMsPerTick * NOISE &&
      q50.spawnsPerTick! <= R.spawnsPerTick + 0.05 &&
      q50.tickMsMedian! <= R.tickMs * NOISE &&
      (q50.status?.msMedian === undefined || q50.status.msMedian <= R.statusMs * NOISE);
    g(
      `quiet N=50 no worse than the README's table (ours ${R.cpuMsPerTick} ms CPU/tick, ${R.spawnsPerTick} tmux/tick, tick ${R.tickMs} ms, status ${R.statusMs} ms; +25% for noise)`,
      ok,
      `${fmt(q50.cpuMsPerTick)} ms CPU/tick, ${fmt(q50.spawnsPerTick, 2)} tmux/tick, tick ${fmt(q50.tickMsMedian)} ms, status ${fmt(q50.status?.msMedian, 0)} ms`,
    );
  }
  if (lat?.ours) {
    const all = TRIGGERS.map((t) => lat.ours!.find((r) => r.trigger === t));
    g("latency: limit banner, fatal line and pane death each acted on within 3 s", all.every((r) => r?.latencyMs !== undefined && r.latencyMs <= 3000), all.map((r, i) => `${TRIGGERS[i]} ${latencyText(r, O.latencyCapS)}`).join(", "));
  }
  return goals;
}
