// `npm run bench`: this project's watchdog and `status` against the reference agents.py, side by
// side in one run, in a private tmux server: a quiet fleet, a busy fleet and reaction latencies
// (see bench/README.md for how each number is taken).
//
// main() owns everything the run creates: the temp dir and private tmux server (BenchWorld), the
// watchdog children and the signal handlers; all of it is undone in its finally, also on failure
// or Ctrl-C. Importing this module does nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runBusy, type BusyRun } from "./busy.js";
import { runLatency, type LatencyRuns } from "./latency.js";
import type { Ctx, Prog } from "./measure.js";
import { parseOptions, USAGE, type Options, type Scenario } from "./options.js";
import { which } from "./procfs.js";
import { runQuiet, type QuietRun } from "./quiet.js";
import { judgeGoals, printGoals, printTable, tableRows, type Goal, type Row } from "./report.js";
import { busyRows, judgeBusyGoals, printLatency } from "./report-busy.js";
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
  // --ours: another built checkout's watchdog (say, the last commit's) against the same bench.
  const oursRoot = O.ours ? path.resolve(O.ours) : repo;
  const entry = path.join(oursRoot, "dist", "entry.js");
  if (process.platform !== "linux" || !existsSync("/proc/self/stat")) throw new Error("the bench reads /proc: Linux only");
  const realTmux = which("tmux", process.env.PATH);
  if (!realTmux) throw new Error("tmux not found on PATH");
  if (!existsSync(entry)) throw new Error(`${path.join(oursRoot, "dist")} is missing: run \`npm run build\` there (npm run bench does it here)`);

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
      cli: path.join(oursRoot, "bin", "agents"),
      entry,
      clkTck: Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100,
    };
    await run(ctx, repo, oursRoot);
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

async function run(ctx: Ctx, repo: string, oursRoot: string): Promise<void> {
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
    ours: oursRoot,
    reference: progs.find((p) => p.id === "ref")?.script,
    windows: windows(O),
    notes,
  };
  const t0 = Date.now();
  const has = (x: Scenario) => O.scenarios.includes(x);
  const B = O.busy;
  const estS =
    (has("quiet") ? O.ns.length * progs.length * (O.warmupS + O.countS + O.cpuS + 5) + O.longTicks * O.fastSignal * 1.3 + (progs.length > 1 ? O.refLongS : 0) + 30 : 0) +
    (has("busy") ? O.busyNs.length * (progs.length * (B.warmupS + B.countS + B.cpuS + 8) + O.busyBaseS + 6) : 0) +
    (has("latency") ? progs.length * (O.latencyCapS + 10) : 0);
  console.log(
    `bench: ${O.scenarios.map((x) => (x === "quiet" ? `quiet N = ${O.ns.join(", ")}` : x === "busy" ? `busy N = ${O.busyNs.join(", ")}` : "latency")).join("; ")}; ${progs.map((p) => p.name).join(" vs ")}; at most about ${Math.round(estS / 60)} min. Private tmux dir ${world.tmuxDir}`,
  );

  let quiet: QuietRun | undefined;
  let busy: BusyRun | undefined;
  let latency: LatencyRuns | undefined;
  const needPy = has("busy") || has("latency");
  if (needPy && !ctx.py) notes.push("busy and latency scenarios skipped: they need python3 for the fake agents");
  if (has("quiet")) {
    console.log("quiet fleet:");
    quiet = await runQuiet(ctx, progs, notes);
    meta.shimLatencyMs = +(quiet.shimLatencyS * 1000).toFixed(2);
  }
  if (has("busy") && ctx.py) {
    console.log("busy fleet:");
    busy = await runBusy(ctx, progs, notes);
    if (busy.shimLatencyS !== undefined) meta.shimLatencyMs ??= +(busy.shimLatencyS * 1000).toFixed(2);
  }
  if (has("latency") && ctx.py) {
    console.log("latency:");
    latency = await runLatency(ctx, progs, notes);
  }
  const loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
  meta.loadavgEnd = loadavgEnd;
  meta.elapsedS = Math.round((Date.now() - t0) / 1000);

  let rows: Row[] | undefined;
  let goals: Goal[] | undefined;
  if (quiet) {
    rows = tableRows(O, quiet.results, quiet.long);
    console.log("\nquiet fleet:");
    printTable(rows);
    if (quiet.long?.ours?.rssByTick) console.log(`\nlong run, ours: RSS MB by tick: ${quiet.long.ours.rssByTick.map(([t, mb]) => `${t}:${mb}`).join(" ")}`);
    goals = judgeGoals(O, quiet.results, quiet.long);
    printGoals(goals);
  }
  let busyTable: Row[] | undefined;
  if (busy) {
    busyTable = busyRows(O, busy);
    console.log("\nbusy fleet:");
    printTable(busyTable);
  }
  if (latency) printLatency(O, latency);
  const goals13 = judgeBusyGoals(O, busy, quiet?.results, latency);
  if (goals13.length) printGoals(goals13, "issue 13");
  console.log(`\nload average ${(meta.loadavgStart as number[]).join(" ")} -> ${loadavgEnd.join(" ")} on ${meta.cpus} CPUs; shim latency ${meta.shimLatencyMs ?? "-"} ms/call; ${meta.elapsedS} s`);
  for (const n of notes) console.log(`note: ${n}`);

  const outDir = path.join(repo, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  const json = {
    meta,
    results: quiet?.results,
    long: quiet?.long,
    goals,
    table: rows,
    busy: busy && { results: busy.results, table: busyTable },
    latency,
    goals13,
  };
  writeFileSync(path.join(outDir, "latest.json"), JSON.stringify(json, null, 2) + "\n");
  console.log(`results: ${path.relative(process.cwd(), path.join(outDir, "latest.json"))}`);
}

function windows(O: Options): Record<string, unknown> {
  return {
    scenarios: O.scenarios,
    busyNs: O.busyNs,
    busy: O.busy,
    busyBaseS: O.busyBaseS,
    latencyCapS: O.latencyCapS,
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
