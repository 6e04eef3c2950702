// The latency scenario (issue 13): how long after a usage-limit banner, a fatal line and a pane
// death each watchdog acts, with signal_interval = 30 and the default heavy_interval. Three busy
// fake agents (bench/agent.py `lat`), one per trigger, all triggered at once; each program gets a
// fresh private server and fleet, one after the other.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { agentCmd, backendToml, installAgent } from "./busy.js";
import { readEvents, startFleet } from "./fleet.js";
import { assertAlive, spawnWatchdog, type Ctx, type Prog } from "./measure.js";
import { sleep } from "./procfs.js";
import type { Child } from "./world.js";

export type Trigger = "limit" | "fatal" | "death";
export const TRIGGERS: readonly Trigger[] = ["limit", "fatal", "death"];

/** What the agent is told (its trigger file's content). */
const TRIGGER_WORD: Record<Trigger, string> = { limit: "limit", fatal: "fatal", death: "exit" };

/** The reaction each trigger is waited for: ours as event actions, the reference as its log lines. */
const OURS_ACTIONS: Record<Trigger, RegExp> = {
  limit: /^(limit-hold|account-hold)$/,
  fatal: /^(killed|restarted)$/,
  death: /^(killed|restarted|started)$/,
};
const REF_LINES = (prefix: string): Record<Trigger, RegExp> => ({
  limit: /limit hit on limit\b/,
  fatal: /FATAL session-state error on fatal\b/,
  death: new RegExp(`death \\(${prefix}death\\) gone`),
});

export interface LatencyResult {
  trigger: Trigger;
  /** Epoch ms the agent repainted its screen (or exited). */
  firedAt?: number;
  /** Epoch ms of the reaction: ours its event's time, the reference the moment its line was seen (100 ms polls). */
  reactedAt?: number;
  latencyMs?: number;
  /** The event (ours) or log line (reference) that counted. */
  reaction?: string;
  /** Why there is no latency (not fired, or nothing within the cap). */
  note?: string;
}

export type LatencyRuns = Partial<Record<Prog["id"], LatencyResult[]>>;

function writeLatencyConfig(dir: string, prefix: string, logDir: string, py: string, script: string): string {
  const lines = [
    "# Written by the bench (bench/latency.ts): signal_interval = 30, heavy_interval left at its default.",
    "[defaults]",
    `session_prefix = "${prefix}"`,
    `log_dir = "${logDir}"`,
    'backend = "lat"',
    'model = "lat-1"',
    'watch = "heal+stall"',
    "",
    "[watchdog]",
    "signal_interval = 30",
    "",
    ...backendToml("lat", py, script, "lat", [
      `limit_re = ${JSON.stringify("usage limit|limit reached|hit your .*limit")}`,
      `fatal_re = ${JSON.stringify("Invalid API key|Please run /login|API Error: Repeated 529")}`,
    ]),
  ];
  // One account each: a limit holds its whole account, and a held agent is not healed.
  for (const t of TRIGGERS) lines.push("[[agent]]", `name = "${t}"`, 'kind = "persistent"', `account = "${t}"`, "");
  const file = path.join(dir, "agents.toml");
  writeFileSync(file, lines.join("\n"));
  return file;
}

const readFired = (dir: string, session: string): number | undefined => {
  const f = path.join(dir, `${session}.fired`);
  return existsSync(f) ? Number(readFileSync(f, "utf8").trim()) || undefined : undefined;
};

/** Our watchdog's first tick, or the reference's start line: it is watching. */
function started(prog: Prog, logDir: string, child: Child): boolean {
  if (prog.id === "ours") return readEvents(logDir).some((e) => e.action === "tick" || e.action === "watchdog-up");
  try {
    return readFileSync(child.outFile, "utf8").includes("watchdog up");
  } catch {
    return false;
  }
}

async function measureOne(ctx: Ctx, prog: Prog, script: string): Promise<LatencyResult[]> {
  const { world, O } = ctx;
  const py = ctx.py!;
  const prefix = "bl-";
  const dir = path.join(world.root, `latency-${prog.id}`);
  mkdirSync(dir, { recursive: true });
  const logDir = path.join(dir, ".state");
  const config = writeLatencyConfig(dir, prefix, ".state", py, script);
  mkdirSync(logDir, { recursive: true });
  startFleet(world, dir, TRIGGERS.length, prefix, (s) => agentCmd(py, script, "lat", s), [...TRIGGERS], (s) => path.join(logDir, `${s}.log`));
  world.setTmuxMode("real");
  const env = { ...world.childEnv, ...(prog.id === "ours" ? { AGENTS_TICK_EVENTS: "1" } : {}) };
  const child = spawnWatchdog(ctx, prog, config, env, path.join(world.root, `latency-${prog.id}.out`));
  const out: LatencyResult[] = TRIGGERS.map((trigger) => ({ trigger }));
  try {
    const end0 = Date.now() + 60_000;
    while (!started(prog, logDir, child)) {
      assertAlive(child, `${prog.name} (latency)`);
      if (Date.now() > end0) throw new Error(`${prog.name} (latency): no first tick within 60 s`);
      await sleep(100);
    }
    // Past the start-up tick (a heavy one for both programs), then all three at once.
    await sleep(3000);
    for (const t of TRIGGERS) writeFileSync(path.join(dir, `${prefix}${t}.trigger`), `${TRIGGER_WORD[t]}\n`);
    const t0 = Date.now();
    const refRe = REF_LINES(prefix);
    while (Date.now() - t0 < O.latencyCapS * 1000 + 2000 && out.some((r) => r.reactedAt === undefined)) {
      await sleep(100);
      const now = Date.now();
      const events = prog.id === "ours" ? readEvents(logDir) : [];
      const refOut = prog.id === "ref" && existsSync(child.outFile) ? readFileSync(child.outFile, "utf8").split("\n") : [];
      for (const r of out) {
        r.firedAt ??= readFired(dir, `${prefix}${r.trigger}`);
        if (r.firedAt === undefined || r.reactedAt !== undefined) continue;
        if (prog.id === "ours") {
          const e = events.find((x) => x.agent === r.trigger && OURS_ACTIONS[r.trigger].test(x.action ?? "") && Date.parse(x.time ?? "") >= r.firedAt!);
          if (e) [r.reactedAt, r.reaction] = [Date.parse(e.time!), `${e.action}: ${e.reason ?? ""}`];
        } else {
          const line = refOut.find((l) => refRe[r.trigger].test(l));
          if (line) [r.reactedAt, r.reaction] = [now, line.trim()];
        }
      }
    }
    for (const r of out) {
      if (r.firedAt === undefined) r.note = "the agent never fired its trigger";
      else if (r.reactedAt === undefined) r.note = `no reaction within ${O.latencyCapS} s`;
      else {
        r.latencyMs = r.reactedAt - r.firedAt;
        if (r.latencyMs > O.latencyCapS * 1000) [r.note, r.latencyMs] = [`no reaction within ${O.latencyCapS} s`, undefined];
      }
    }
    return out;
  } finally {
    await world.stop(child);
    world.killServer();
  }
}

/** Each program in turn (a failure of the reference is noted, not fatal). */
export async function runLatency(ctx: Ctx, progs: Prog[], notes: string[]): Promise<LatencyRuns> {
  const script = installAgent(ctx.world.root);
  const runs: LatencyRuns = {};
  for (const p of progs) {
    process.stdout.write(`  latency: ${p.name} (signal_interval 30, cap ${ctx.O.latencyCapS} s) ... `);
    try {
      runs[p.id] = await measureOne(ctx, p, script);
      console.log(runs[p.id]!.map((r) => `${r.trigger} ${latencyText(r, ctx.O.latencyCapS)}`).join(", "));
    } catch (err) {
      if (p.id !== "ref") throw err;
      notes.push(`latency: reference failed: ${(err as Error).message.split("\n")[0]}`);
      console.log(`failed: ${(err as Error).message.split("\n")[0]}`);
    }
    await sleep(300);
  }
  return runs;
}

export function latencyText(r: LatencyResult | undefined, capS: number): string {
  if (!r) return "n/a";
  if (r.latencyMs !== undefined) return `${(r.latencyMs / 1000).toFixed(1)} s`;
  return r.firedAt === undefined ? "not fired" : `>${capS} s`;
}
