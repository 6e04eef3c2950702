// RSS over a long run at a fast interval (signal_interval = 0.05): ours for a number of ticks with
// --trace-gc (RSS and the live heap after each major GC), the reference for a fixed time.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { readShimLog, writeConfig, type Fleet } from "./fleet.js";
import { assertAlive, spawnWatchdog, type Ctx, type Prog } from "./measure.js";
import { rssMB, sleep } from "./procfs.js";

export interface LongRunResult {
  ticks?: number;
  ticksNote?: string;
  seconds: number;
  majorGcs?: number;
  liveHeapAfterMajorGcMB?: number[];
  liveHeapAfterWarmMB?: number[];
  rssWarmMB?: number;
  rssWarmTick?: number;
  rssWarmS?: number;
  rssEndMB?: number;
  rssMaxAfterWarmMB?: number;
  /** [tick, MB] pairs, a dozen across the run. */
  rssByTick?: Array<[number, number]>;
}

interface Sample {
  tick: number;
  s: number;
  rssMB: number;
}

export async function measureLongRun(ctx: Ctx, prog: Prog, fleet: Fleet, refSpawnsPerTick: number | undefined): Promise<LongRunResult> {
  const { world, O } = ctx;
  const tag = `${prog.id}-long-n${fleet.n}`;
  const logDir = path.join(fleet.dir, `.state-${prog.id}-fast`);
  const config = writeConfig(fleet.dir, `agents-${prog.id}-fast.toml`, {
    n: fleet.n,
    prefix: fleet.prefix,
    logDir: `.state-${prog.id}-fast`,
    signal: O.fastSignal,
    heavy: O.heavy,
  });
  const shimLog = path.join(world.root, `${tag}.tmux-calls`);
  // Ours counts its own ticks; the reference's are counted through the shim.
  world.setTmuxMode(prog.id === "ours" ? "real" : "shim");
  const env = { ...world.childEnv, AGENTS_BENCH_TMUX_LOG: shimLog, ...(prog.id === "ours" ? { AGENTS_TICK_EVENTS: "1" } : {}) };
  const child = spawnWatchdog(ctx, { ...prog, traceGc: prog.id === "ours" }, config, env, path.join(world.root, `${tag}.out`));
  const samples: Sample[] = [];
  const t0 = Date.now();
  try {
    if (prog.id === "ours") {
      // V8 grows its heap reservation over the first ~1,000 ticks before major GCs settle it, so
      // warm-up is a quarter of the run; the live heap after each major GC (--trace-gc) is the
      // leak signal that does not depend on when the allocator returns pages.
      const warmAt = Math.round(O.longTicks / 4);
      const deadline = t0 + O.longTicks * O.fastSignal * 1000 * 6 + 60_000;
      let ticks = 0;
      let lastSize = 0;
      const file = () => readdirSync(logDir).find((f) => f.endsWith("watchdog.events.jsonl"));
      while (ticks < O.longTicks) {
        assertAlive(child, `${prog.name} long run`);
        if (Date.now() > deadline) throw new Error(`${prog.name} long run: only ${ticks} ticks before the deadline`);
        await sleep(250);
        let f: string | undefined;
        try {
          f = file();
        } catch {
          continue;
        }
        if (!f) continue;
        const text = readFileSync(path.join(logDir, f), "utf8");
        const buf = text.slice(lastSize);
        lastSize = text.length;
        ticks += (buf.match(/"action":"tick"/g) ?? []).length;
        samples.push({ tick: ticks, s: (Date.now() - t0) / 1000, rssMB: rssMB(child.pid) ?? NaN });
      }
      const end = samples[samples.length - 1]!;
      const warm = samples.find((s) => s.tick >= warmAt) ?? samples[0]!;
      const tail = samples.filter((s) => s.tick >= warmAt);
      // "  387 ms: Mark-Compact 18.9 (56.4) -> 12.0 (52.1) MB": ms since node started (about t0),
      // and the third number is the live heap after the collection.
      const majorsAt = readFileSync(child.outFile, "utf8")
        .split("\n")
        .map((l) => /(\d+) ms: Mark-Compact [\d.]+ \([\d.]+\) ->\s*([\d.]+)\s*\(/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ tick: (samples.find((x) => x.s * 1000 >= Number(m[1])) ?? end).tick, mb: Number(m[2]) }));
      return {
        ticks: end.tick,
        seconds: end.s,
        majorGcs: majorsAt.length,
        liveHeapAfterMajorGcMB: majorsAt.map((g) => g.mb),
        liveHeapAfterWarmMB: majorsAt.filter((g) => g.tick >= warmAt).map((g) => g.mb),
        rssWarmMB: warm.rssMB,
        rssWarmTick: warm.tick,
        rssEndMB: end.rssMB,
        rssMaxAfterWarmMB: Math.max(...tail.map((s) => s.rssMB)),
        // A dozen points across the whole run, so "flat" can be seen, not just inferred from two.
        rssByTick: samples
          .filter((_, i) => i % Math.max(1, Math.floor(samples.length / 12)) === 0 || i === samples.length - 1)
          .map((s): [number, number] => [s.tick, +s.rssMB.toFixed(1)]),
      };
    }
    const warmS = Math.min(5, O.refLongS / 4);
    await sleep(warmS * 1000);
    assertAlive(child, `${prog.name} long run`);
    const warm = { s: (Date.now() - t0) / 1000, rssMB: rssMB(child.pid) };
    const rest = O.refLongS - warmS;
    for (let i = 0; i < rest; i++) {
      await sleep(1000);
      assertAlive(child, `${prog.name} long run`);
      samples.push({ tick: 0, s: (Date.now() - t0) / 1000, rssMB: rssMB(child.pid) ?? NaN });
    }
    const end = samples[samples.length - 1]!;
    const calls = readShimLog(shimLog).length;
    return {
      ticks: refSpawnsPerTick ? Math.round(calls / refSpawnsPerTick) : undefined,
      ticksNote: `int(${O.fastSignal}) = 0 s sleep; ticks = ${calls} tmux calls / ${refSpawnsPerTick} calls per signal tick`,
      seconds: end.s,
      rssWarmMB: warm.rssMB,
      rssWarmS: warm.s,
      rssEndMB: end.rssMB,
      rssMaxAfterWarmMB: Math.max(...samples.map((s) => s.rssMB)),
    };
  } finally {
    await world.stop(child);
    world.setTmuxMode("real");
  }
}
