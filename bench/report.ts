// What the bench prints: the table (metric × N: ours, reference, ours/reference) and the goals of
// issue 5, judged from one run's results.
import type { LongRunResult } from "./longrun.js";
import type { WatchdogResult } from "./measure.js";
import type { Options } from "./options.js";

/** One program's results at one N (the reference's may hold only `status` if its watchdog failed). */
export type ProgResult = Partial<WatchdogResult>;
export type Results = Record<number, { ours?: ProgResult; ref?: ProgResult }>;
export interface LongRuns {
  n: number;
  ours?: LongRunResult;
  ref?: LongRunResult;
}
export type Row = [string, number, string, string, string];
export interface Goal {
  goal: string;
  pass: boolean | undefined;
  detail: string;
}

export function fmt(v: number | string | undefined | null, digits = 1): string {
  if (v === undefined || v === null || (typeof v === "number" && Number.isNaN(v))) return "-";
  if (typeof v === "string") return v;
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toFixed(digits);
}

export function ratio(a: number | undefined | null, b: number | undefined | null): string {
  if (a === undefined || b === undefined || b === 0 || a === null || b === null) return "-";
  const r = a / b;
  return r < 1 && r > 0 ? `${r.toFixed(3)} (1/${(1 / r).toFixed(r < 0.1 ? 0 : 1)})` : r.toFixed(2);
}

export function tableRows(O: Options, results: Results, long: LongRuns | undefined): Row[] {
  const rows: Row[] = [];
  const add = (label: string, get: (r: ProgResult) => number | undefined, digits = 1) => {
    for (const n of O.ns) {
      const ref = results[n]!.ref;
      const o = get(results[n]!.ours ?? {});
      const r = ref ? get(ref) : undefined;
      rows.push([label, n, fmt(o, digits), ref ? fmt(r, digits) : "skipped", ratio(o, r)]);
    }
  };
  add("watchdog CPU ms per tick", (r) => r.cpuMsPerTick, 2);
  add("watchdog CPU % of one core", (r) => r.cpuPctCore, 2);
  add("tmux spawns per tick (mean)", (r) => r.spawnsPerTick, 2);
  add("tmux spawns per tick (median)", (r) => r.spawnsPerTickMedian, 0);
  add("tmux spawns per tick (max)", (r) => r.spawnsPerTickMax, 0);
  add("pane captures per tick (ours, mean)", (r) => r.capturesPerTick, 2);
  add("tick wall ms (median)", (r) => r.tickMsMedian, 1);
  add("tmux server CPU ms per tick", (r) => r.serverCpuMsPerTick, 2);
  add("status wall ms (median)", (r) => r.status?.msMedian, 0);
  add("status tmux spawns", (r) => r.status?.spawns, 0);
  add("watchdog RSS MB (end of CPU window)", (r) => r.rssMB, 1);
  add("restarts/kills/pings done (must be 0)", (r) => r.interventions?.count, 0);
  if (long) {
    const L = (id: "ours" | "ref", k: "ticks" | "rssWarmMB" | "rssEndMB" | "rssMaxAfterWarmMB") => long[id]?.[k];
    const hasRef = !!long.ref;
    rows.push([`long run: ticks`, long.n, fmt(L("ours", "ticks"), 0), hasRef ? fmt(L("ref", "ticks"), 0) : "skipped", "-"]);
    rows.push([`long run: RSS MB after warm-up`, long.n, fmt(L("ours", "rssWarmMB")), hasRef ? fmt(L("ref", "rssWarmMB")) : "skipped", ratio(L("ours", "rssWarmMB"), L("ref", "rssWarmMB"))]);
    rows.push([`long run: RSS MB at end`, long.n, fmt(L("ours", "rssEndMB")), hasRef ? fmt(L("ref", "rssEndMB")) : "skipped", ratio(L("ours", "rssEndMB"), L("ref", "rssEndMB"))]);
    const heap = long.ours?.liveHeapAfterMajorGcMB ?? [];
    rows.push([`long run: live heap MB after major GCs (ours)`, long.n, heap.length ? `${Math.min(...heap)}..${Math.max(...heap)}` : "-", "-", "-"]);
    rows.push([`long run: RSS MB max after warm-up`, long.n, fmt(L("ours", "rssMaxAfterWarmMB")), hasRef ? fmt(L("ref", "rssMaxAfterWarmMB")) : "skipped", "-"]);
  }
  return rows;
}

export function printTable(rows: Row[]): void {
  const head = ["metric", "N", "ours", "reference", "ours/ref"];
  const all: Array<Array<string | number>> = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r: Array<string | number>) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]!) : String(c).padStart(w[i]!))).join("  ");
  console.log(line(head));
  console.log(w.map((x) => "-".repeat(x)).join("  "));
  let prev: string | undefined;
  for (const r of rows) {
    if (prev !== undefined && prev !== r[0]) console.log("");
    console.log(line(r));
    prev = r[0];
  }
}

/** The goals of issue 5. */
export function judgeGoals(O: Options, results: Results, long: LongRuns | undefined): Goal[] {
  const goals: Goal[] = [];
  const g = (goal: string, pass: boolean | undefined, detail: string) => goals.push({ goal, pass, detail });
  const r50 = results[50];
  if (r50?.ref && r50.ours) {
    const ours = r50.ours;
    const ref = r50.ref;
    const c = ours.cpuMsPerTick! / ref.cpuMsPerTick!;
    const cs = ours.cpuPctCore! / ref.cpuPctCore!;
    g("watchdog CPU at N=50 <= 1/10 of the reference", c <= 0.1 && cs <= 0.1, `per tick ${ratio(ours.cpuMsPerTick, ref.cpuMsPerTick)}, per second ${ratio(ours.cpuPctCore, ref.cpuPctCore)}`);
    const so = ours.status?.msMedian;
    const sr = ref.status?.msMedian;
    g("status at N=50 <= 1/3 of the reference's wall time", so! / sr! <= 1 / 3, `${fmt(so, 0)} ms vs ${fmt(sr, 0)} ms: ${ratio(so, sr)}`);
  } else g("N=50 comparisons", undefined, "need N=50 and the reference in the run");
  const spawnOk = O.ns.every((n) => {
    const o = results[n]!.ours ?? {};
    return o.spawnsPerTick! <= 2 + (o.capturesPerTick ?? 0) + 0.05;
  });
  g(
    "tmux spawns per tick independent of N (<= 2 + captures)",
    spawnOk,
    O.ns.map((n) => `N=${n}: ${fmt(results[n]!.ours?.spawnsPerTick, 2)} spawns, ${fmt(results[n]!.ours?.capturesPerTick, 2)} captures`).join("; "),
  );
  if (long?.ours) {
    // Two signals, both must hold: RSS (what the user sees) and the live heap after each major GC
    // past warm-up (a leak grows it, whatever the allocator does with freed pages).
    const L = long.ours;
    const rssOk = L.rssEndMB! - L.rssWarmMB! <= Math.max(3, 0.1 * L.rssWarmMB!);
    const heap = L.liveHeapAfterWarmMB ?? [];
    const heapOk = heap.length < 2 ? undefined : heap[heap.length - 1]! - heap[0]! <= Math.max(1, 0.1 * heap[0]!);
    const heapText =
      heap.length < 2
        ? `fewer than 2 major GCs after warm-up (longer run: --long-ticks)`
        : `live heap after major GCs ${heap[0]} -> ${heap[heap.length - 1]} MB over ${heap.length} GCs`;
    g(
      "RSS flat over the long run",
      rssOk && heapOk !== false,
      `${fmt(L.rssWarmMB)} MB at tick ${L.rssWarmTick} -> ${fmt(L.rssEndMB)} MB at tick ${L.ticks} (max ${fmt(L.rssMaxAfterWarmMB)}); ${heapText}`,
    );
  }
  return goals;
}

export function printGoals(goals: Goal[], title = "issue 5"): void {
  console.log(`\ngoals (${title}):`);
  for (const x of goals) console.log(`  ${x.pass === undefined ? "n/a " : x.pass ? "PASS" : "MISS"}  ${x.goal}: ${x.detail}`);
}
