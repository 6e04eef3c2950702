// Measuring one program against the fleet: a watchdog run at signal_interval = 1 (tmux spawns
// through the shim, then CPU with the real tmux), `status` wall time, and the shim's own latency.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { bursts, interventions, readShimLog, tickEvents, writeConfig, type Fleet, type Interventions } from "./fleet.js";
import type { Options, Windows } from "./options.js";
import { cpuSelfSeconds, cpuTreeSeconds, mean, median, rssMB, sleep, uptime } from "./procfs.js";
import type { BenchWorld, Child } from "./world.js";

export interface Prog {
  id: "ours" | "ref";
  name: string;
  /** The reference's agents.py. */
  script?: string;
  /** Ours with node --trace-gc (the long run). */
  traceGc?: boolean;
}

/** What every measurement needs: the world, the options and how to start each program. */
export interface Ctx {
  world: BenchWorld;
  O: Options;
  /** bin/agents and dist/entry.js of this checkout. */
  cli: string;
  entry: string;
  /** The python interpreter for the reference. */
  py?: string;
  clkTck: number;
}

export interface WatchdogResult {
  spawnsPerTick?: number;
  spawnsPerTickMedian?: number;
  spawnsPerTickMax?: number;
  spawnsPerSecond: number;
  spawnsByCommandPerTick: Record<string, number>;
  ticksCounted: number;
  cpuWindowS: number;
  cpuS: number;
  cpuPctCore: number;
  serverCpuS: number;
  rssMB?: number;
  ticksInCpuWindow?: number;
  tickMsMedian?: number;
  tickMsMedianSignal?: number;
  tickMsMedianHeavy?: number;
  tickMsMax?: number;
  capturesPerTick?: number;
  /** All tmux calls in window A / ticks in it (ours: tick events; the reference: window / its tick period). */
  spawnsPerTickAll?: number;
  /** capture-pane calls through the shim in window A / ticks in it. */
  capturesPerTickShim?: number;
  tickSource: string;
  tickPeriodS?: number;
  tickMsRaw?: number;
  burstSpanMsMedian?: number;
  interventions: Interventions;
  cpuMsPerTick?: number;
  serverCpuMsPerTick?: number;
  serverPctCore?: number;
  /** Busy scenario: the tmux server's CPU with the fleet running and no watchdog, just before. */
  serverAlonePctCore?: number;
  /** Watchdog + tmux server. */
  totalCpuMsPerTick?: number;
  totalPctCore?: number;
  status?: StatusResult;
}

export interface StatusResult {
  msMedian?: number;
  runs: number[];
  spawns: number;
}

/**
 * Ours as `agents up` starts it: through bin/agents. --trace-gc has to reach node itself, so that
 * run starts entry.js directly with the environment bin/agents would have given it.
 */
export function spawnWatchdog(ctx: Ctx, prog: Prog, config: string, env: NodeJS.ProcessEnv, outFile: string): Child {
  let cmd: string;
  let args: string[];
  if (prog.id !== "ours") [cmd, args] = [ctx.py!, [prog.script!, "watchdog", "--config", config]];
  else if (prog.traceGc) [cmd, args] = [process.execPath, ["--trace-gc", ctx.entry, "watchdog", "--config", config]];
  else [cmd, args] = [ctx.cli, ["watchdog", "--config", config]];
  if (prog.id === "ours" && prog.traceGc && env.NODE_EXTRA_CA_CERTS) {
    env = { ...env, AGENTS_SAVED_NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS };
    delete env.NODE_EXTRA_CA_CERTS;
  }
  return ctx.world.spawn(cmd, args, { cwd: path.dirname(config), env, outFile });
}

export function assertAlive(child: Child, what: string): void {
  const { exitCode, signalCode } = child.proc;
  if (exitCode !== null || signalCode !== null) {
    let out = "";
    try {
      out = readFileSync(child.outFile, "utf8").trim().split("\n").slice(-8).join("\n");
    } catch {
      /* none */
    }
    throw new Error(`${what} exited early (code ${exitCode}, signal ${signalCode}):\n${out}`);
  }
}

async function waitFor(pred: () => boolean, timeoutMs: number, child: Child, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return;
    assertAlive(child, what);
    await sleep(100);
  }
  throw new Error(`${what}: timed out after ${timeoutMs} ms`);
}

/**
 * One watchdog run at signal_interval = 1: warm-up, a counting window (shim on PATH), then a CPU
 * window (real tmux on PATH).
 */
export async function measureWatchdog(ctx: Ctx, prog: Prog, fleet: Fleet, shimLatencyS: number, win: Windows = ctx.O): Promise<WatchdogResult> {
  const { world } = ctx;
  const O = { ...ctx.O, ...win };
  const tag = `${prog.id}-${path.basename(fleet.dir)}`;
  const shimLog = path.join(world.root, `${tag}.tmux-calls`);
  const logDir = path.join(fleet.dir, `.state-${prog.id}`);
  const cfg = { logDir: `.state-${prog.id}`, signal: O.signal, heavy: O.heavy };
  const config = fleet.writeConfig
    ? fleet.writeConfig(`agents-${prog.id}.toml`, cfg)
    : writeConfig(fleet.dir, `agents-${prog.id}.toml`, { n: fleet.n, prefix: fleet.prefix, ...cfg });
  world.setTmuxMode("shim");
  const env = { ...world.childEnv, AGENTS_BENCH_TMUX_LOG: shimLog, ...(prog.id === "ours" ? { AGENTS_TICK_EVENTS: "1" } : {}) };
  const child = spawnWatchdog(ctx, prog, config, env, path.join(world.root, `${tag}.out`));
  try {
    // Started = its first tick is visible (ours: a tick event; the reference: a tmux call).
    await waitFor(() => (prog.id === "ours" ? tickEvents(logDir).length > 0 : readShimLog(shimLog).length > 0), 60_000, child, `${prog.name} watchdog (N=${fleet.n})`);
    await sleep(O.warmupS * 1000);

    // Window A: count tmux spawns.
    const a0 = uptime();
    const aw0 = Date.now();
    await sleep(O.countS * 1000);
    world.setTmuxMode("real");
    await sleep(1500); // calls already on their way through the shim land in the log
    assertAlive(child, prog.name);
    const all = bursts(readShimLog(shimLog), (O.burstGap ?? 0.4) * O.signal);
    // Whole ticks that started inside window A (the swap may cut the last one short).
    const ticksA = all.filter((b, i) => b.start >= a0 && i < all.length - 1 && b.start < a0 + O.countS);
    const sizes = ticksA.map((b) => b.calls.length);
    const byCmd: Record<string, number> = {};
    for (const b of ticksA) for (const c of b.calls) byCmd[c.cmd.split(" ")[0]!] = (byCmd[c.cmd.split(" ")[0]!] ?? 0) + 1;
    for (const k of Object.keys(byCmd)) byCmd[k] = +(byCmd[k]! / ticksA.length).toFixed(2);
    // Starts of every burst that began in window A, the last (maybe cut short) one too: a slow
    // tick (the reference at N = 100) leaves few whole ones in a short window.
    const startsA = all.filter((b) => b.start >= a0 && b.start < a0 + O.countS).map((b) => b.start);
    const periods = startsA.slice(1).map((t, i) => t - startsA[i]!);
    const spans = ticksA.map((b) => b.last - b.start);

    // Window B: CPU, no shim anywhere.
    const cpu0 = cpuTreeSeconds(child.pid, ctx.clkTck) ?? NaN;
    const srv0 = cpuSelfSeconds(fleet.serverPid, ctx.clkTck) ?? NaN;
    const u0 = uptime();
    const w0 = Date.now();
    await sleep(O.cpuS * 1000);
    const cpu1 = cpuTreeSeconds(child.pid, ctx.clkTck) ?? NaN;
    const srv1 = cpuSelfSeconds(fleet.serverPid, ctx.clkTck) ?? NaN;
    const u1 = uptime();
    const w1 = Date.now();
    const rss = rssMB(child.pid);
    assertAlive(child, prog.name);

    const wallS = u1 - u0;
    const callsA = readShimLog(shimLog).filter((c) => c.t >= a0 && c.t < a0 + O.countS);
    const capturesA = callsA.filter((c) => c.cmd.startsWith("capture-pane")).length;
    const r: WatchdogResult = {
      spawnsPerTick: mean(sizes),
      spawnsPerTickMedian: median(sizes),
      spawnsPerTickMax: sizes.length ? Math.max(...sizes) : undefined,
      spawnsPerSecond: callsA.length / O.countS,
      spawnsByCommandPerTick: byCmd,
      ticksCounted: ticksA.length,
      cpuWindowS: wallS,
      cpuS: cpu1 - cpu0,
      cpuPctCore: ((cpu1 - cpu0) / wallS) * 100,
      serverCpuS: srv1 - srv0,
      rssMB: rss,
      tickSource: "",
      interventions: { count: 0, sample: [] },
    };
    if (prog.id === "ours") {
      const ev = tickEvents(logDir);
      const inB = ev.filter((e) => e.wall >= w0 && e.wall < w1);
      r.ticksInCpuWindow = inB.length;
      r.tickMsMedian = median(inB.map((e) => e.ms));
      r.tickMsMedianSignal = median(inB.filter((e) => !e.heavy).map((e) => e.ms));
      r.tickMsMedianHeavy = median(inB.filter((e) => e.heavy).map((e) => e.ms));
      r.tickMsMax = inB.length ? Math.max(...inB.map((e) => e.ms)) : undefined;
      r.capturesPerTick = mean(ev.filter((e) => e.wall >= w0 - (u0 - a0) * 1000 && e.wall < w1).map((e) => e.captures));
      r.tickSource = "tick events (ms), CPU window";
      const ticksInA = ev.filter((e) => e.wall >= aw0 && e.wall < aw0 + O.countS * 1000).length;
      if (ticksInA) {
        r.spawnsPerTickAll = callsA.length / ticksInA;
        r.capturesPerTickShim = capturesA / ticksInA;
        // Over a control client a tick spawns nothing, so there are no bursts to average: count by
        // our own ticks instead (the same number when every tick is one burst).
        r.spawnsPerTick = r.spawnsPerTickAll;
        if (!ticksA.length && !callsA.length) r.spawnsPerTickMedian = r.spawnsPerTickMax = 0;
      }
    } else {
      const period = median(periods);
      r.tickPeriodS = period;
      r.ticksInCpuWindow = period ? wallS / period : undefined;
      r.tickMsRaw = period !== undefined ? (period - O.signal) * 1000 : undefined;
      r.tickMsMedian = r.tickMsRaw !== undefined ? Math.max(0, r.tickMsRaw - (r.spawnsPerTick ?? 0) * shimLatencyS * 1000) : undefined;
      const span = median(spans);
      r.burstSpanMsMedian = span !== undefined ? span * 1000 : undefined;
      r.tickSource = "median gap between tick bursts - signal_interval, minus shim latency x spawns";
      if (period) {
        r.spawnsPerTickAll = callsA.length / (O.countS / period);
        r.capturesPerTickShim = capturesA / (O.countS / period);
      }
    }
    r.interventions = interventions(prog.id === "ours", logDir, child.outFile);
    if (r.interventions.count) console.log(`\n  WARNING: ${prog.name} acted on the fleet ${r.interventions.count}x (${r.interventions.sample.join(" | ")}); the comparison is off`);
    r.cpuMsPerTick = r.ticksInCpuWindow ? (r.cpuS / r.ticksInCpuWindow) * 1000 : undefined;
    r.serverCpuMsPerTick = r.ticksInCpuWindow ? (r.serverCpuS / r.ticksInCpuWindow) * 1000 : undefined;
    r.serverPctCore = (r.serverCpuS / wallS) * 100;
    r.totalCpuMsPerTick = r.ticksInCpuWindow ? ((r.cpuS + r.serverCpuS) / r.ticksInCpuWindow) * 1000 : undefined;
    r.totalPctCore = ((r.cpuS + r.serverCpuS) / wallS) * 100;
    return r;
  } finally {
    await world.stop(child);
    world.setTmuxMode("real");
  }
}

/** `status` wall time: alternate the programs so load noise hits both alike. */
export function measureStatus(ctx: Ctx, progs: Prog[], fleet: Fleet): Record<string, StatusResult> {
  const { world, O } = ctx;
  const config = path.join(fleet.dir, "agents-ours.toml");
  const times: Record<string, number[]> = Object.fromEntries(progs.map((p) => [p.id, []]));
  const argv = (p: Prog): [string, string[]] =>
    p.id === "ours" ? [ctx.cli, ["status", "--config", config]] : [ctx.py!, [p.script!, "status", "--config", config]];
  world.setTmuxMode("real");
  for (let i = 0; i < O.statusRuns + 1; i++) {
    for (const p of i % 2 ? [...progs].reverse() : progs) {
      const [cmd, args] = argv(p);
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { env: world.childEnv, cwd: fleet.dir, encoding: "utf8" });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${p.name} status failed (${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 400)}`);
      const running = (r.stdout.match(/running|RUNNING/g) ?? []).length;
      if (running < fleet.n) throw new Error(`${p.name} status shows ${running} running rows, expected ${fleet.n}`);
      if (i > 0) times[p.id]!.push(ms); // the first round warms the page cache
    }
  }
  const out: Record<string, StatusResult> = {};
  for (const p of progs) {
    const shimLog = path.join(world.root, `status-${p.id}-n${fleet.n}.tmux-calls`);
    world.setTmuxMode("shim");
    const [cmd, args] = argv(p);
    spawnSync(cmd, args, { env: { ...world.childEnv, AGENTS_BENCH_TMUX_LOG: shimLog }, cwd: fleet.dir });
    world.setTmuxMode("real");
    out[p.id] = { msMedian: median(times[p.id]!), runs: times[p.id]!.map((t) => +t.toFixed(1)), spawns: readShimLog(shimLog).length };
  }
  return out;
}

/** Latency one shim hop adds to a tmux call (to take it back out of the reference's tick time). */
export function shimLatency(world: BenchWorld): number {
  const shimLog = path.join(world.root, "calibrate.tmux-calls");
  const env = { ...world.childEnv, AGENTS_BENCH_TMUX_LOG: shimLog };
  const one = (bin: string) => {
    const t0 = process.hrtime.bigint();
    spawnSync(bin, ["display-message", "-p", "#{pid}"], { env });
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const shim: number[] = [];
  const real: number[] = [];
  for (let i = 0; i < 60; i++) {
    shim.push(one(world.shimScript));
    real.push(one(world.realTmux));
  }
  return Math.max(0, median(shim)! - median(real)!);
}
