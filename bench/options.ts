// Command-line options of `npm run bench` and the measuring windows they imply.

export const USAGE =
  "usage: npm run bench -- [--quick] [--n 50|10,50] [--rss-n N] [--long-ticks N] [--reference PATH] [--no-reference] [--keep]";

export interface Options {
  quick: boolean;
  /** Fleet sizes, in run order. */
  ns: number[];
  /** Fleet size of the long RSS run. */
  rssN: number;
  reference?: string;
  noReference: boolean;
  /** Keep the temp dir (configs, shim logs, watchdog output). */
  keep: boolean;
  warmupS: number;
  /** Window A: tmux spawns counted through the shim. */
  countS: number;
  /** Window B: CPU, no shim. */
  cpuS: number;
  statusRuns: number;
  /** Our ticks in the long run. */
  longTicks: number;
  /** Seconds of the reference's long run. */
  refLongS: number;
  /** signal_interval and heavy_interval of the measured runs; signal_interval of the long run. */
  signal: number;
  heavy: number;
  fastSignal: number;
}

/** The options, or "help" for -h/--help. Throws on a bad option. */
export function parseOptions(argv: string[]): Options | "help" {
  let quick = false;
  let ns: number[] | undefined;
  let rssN: number | undefined;
  let reference: string | undefined;
  let noReference = false;
  let keep = false;
  let longTicks: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") quick = true;
    else if (a === "--n" || a.startsWith("--n=")) ns = val().split(",").map((s) => Number(s.trim()));
    else if (a === "--rss-n" || a.startsWith("--rss-n=")) rssN = Number(val());
    else if (a === "--reference" || a.startsWith("--reference=")) reference = val();
    else if (a === "--no-reference") noReference = true;
    else if (a === "--keep") keep = true;
    else if (a === "--long-ticks" || a.startsWith("--long-ticks=")) longTicks = Number(val());
    else if (a === "-h" || a === "--help") return "help";
    else throw new Error(`unknown option ${a}`);
  }
  ns ??= quick ? [10, 50] : [10, 50, 100];
  if (ns.some((n) => !Number.isInteger(n) || n < 1 || n > 500)) throw new Error("--n takes integers 1..500");
  rssN ??= ns.includes(50) ? 50 : ns[ns.length - 1]!;
  const t = quick
    ? { warmupS: 2, countS: 8, cpuS: 10, statusRuns: 5, longTicks: 1000, refLongS: 20 }
    : { warmupS: 3, countS: 15, cpuS: 20, statusRuns: 7, longTicks: 2000, refLongS: 60 };
  if (longTicks !== undefined && (!Number.isInteger(longTicks) || longTicks < 100)) throw new Error("--long-ticks takes an integer >= 100");
  return { quick, ns, rssN, reference, noReference, keep, ...t, longTicks: longTicks ?? t.longTicks, signal: 1, heavy: 5, fastSignal: 0.05 };
}
