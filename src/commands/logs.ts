// `agents logs`: a session's pane log through tail, the watchdog's decision events, or (with
// --transcript) an agent's conversation from its CLI's own record. A log or events file must be a
// regular file: tail (or our read) of a FIFO put in its place would wait for a writer.
import { existsSync, statSync } from "node:fs";
import { execa } from "execa";
import { UserError } from "../errors.js";
import { NotRegularFile, readRegularFile } from "../state/files.js";
import { rotatedWatchdogEventsFile, sessionLogFile, watchdogEventsFile } from "../state/paths.js";
import { openFleet, type Ctx } from "./context.js";
import type { Args } from "./table.js";

export async function run(inv: Args<"logs">): Promise<number> {
  const { name } = inv.args;
  const { follow, lines, json, transcript } = inv.opts;
  if (json && name !== "watchdog") throw inv.usage('--json is for "logs watchdog" (session logs are plain text)');
  if (transcript && name === "watchdog") throw inv.usage("--transcript is for an agent (the watchdog has no conversation)");
  const ctx = await openFleet(inv.opts.config, inv.io);
  if (name === "watchdog") return watchdogEvents(ctx, follow, lines, json);
  if (transcript) {
    const { showAgentTranscript } = await import("../transcript/show.js");
    return showAgentTranscript(ctx, name, { follow, lines });
  }
  const { fleet, io } = ctx;
  const owner = fleet.agents.find((a) => a.name === name) ?? fleet.services.find((s) => s.name === name);
  if (!owner) throw new UserError(`${fleet.configPath}: no agent or service named "${name}"`);
  const file = sessionLogFile(fleet, owner.session);
  if (!existsSync(file)) {
    io.err(`no log yet for ${name} (${file})`);
    return 1;
  }
  if (!statSync(file).isFile()) {
    io.err(`${file}: not a regular file; no log to show`);
    return 1;
  }
  const r = await execa("tail", ["-n", String(lines), ...(follow ? ["-F"] : []), file], { stdio: "inherit", reject: false });
  return r.exitCode ?? 0;
}

function formatEvent(line: string): string {
  try {
    const e = JSON.parse(line) as Record<string, unknown>;
    const level = ({ 30: "info", 40: "WARN", 50: "ERROR" } as Record<number, string>)[e.level as number] ?? "";
    const who = e.agent ? `${e.agent}: ` : "";
    return `${String(e.time ?? "")} ${level.padEnd(5)} ${who}${String(e.action ?? e.msg ?? "")}${e.reason ? ` — ${String(e.reason)}` : ""}`;
  } catch {
    return line;
  }
}

async function watchdogEvents(ctx: Ctx, follow: boolean, lines: number, json: boolean): Promise<number> {
  const file = watchdogEventsFile(ctx.fleet);
  if (!existsSync(file)) {
    ctx.io.err(`no watchdog events yet (${file})`);
    return 1;
  }
  const fmt = json ? (l: string) => l : formatEvent;
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (err) {
    if (!(err instanceof NotRegularFile)) throw err;
    ctx.io.err(`${err.message}; no events to show`);
    return 1;
  }
  const all = text.split("\n").filter(Boolean);
  // A rotation just left the live file short: the rest of the last `lines` are in `.1`, `.2`, ...
  for (let n = 1; n <= ctx.fleet.logKeep && all.length < lines; n++) {
    try {
      all.unshift(...readRegularFile(rotatedWatchdogEventsFile(ctx.fleet, n)).split("\n").filter(Boolean));
    } catch {
      break; // no such part (or not a regular file): nothing older to show
    }
  }
  for (const l of lines ? all.slice(-lines) : []) ctx.io.out(fmt(l));
  if (!follow) return 0;
  // By name (-F): after a rotation tail reopens the new live file and goes on from its first line.
  const child = execa("tail", ["-n", "0", "-F", file], { reject: false, buffer: false });
  child.stdout?.setEncoding("utf8");
  let rest = "";
  child.stdout?.on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const l of parts) if (l) ctx.io.out(fmt(l));
  });
  await child;
  return 0;
}
