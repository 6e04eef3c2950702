// `agents classify`: the state a backend's rules read from one screen, exactly as the watchdog
// reads it (readScreen: text plus the pane's title, command and dead flag). Either a saved screen
// (file or stdin, with --backend and the pane facts given as --title/--command/--dead), or an
// agent of the config: its live pane (one list-panes, one capture-pane) and its signal reading.
import { readFileSync } from "node:fs";
import { PRESETS } from "../config/presets.js";
import type { Agent, Fleet } from "../config/load.js";
import { readScreen, type PaneFacts, type ScreenReading, type ScreenRules } from "../detect/screen.js";
import type { Classification } from "../detect/types.js";
import { formatClassification } from "../detect/explain.js";
import { UserError } from "../errors.js";
import { locateRecord, type AgentRecord } from "../transcript/locate.js";
import { formatSignals } from "../transcript/signals.js";
import type { Args } from "./table.js";
import type { Io } from "./context.js";

export async function run(inv: Args<"classify">): Promise<number> {
  const { backend, explain, json, title, command, dead } = inv.opts;
  const { target } = inv.args;
  if (backend === undefined) {
    if (target === undefined || target === "-") throw inv.usage("give --backend NAME for a saved screen, or name an agent");
    if (title !== undefined || command !== undefined || dead) {
      throw inv.usage("--title, --command and --dead describe a saved screen (with --backend); a live pane's are read from tmux");
    }
    return live(inv.io, inv.opts.config ?? "./agents.toml", target, { explain, json });
  }
  const rules = await rulesOf(backend, inv.opts.config);
  let text: string;
  try {
    text = !target || target === "-" ? readFileSync(0, "utf8") : readFileSync(target, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${target ?? "stdin"}: ${(err as Error).message}`);
  }
  const pane: PaneFacts = { title, command, dead };
  inv.io.out(formatClassification(verdict(readScreen(rules, pane, text, Date.now())), { explain, json }));
  return 0;
}

/** The reading without its capture time (not part of a verdict; `--json` stays as it was). */
function verdict(r: ScreenReading): Classification {
  const { capturedAt: _at, ...rest } = r;
  return rest;
}

async function rulesOf(backend: string, config: string | undefined): Promise<ScreenRules> {
  if (config) {
    const { loadConfig } = await import("../config/load.js");
    const b = loadConfig(config).backends[backend];
    if (b) return b;
  } else if (PRESETS[backend]) {
    return { ...PRESETS[backend], name: backend, preset: backend };
  }
  throw new UserError(`unknown backend "${backend}" (built-in: ${Object.keys(PRESETS).join(", ")}; pass --config for your own)`);
}

async function live(io: Io, configPath: string, name: string, fmt: { explain: boolean; json: boolean }): Promise<number> {
  const { openFleet } = await import("./context.js");
  const ctx = await openFleet(configPath, io);
  const { fleet, tmux } = ctx;
  const agent = fleet.agents.find((a) => a.name === name);
  if (!agent) {
    const known = fleet.agents.map((a) => a.name).join(", ") || "none";
    throw new UserError(`${fleet.configPath}: no agent named "${name}" (agents: ${known}); to classify a saved screen, pass --backend NAME`);
  }
  const pane = (await tmux.listPanes()).find((p) => p.session === agent.session);
  const text = pane ? await tmux.capture(agent.session) : undefined;
  if (!pane || text === undefined) {
    io.err(`${name}: no pane (session ${agent.session} is not running)`);
    return 1;
  }
  const now = Date.now();
  const reading = verdict(readScreen(agent.backend, pane, text, now));
  const record = signalsOf(fleet, agent, pane.created * 1000);
  if (fmt.json) {
    const screen = JSON.parse(formatClassification(reading, { json: true })) as Record<string, unknown>;
    const out = {
      agent: name,
      ...screen,
      pane: { title: pane.title, command: pane.command, dead: pane.dead },
      signals: record.reading ?? null,
      signalsNote: record.note,
    };
    io.out(JSON.stringify(out, null, fmt.explain ? 2 : undefined));
    return 0;
  }
  io.out(formatClassification(reading, { explain: fmt.explain }));
  if (fmt.explain) io.out(`  pane: command=${pane.command} title=${JSON.stringify(pane.title)} dead=${pane.dead ? "yes" : "no"}`);
  io.out(record.reading ? formatSignals(record.reading, now) : `signals: ${record.note}`);
  return 0;
}

/** The agent's signal reading, or why there is none; never throws (the screen verdict stands alone). */
function signalsOf(fleet: Fleet, agent: Agent, since: number): { reading?: AgentRecord["reading"]; note?: string } {
  let rec: AgentRecord | undefined;
  try {
    rec = locateRecord(fleet, agent, since);
  } catch (err) {
    return { note: `unavailable (${(err as Error).message})` };
  }
  if (!rec) return { note: `unavailable (no signal reader for backend "${agent.backendName}")` };
  if (rec.reading) return { reading: rec.reading };
  return { note: rec.signalFile ? `none recorded yet (${rec.signalFile})` : `none recorded yet (no ${rec.source} record found)` };
}
