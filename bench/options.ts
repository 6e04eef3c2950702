// Command-line options of `npm run bench` and the measuring windows they imply.

export const USAGE = `usage: npm run bench -- [--quick] [--quiet] [--busy] [--latency] [--scenario quiet,busy,latency]
                          [--n 50|10,50] [--rss-n N] [--long-ticks N] [--reference PATH] [--no-reference]
                          [--ours DIR] [--keep]
  scenarios (default: all three): quiet = N agents whose panes never change (plus status and the long
  RSS run); busy = N agents whose panes change all the time; latency = reaction time to a limit
  banner, a fatal line and a pane death with signal_interval = 30. --ours DIR measures the
  watchdog of another built checkout (its bin/agents and dist/) instead of this one's`;

export const SCENARIOS = ["quiet", "busy", "latency"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Measuring windows of one watchdog run (seconds). */
export interface Windows {
  warmupS: number;
  /** Window A: tmux spawns counted through the shim. */
  countS: number;
  /** Window B: CPU, no shim. */
  cpuS: number;
  /** A pause longer than this × signal_interval between tmux calls ends a tick (default 0.4). */
  burstGap?: number;
}

export interface Options {
  quick: boolean;
  /** Which scenarios run, in this order: quiet, busy, latency. */
  scenarios: Scenario[];
  /** Fleet sizes, in run order. */
  ns: number[];
  /** Fleet sizes of the busy scenario (10, 50, 100 also with --quick, unless --n). */
  busyNs: number[];
  /** The busy scenario's windows (the quiet one's are below). */
  busy: Windows;
  /** Seconds the busy fleet's tmux server is measured alone, with no watchdog. */
  busyBaseS: number;
  /** Latency scenario: the most a reaction is waited for after its trigger. */
  latencyCapS: number;
  /** Fleet size of the long RSS run. */
  rssN: number;
  reference?: string;
  noReference: boolean;
  /** A built checkout whose bin/agents and dist/ are measured as "ours" (default: this one). */
  ours?: string;
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
  let ours: string | undefined;
  let noReference = false;
  let keep = false;
  let longTicks: number | undefined;
  const picked = new Set<Scenario>();
  const pick = (list: string) => {
    for (const x of list.split(",").map((t) => t.trim())) {
      if (!(SCENARIOS as readonly string[]).includes(x)) throw new Error(`unknown scenario ${x} (${SCENARIOS.join(", ")})`);
      picked.add(x as Scenario);
    }
  };
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
    else if (a === "--ours" || a.startsWith("--ours=")) ours = val();
    else if (a === "--keep") keep = true;
    else if (a === "--quiet" || a === "--busy" || a === "--latency") pick(a.slice(2));
    else if (a === "--scenario" || a.startsWith("--scenario=")) pick(val());
    else if (a === "--long-ticks" || a.startsWith("--long-ticks=")) longTicks = Number(val());
    else if (a === "-h" || a === "--help") return "help";
    else throw new Error(`unknown option ${a}`);
  }
  const busyNs = ns ?? [10, 50, 100];
  ns ??= quick ? [10, 50] : [10, 50, 100];
  if ([...ns, ...busyNs].some((n) => !Number.isInteger(n) || n < 1 || n > 500)) throw new Error("--n takes integers 1..500");
  rssN ??= ns.includes(50) ? 50 : ns[ns.length - 1]!;
  const t = quick
    ? { warmupS: 2, countS: 8, cpuS: 10, statusRuns: 5, longTicks: 1000, refLongS: 20 }
    : { warmupS: 3, countS: 15, cpuS: 20, statusRuns: 7, longTicks: 2000, refLongS: 60 };
  if (longTicks !== undefined && (!Number.isInteger(longTicks) || longTicks < 100)) throw new Error("--long-ticks takes an integer >= 100");
  const scenarios = SCENARIOS.filter((x) => picked.size === 0 || picked.has(x));
  // The reference sleeps exactly signal_interval between ticks, and on a loaded machine one of its
  // busy ticks can pause for ~0.4 s between two calls; ours keeps a 1 s start-to-start cadence, so
  // a 0.3 s busy tick leaves only 0.7 s between its bursts.
  const busy: Windows = quick ? { warmupS: 2, countS: 12, cpuS: 10, burstGap: 0.5 } : { warmupS: 3, countS: 20, cpuS: 20, burstGap: 0.5 };
  return {
    quick,
    scenarios,
    ns,
    busyNs,
    busy,
    busyBaseS: quick ? 5 : 10,
    latencyCapS: 60,
    rssN,
    reference,
    ours,
    noReference,
    keep,
    ...t,
    longTicks: longTicks ?? t.longTicks,
    signal: 1,
    heavy: 5,
    fastSignal: 0.05,
  };
}
