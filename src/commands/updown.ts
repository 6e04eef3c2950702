// `agents up` and `agents down`: use-or-create sessions; stop only what this config owns, by exact name.
import { rmSync, existsSync, mkdirSync } from "node:fs";
import { writeJsonAtomic } from "../state/files.js";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";
import { startAgent, startService } from "../fleet/launch.js";
import { shellQuote } from "../tmux/tmux.js";
import { phaseIndexFile, writePhaseIndex } from "../state/phase.js";
import { parkedDir } from "../watchdog/observe.js";
import { holderOf } from "../watchdog/lock.js";
import { watchdogLockPath } from "../watchdog/statefile.js";
import { sessionLogPath } from "../fleet/kickoff.js";
import type { Ctx } from "./context.js";

// The bin script, as a user runs it (cli.js only exports run(); started directly it would exit at
// once and the watchdog session would vanish the moment `up` created it).
const CLI_BIN = fileURLToPath(new URL("../../bin/agents", import.meta.url));

function checkNames(ctx: Ctx, names: string[]): void {
  const known = new Set(["watchdog", ...ctx.fleet.agents.map((a) => a.name), ...ctx.fleet.services.map((s) => s.name)]);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length) {
    throw new UserError(`${ctx.fleet.configPath}: no agent or service named ${bad.map((b) => `"${b}"`).join(", ")} (known: ${[...known].join(", ")})`);
  }
}

export async function startWatchdogSession(ctx: Ctx): Promise<boolean> {
  const { fleet, tmux } = ctx;
  if (await tmux.hasSession(fleet.watchdogSession)) return false;
  // The node running `up`, not whichever one tmux's PATH finds first (nvm, asdf, a newer system node).
  const command = `exec env AGENTS_NODE=${shellQuote(process.execPath)} ${shellQuote(CLI_BIN)} watchdog --config ${shellQuote(fleet.configPath)}`;
  const env: Record<string, string> = {};
  if (process.env.AGENTS_TMUX_SOCKET) env.AGENTS_TMUX_SOCKET = process.env.AGENTS_TMUX_SOCKET;
  const r = await tmux.newSession({ name: fleet.watchdogSession, cwd: fleet.projectDir, command, env });
  if (r.code !== 0) throw new Error(`could not start the watchdog session: ${r.stderr.trim()}`);
  await tmux.pipeToFile(fleet.watchdogSession, sessionLogPath(fleet, fleet.watchdogSession));
  return true;
}

export async function up(ctx: Ctx, names: string[]): Promise<number> {
  const { fleet, io } = ctx;
  checkNames(ctx, names);
  if (fleet.loop.resume_phase === false && !existsSync(phaseIndexFile(fleet))) writePhaseIndex(fleet, 0);
  const all = names.length === 0;
  const agents = all ? fleet.agents.filter((a) => a.enabled) : fleet.agents.filter((a) => names.includes(a.name));
  const services = all ? fleet.services.filter((s) => s.enabled) : fleet.services.filter((s) => names.includes(s.name));
  const deliveries: Promise<void>[] = [];
  for (const a of agents) {
    // `up` is how a user says "try again": a parked agent gets a fresh restart budget.
    const marker = path.join(parkedDir(fleet), `${a.name}.json`);
    if (existsSync(marker)) {
      rmSync(marker, { force: true });
      io.out(`${a.name}: unparked`);
    }
    const r = await startAgent(ctx, a);
    io.out(`${a.name}: ${r.started ? `started (${r.detail})` : r.detail} [${a.session}]`);
    deliveries.push(r.delivered);
  }
  for (const s of services) {
    const r = await startService(ctx, s);
    io.out(`${s.name}: ${r.started ? "started" : r.detail} [${s.session}]`);
  }
  if (all || names.includes("watchdog")) {
    const started = await startWatchdogSession(ctx);
    io.out(`watchdog: ${started ? "started" : "already running"} [${fleet.watchdogSession}]`);
  }
  await Promise.all(deliveries);
  return 0;
}

async function waitForWatchdogExit(ctx: Ctx, timeoutMs: number): Promise<void> {
  const lock = watchdogLockPath(ctx.fleet);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && holderOf(lock)) await new Promise((r) => setTimeout(r, 100));
}

export async function down(ctx: Ctx, names: string[]): Promise<number> {
  const { fleet, tmux, io } = ctx;
  checkNames(ctx, names);
  const all = names.length === 0;
  const sessions: [string, string][] = [];
  for (const a of fleet.agents) if (all || names.includes(a.name)) sessions.push([a.name, a.session]);
  for (const s of fleet.services) if (all || names.includes(s.name)) sessions.push([s.name, s.session]);
  if (all || names.includes("watchdog")) {
    // The watchdog goes first and is given time to finish its tick, so it cannot heal back what we stop.
    if (await tmux.killSession(fleet.watchdogSession)) io.out(`watchdog: stopped [${fleet.watchdogSession}]`);
    await waitForWatchdogExit(ctx, 10_000);
  }
  for (const [name, session] of sessions) {
    const agent = fleet.agents.find((a) => a.name === name);
    if (!all && agent && agent.watch !== "none") {
      // Stopping one watched agent by hand must not be undone by the watchdog's next heal.
      mkdirSync(parkedDir(fleet), { recursive: true });
      writeJsonAtomic(path.join(parkedDir(fleet), `${name}.json`), { reason: "stopped by `agents down`", at: new Date().toISOString() });
    }
    if (await tmux.killSession(session)) io.out(`${name}: stopped [${session}]`);
  }
  return 0;
}
