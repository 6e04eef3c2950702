// `npm run bench`: this project's watchdog and `status` against the reference agents.py, side by
// side in one run, on N quiet fake agents in a private tmux server. See bench/README.md for how
// each number is taken.
//
// main() owns everything the run creates: the temp dir and private tmux server (BenchWorld), the
// watchdog children and the signal handlers; all of it is undone in its finally, also on failure
// or Ctrl-C. Importing this module does nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Fleet } from "./fleet.js";
import { startFleet } from "./fleet.js";
import { measureLongRun } from "./longrun.js";
import { measureStatus, measureWatchdog, shimLatency, type Ctx, type Prog, type WatchdogResult } from "./measure.js";
import { parseOptions, USAGE, type Options } from "./options.js";
import { sleep, which } from "./procfs.js";
import { fmt, judgeGoals, printGoals, printTable, tableRows, type LongRuns, type Results } from "./report.js";
import { BenchWorld } from "./world.js";

/** The checkout: this file runs from bench/dist/ (compiled) or bench/ (source). */
function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.basename(here) === "dist" ? path.resolve(here, "..", "..") : path.resolve(here, "..");
}

/** Runs the bench; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const O = parseOptions(argv);
  if (O === "help") {
    console.log(USAGE);
    return 0;
  }
  const repo = repoRoot();
  const entry = path.join(repo, "dist", "entry.js");
  if (process.platform !== "linux" || !existsSync("/proc/self/stat")) throw new Error("the bench reads /proc: Linux only");
  const realTmux = which("tmux", process.env.PATH);
  if (!realTmux) throw new Error("tmux not found on PATH");
  if (!existsSync(entry)) throw new Error("dist/ is missing: run `npm run build` (npm run bench does)");

  const world = BenchWorld.create(realTmux);
  const onExit = () => world.close(O.keep);
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`\n${sig}: stopping watchdogs and the private tmux server`);
    world.close(O.keep);
    process.exit(130);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  process.on("exit", onExit);
  for (const sig of signals) process.on(sig, onSignal);
  try {
    const ctx: Ctx = {
      world,
      O,
      cli: path.join(repo, "bin", "agents"),
      entry,
      clkTck: Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100,
    };
    await run(ctx, repo);
    return 0;
  } finally {
    process.off("exit", onExit);
    for (const sig of signals) process.off(sig, onSignal);
    world.close(O.keep);
  }
}

/** Which programs run: ours always, the reference when python3 >= 3.11 and agents.py are there. */
function programs(ctx: Ctx, repo: string, notes: string[]): Prog[] {
  const O = ctx.O;
  const progs: Prog[] = [{ id: "ours", name: "agents (this)" }];
  const refPath = path.resolve(O.reference ?? process.env.AGENTS_REFERENCE ?? path.join(repo, "..", "shared", "reference", "agents.py"));
  let py = which("python3", process.env.PATH);
  if (O.noReference) notes.push("reference skipped (--no-reference)");
  else if (!py) notes.push("reference skipped: python3 not found");
  else if (!existsSync(refPath)) notes.push(`reference skipped: ${refPath} not found (pass --reference PATH)`);
  else if (spawnSync(py, ["-c", "import tomllib"]).status !== 0) notes.push("reference skipped: python3 has no tomllib (needs 3.11+)");
  else {
    // The interpreter itself, not a launcher in front of it: a pyenv shim on PATH is a bash script
    // that adds ~70 ms to every reference start, which would flatter our `status` ratio.
    const exe = spawnSync(py, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim();
    if (exe && exe !== py && existsSync(exe)) {
      notes.push(`reference runs with ${exe} (python3 on PATH, ${py}, resolves to it)`);
      py = exe;
    }
    progs.push({ id: "ref", name: "agents.py (reference)", script: refPath });
  }
  ctx.py = py;
  return progs;
}

async function run(ctx: Ctx, repo: string): Promise<void> {
  const { world, O } = ctx;
  const notes: string[] = [];
  const progs = programs(ctx, repo, notes);
  for (const n of notes) console.log(`note: ${n}`);

  const meta: Record<string, unknown> = {
    date: new Date().toISOString(),
    quick: O.quick,
    node: process.version,
    python: ctx.py ? spawnSync(ctx.py, ["--version"], { encoding: "utf8" }).stdout.trim() : undefined,
    tmux: spawnSync(world.realTmux, ["-V"], { encoding: "utf8" }).stdout.trim(),
    cpus: os.cpus().length,
    loadavgStart: os.loadavg().map((x) => +x.toFixed(2)),
    commit: spawnSync("git", ["-C", repo, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim() || undefined,
    reference: progs.find((p) => p.id === "ref")?.script,
    windows: windows(O),
    notes,
  };
  const t0 = Date.now();
  const estS = O.ns.length * progs.length * (O.warmupS + O.countS + O.cpuS + 5) + O.longTicks * O.fastSignal * 1.3 + (progs.length > 1 ? O.refLongS : 0) + 30;
  console.log(`bench: N = ${O.ns.join(", ")}; ${progs.map((p) => p.name).join(" vs ")}; about ${Math.round(estS / 60)} min. Private tmux dir ${world.tmuxDir}`);

  const results: Results = {};
  let long: LongRuns | undefined;
  let shimLatencyS = 0;
  for (const [idx, n] of O.ns.entries()) {
    const prefix = `bn${n}-`;
    const dir = path.join(world.root, `fleet-${n}`);
    mkdirSync(dir, { recursive: true });
    const fleet: Fleet = { n, prefix, dir, serverPid: startFleet(world, dir, n, prefix) };
    if (idx === 0) {
      shimLatencyS = shimLatency(world);
      meta.shimLatencyMs = +(shimLatencyS * 1000).toFixed(2);
    }
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
  const loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
  meta.loadavgEnd = loadavgEnd;
  meta.elapsedS = Math.round((Date.now() - t0) / 1000);

  const rows = tableRows(O, results, long);
  console.log("");
  printTable(rows);
  if (long?.ours?.rssByTick) console.log(`\nlong run, ours: RSS MB by tick: ${long.ours.rssByTick.map(([t, mb]) => `${t}:${mb}`).join(" ")}`);
  const goals = judgeGoals(O, results, long);
  printGoals(goals);
  console.log(`\nload average ${(meta.loadavgStart as number[]).join(" ")} -> ${loadavgEnd.join(" ")} on ${meta.cpus} CPUs; shim latency ${meta.shimLatencyMs} ms/call; ${meta.elapsedS} s`);
  for (const n of notes) console.log(`note: ${n}`);

  const outDir = path.join(repo, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "latest.json"), JSON.stringify({ meta, results, long, goals, table: rows }, null, 2) + "\n");
  console.log(`results: ${path.relative(process.cwd(), path.join(outDir, "latest.json"))}`);
}

function windows(O: Options): Record<string, number> {
  return {
    warmupS: O.warmupS,
    countS: O.countS,
    cpuS: O.cpuS,
    signal: O.signal,
    heavy: O.heavy,
    statusRuns: O.statusRuns,
    longTicks: O.longTicks,
    refLongS: O.refLongS,
    fastSignal: O.fastSignal,
  };
}
