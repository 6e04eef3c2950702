// The quiet-fleet scenario (issue 5): N agents whose panes never change. Each program's watchdog
// (spawns, CPU), `status` wall time, and the long RSS run at O.rssN.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startFleet, type Fleet } from "./fleet.js";
import { measureLongRun } from "./longrun.js";
import { measureStatus, measureWatchdog, shimLatency, type Ctx, type Prog, type WatchdogResult } from "./measure.js";
import { sleep } from "./procfs.js";
import { fmt, type LongRuns, type Results } from "./report.js";

export interface QuietRun {
  results: Results;
  long?: LongRuns;
  shimLatencyS: number;
}

export async function runQuiet(ctx: Ctx, progs: Prog[], notes: string[]): Promise<QuietRun> {
  const { world, O } = ctx;
  const results: Results = {};
  let long: LongRuns | undefined;
  let shimLatencyS = 0;
  for (const [idx, n] of O.ns.entries()) {
    const prefix = `bn${n}-`;
    const dir = path.join(world.root, `fleet-${n}`);
    mkdirSync(dir, { recursive: true });
    const fleet: Fleet = { n, prefix, dir, serverPid: startFleet(world, dir, n, prefix) };
    if (idx === 0) shimLatencyS = shimLatency(world);
    const atN: Results[number] = (results[n] = {});
    // Alternate who goes first so a burst of load elsewhere does not always land on one side.
    const order = idx % 2 ? [...progs].reverse() : progs;
    for (const p of order) {
      process.stdout.write(`  N=${n}: ${p.name} watchdog ... `);
      let r: WatchdogResult | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          r = await measureWatchdog(ctx, p, fleet, shimLatencyS);
          break;
        } catch (err) {
          // The reference can die of its own defects (e.g. a tmux reply it cannot decode): note it,
          // retry once on a fresh process, and keep the rest of the run.
          if (p.id !== "ref") throw err;
          const first = String((err as Error).message).split("\n");
          const why = `${first[0]} ... ${first[first.length - 1]}`;
          notes.push(`N=${n}: reference watchdog attempt ${attempt} failed: ${why}`);
          console.log(`\n  reference failed (attempt ${attempt}): ${why}`);
          if (attempt >= 2) break;
          process.stdout.write(`  N=${n}: ${p.name} watchdog (retry) ... `);
        }
      }
      if (!r) continue;
      atN[p.id] = r;
      console.log(`${fmt(r.cpuMsPerTick)} ms CPU/tick, ${fmt(r.spawnsPerTick)} tmux/tick, tick ${fmt(r.tickMsMedian)} ms`);
    }
    process.stdout.write(`  N=${n}: status x${O.statusRuns} ... `);
    const st = measureStatus(ctx, progs, fleet);
    for (const p of progs) (atN[p.id] ??= {}).status = st[p.id];
    console.log(progs.map((p) => `${p.id} ${fmt(st[p.id]!.msMedian)} ms`).join(", "));
    if (n === O.rssN) {
      const runs: LongRuns = (long = { n });
      for (const p of progs) {
        process.stdout.write(`  N=${n}: ${p.name} long run (${p.id === "ours" ? `${O.longTicks} ticks at ${O.fastSignal}s` : `${O.refLongS}s at int(${O.fastSignal})=0s`}) ... `);
        const lr = await measureLongRun(ctx, p, fleet, atN.ref?.spawnsPerTickMedian);
        runs[p.id] = lr;
        console.log(`RSS ${fmt(lr.rssWarmMB)} -> ${fmt(lr.rssEndMB)} MB over ${lr.ticks ?? "?"} ticks`);
      }
    }
    world.killServer();
    await sleep(300);
  }
  return { results, long, shimLatencyS };
}
