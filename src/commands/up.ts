// `agents up`: use-or-create the fleet's sessions (or the named ones). `--dry-run` says what it
// would do, member by member, and neither starts nor writes anything.
import { fileURLToPath } from "node:url";
import type { Fleet } from "../config/load.js";
import { startAgent, startDetail, startService } from "../fleet/launch.js";
import { readParked, unpark } from "../state/parked.js";
import { ensureLogDirs, sessionLogFile } from "../state/paths.js";
import { phaseIndexMissing, readPhaseIndex, writePhaseIndex } from "../state/phase.js";
import { shellQuote } from "../tmux/tmux.js";
import { checkNames, openFleet, type Ctx } from "./context.js";
import type { Args } from "./table.js";

// The bin script, as a user runs it (cli.js only exports run(); started directly it would exit at
// once and the watchdog session would vanish the moment `up` created it).
const CLI_BIN = fileURLToPath(new URL("../../bin/agents", import.meta.url));

export async function run(inv: Args<"up">): Promise<number> {
  const ctx = await openFleet(inv.opts.config, inv.io);
  checkNames(ctx.fleet, inv.args.name);
  return inv.opts["dry-run"] ? dryRun(ctx, inv.args.name) : up(ctx, inv.args.name);
}

/** The enabled members when no names are given, else exactly the named ones. */
function members(fleet: Fleet, names: string[]) {
  const all = names.length === 0;
  return {
    agents: all ? fleet.agents.filter((a) => a.enabled) : fleet.agents.filter((a) => names.includes(a.name)),
    services: all ? fleet.services.filter((s) => s.enabled) : fleet.services.filter((s) => names.includes(s.name)),
    watchdog: all || names.includes("watchdog"),
  };
}

async function up(ctx: Ctx, names: string[]): Promise<number> {
  const { fleet, io } = ctx;
  const m = members(fleet, names);
  ensureLogDirs(fleet);
  if (fleet.loop.resume_phase === false && phaseIndexMissing(fleet)) writePhaseIndex(fleet, 0);
  const phase = readPhaseIndex(fleet);
  const deliveries: Promise<void>[] = [];
  for (const a of m.agents) {
    // `up` is how a user says "try again": a parked agent gets a fresh restart budget.
    if (unpark(fleet, a.name)) io.out(`${a.name}: unparked`);
    const r = await startAgent(ctx, a, { phase });
    io.out(`${a.name}: ${r.started ? `started (${r.detail})` : r.detail} [${a.session}]`);
    deliveries.push(r.delivered);
  }
  for (const s of m.services) {
    const r = await startService(ctx, s);
    io.out(`${s.name}: ${r.started ? "started" : r.detail} [${s.session}]`);
  }
  if (m.watchdog) {
    const started = await startWatchdogSession(ctx);
    io.out(`watchdog: ${started ? "started" : "already running"} [${fleet.watchdogSession}]`);
  }
  await Promise.all(deliveries);
  return 0;
}

async function dryRun(ctx: Ctx, names: string[]): Promise<number> {
  const { fleet, tmux, io } = ctx;
  const m = members(fleet, names);
  // A real `up` with resume_phase = false writes index 0 when none exists: the index read then.
  const phase = readPhaseIndex(fleet);
  const parked = readParked(fleet);
  for (const a of m.agents) {
    if (parked.has(a.name)) io.out(`${a.name}: would unpark`);
    const running = await tmux.hasSession(a.session);
    io.out(`${a.name}: ${running ? "already running" : `would start (${startDetail(fleet, a, phase)})`} [${a.session}]`);
  }
  for (const s of m.services) {
    io.out(`${s.name}: ${(await tmux.hasSession(s.session)) ? "already running" : "would start"} [${s.session}]`);
  }
  if (m.watchdog) {
    const running = await tmux.hasSession(fleet.watchdogSession);
    io.out(`watchdog: ${running ? "already running" : "would start"} [${fleet.watchdogSession}]`);
  }
  return 0;
}

async function startWatchdogSession(ctx: Ctx): Promise<boolean> {
  const { fleet, tmux } = ctx;
  if (await tmux.hasSession(fleet.watchdogSession)) return false;
  // The node running `up`, not whichever one tmux's PATH finds first (nvm, asdf, a newer system node).
  const command = `exec env AGENTS_NODE=${shellQuote(process.execPath)} ${shellQuote(CLI_BIN)} watchdog --config ${shellQuote(fleet.configPath)}`;
  const env: Record<string, string> = {};
  if (process.env.AGENTS_TMUX_SOCKET) env.AGENTS_TMUX_SOCKET = process.env.AGENTS_TMUX_SOCKET;
  const r = await tmux.newSession({ name: fleet.watchdogSession, cwd: fleet.projectDir, command, env });
  if (r.code !== 0) throw new Error(`could not start the watchdog session: ${r.stderr.trim()}`);
  await tmux.pipeToFile(fleet.watchdogSession, sessionLogFile(fleet, fleet.watchdogSession));
  return true;
}
