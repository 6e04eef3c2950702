// The busy-fleet scenario (issue 13): N agents whose panes change all the time, half of them with
// a spinner in the pane title, supervised by each program in turn at signal_interval = 1. The
// tmux server's CPU is measured alone first (no watchdog), so what each watchdog adds to it shows.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { agentName, configHead, startFleet, type Fleet } from "./fleet.js";
import { measureWatchdog, shimLatency, type Ctx, type Prog, type WatchdogResult } from "./measure.js";
import { cpuSelfSeconds, sleep, uptime } from "./procfs.js";
import { fmt, type Results } from "./report.js";

/** Odd agents spin their title and print every 0.5 s; even ones print every 2-5 s. */
export const busyKind = (i: number): "spin" | "stream" => (i % 2 ? "spin" : "stream");

// Claude Code's title rule (src/detect/patterns.ts): any glyph but its idle ✳ before the text.
const TITLE_ACTIVE_RE = `^\\s*[^\\s\\w✳.,;:'"()\\[\\]{}<>=/\\\\|-]\\s+\\S`;

/** A TOML basic string. */
const tomlStr = (s: string): string => JSON.stringify(s);

/** The fake agent (bench/agent.py), copied into the run's temp dir so a checkout path never reaches a command line. */
export function installAgent(root: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const src = path.basename(here) === "dist" ? path.join(here, "..", "agent.py") : path.join(here, "agent.py");
  const dst = path.join(root, "agent.py");
  copyFileSync(src, dst);
  return dst;
}

/** The agent's command line: exec'd, so the pane's program is python3 itself. */
export const agentCmd = (py: string, script: string, kind: string, session: string): string => `exec ${py} ${script} ${kind} ${session}`;

/** One backend per agent kind, read alike by this CLI and by agents.py (which ignores the title rule). */
export function backendToml(name: string, py: string, script: string, kind: string, extra: string[] = []): string[] {
  return [
    `[backend.${name}]`,
    `bin = ${tomlStr(agentCmd(py, script, kind, "{session}"))}`,
    'prompt_delivery = "exec"',
    `active_re = ${tomlStr("working\\.\\.\\.")}`,
    ...(kind === "stream" ? [] : [`title_active_re = ${tomlStr(TITLE_ACTIVE_RE)}`]),
    ...extra,
    "stall_idle = 1000000",
    "",
  ];
}

export function writeBusyConfig(
  dir: string,
  file: string,
  o: { n: number; prefix: string; logDir: string; signal: number; heavy: number; py: string; script: string },
): string {
  const lines = [
    ...configHead("bench/busy.ts): N busy agents", o, ['model = "busy-1"']),
    ...backendToml("spin", o.py, o.script, "spin"),
    ...backendToml("stream", o.py, o.script, "stream"),
  ];
  for (let i = 1; i <= o.n; i++) lines.push("[[agent]]", `name = "${agentName(i)}"`, `backend = "${busyKind(i)}"`, 'kind = "persistent"', "");
  writeFileSync(path.join(dir, file), lines.join("\n"));
  return path.join(dir, file);
}

export interface BusyRun {
  results: Results;
  shimLatencyS?: number;
}

/**
 * The busy scenario over O.busyNs. Each program gets a fresh fleet whose panes are piped to its
 * own log_dir, as both start their agents (our watchdog watches those logs); the tmux server is
 * measured alone on it first, then the watchdog runs as in the quiet scenario (measureWatchdog).
 */
export async function runBusy(ctx: Ctx, progs: Prog[], notes: string[]): Promise<BusyRun> {
  const { world, O } = ctx;
  const py = ctx.py!;
  const script = installAgent(world.root);
  const out: BusyRun = { results: {} };
  for (const [idx, n] of O.busyNs.entries()) {
    const prefix = `bb${n}-`;
    const dir = path.join(world.root, `busy-${n}`);
    const atN: Results[number] = (out.results[n] = {});
    // Alternate who goes first so a burst of load elsewhere does not always land on one side.
    const order = idx % 2 ? [...progs].reverse() : progs;
    for (const p of order) {
      const logDir = path.join(dir, `.state-${p.id}`);
      mkdirSync(logDir, { recursive: true });
      const serverPid = startFleet(world, dir, n, prefix, (s, i) => agentCmd(py, script, busyKind(i), s), undefined, (s) => path.join(logDir, `${s}.log`));
      const fleet: Fleet = {
        n,
        prefix,
        dir,
        serverPid,
        writeConfig: (file, c) => writeBusyConfig(dir, file, { n, prefix, ...c, py, script }),
      };
      out.shimLatencyS ??= shimLatency(world);
      // The agents start at random phases within 5 s; then the server alone.
      await sleep(5000);
      const s0 = cpuSelfSeconds(serverPid, ctx.clkTck);
      const u0 = uptime();
      await sleep(O.busyBaseS * 1000);
      const s1 = cpuSelfSeconds(serverPid, ctx.clkTck);
      const alone = s0 !== undefined && s1 !== undefined ? ((s1 - s0) / (uptime() - u0)) * 100 : undefined;
      process.stdout.write(`  busy N=${n}: server alone ${fmt(alone, 2)}% of a core; ${p.name} watchdog ... `);
      let r: WatchdogResult | undefined;
      for (let attempt = 1; attempt <= 2 && !r; attempt++) {
        try {
          r = await measureWatchdog(ctx, p, fleet, out.shimLatencyS, O.busy);
        } catch (err) {
          if (p.id !== "ref") throw err;
          const first = String((err as Error).message).split("\n");
          const why = `${first[0]} ... ${first[first.length - 1]}`;
          notes.push(`busy N=${n}: reference watchdog attempt ${attempt} failed: ${why}`);
          console.log(`\n  reference failed (attempt ${attempt}): ${why}`);
        }
      }
      world.killServer();
      await sleep(300);
      if (!r) continue;
      r.serverAlonePctCore = alone;
      atN[p.id] = r;
      console.log(
        `${fmt(r.cpuMsPerTick)} + server ${fmt(r.serverCpuMsPerTick)} ms CPU/tick, ${fmt(r.spawnsPerTickAll)} tmux/tick, ${fmt(r.capturesPerTickShim)} captures/tick, tick ${fmt(r.tickMsMedian)} ms`,
      );
    }
  }
  return out;
}
