// Small verbs: logs, phase, init.
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { UserError } from "../errors.js";
import type { Ctx, Io } from "./context.js";
import { sessionLogPath } from "../fleet/kickoff.js";
import { watchdogLogPath } from "../log.js";
import { readPhaseIndex, writePhaseIndex } from "../state/phase.js";

export async function logs(ctx: Ctx, name: string | undefined, follow: boolean, lines: number, json: boolean): Promise<number> {
  const { fleet, io } = ctx;
  if (!name) throw new UserError("usage: agents logs <name> [-f] [-n LINES]");
  if (name === "watchdog") return watchdogEvents(ctx, follow, lines, json);
  const owner = fleet.agents.find((a) => a.name === name) ?? fleet.services.find((s) => s.name === name);
  if (!owner) throw new UserError(`${fleet.configPath}: no agent or service named "${name}"`);
  const file = sessionLogPath(fleet, owner.session);
  if (!existsSync(file)) {
    io.err(`no log yet for ${name} (${file})`);
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
  const file = watchdogLogPath(ctx.fleet.logDir, ctx.fleet.watchdogSession);
  if (!existsSync(file)) {
    ctx.io.err(`no watchdog events yet (${file})`);
    return 1;
  }
  const fmt = json ? (l: string) => l : formatEvent;
  const all = readFileSync(file, "utf8").split("\n").filter(Boolean);
  for (const l of all.slice(-lines)) ctx.io.out(fmt(l));
  if (!follow) return 0;
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

export function phase(ctx: Ctx, args: string[]): number {
  const { fleet, io } = ctx;
  const phases = fleet.loop.phases;
  if (!phases.length) {
    io.out("no [loop].phases configured");
    return 0;
  }
  const [sub = "show", arg] = args;
  if (sub === "next") writePhaseIndex(fleet, Math.min(readPhaseIndex(fleet) + 1, phases.length - 1));
  else if (sub === "set") {
    const n = Number(arg);
    if (arg === undefined || !Number.isInteger(n) || n < 0 || n >= phases.length) {
      throw new UserError(`agents phase set: expected an index from 0 to ${phases.length - 1}, got ${arg ?? "nothing"}`);
    }
    writePhaseIndex(fleet, n);
  } else if (sub !== "show") throw new UserError(`agents phase: unknown subcommand "${sub}" (show, next, set N)`);
  const idx = readPhaseIndex(fleet);
  io.out(`phase ${phases[idx]!.id} [${idx + 1}/${phases.length}] sequence: ${phases.map((p) => p.id).join(" ")}`);
  return 0;
}

const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const INIT_TOML = (prefix: string) => `# agents.toml — the fleet this project runs. Full reference: the agents README.
[defaults]
session_prefix = "${prefix}-"
log_dir = ".agents"
backend = "claude"      # claude | codex | opencode | gemini | demo, or a [backend.NAME] table
watch = "heal"

[watchdog]
signal_interval = 30
heavy_interval = 300

[loop]
kickoff_template = "prompts/kickoff.md"
roles_dir = "prompts"
phases = [
  { id = "P1", plan = "plans/P1.md", status = "status/P1-STATUS.md" },
]

[[agent]]
name = "builder"
kind = "loop"
role = "builder"
watch = "heal+stall"

[[agent]]
name = "adversary"
kind = "loop"
role = "adversary"
watch = "heal+stall"
`;

export function init(dir: string | undefined, io: Io): number {
  const target = path.resolve(dir ?? ".");
  const cfg = path.join(target, "agents.toml");
  if (existsSync(cfg)) throw new UserError(`${cfg}: already exists; refusing to overwrite`);
  const prompts = path.join(target, "prompts");
  const clashes = ["kickoff.md", "builder.md", "adversary.md"].filter((f) => existsSync(path.join(prompts, f)));
  mkdirSync(prompts, { recursive: true });
  const prefix = path.basename(target).replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 30) || "proj";
  writeFileSync(cfg, INIT_TOML(prefix), { flag: "wx" });
  for (const f of ["kickoff.md", "builder.md", "adversary.md"]) {
    if (!clashes.includes(f)) copyFileSync(path.join(PACKAGE_ROOT, "prompts", f), path.join(prompts, f));
  }
  for (const d of ["plans", "status"]) mkdirSync(path.join(target, d), { recursive: true });
  const plan = path.join(target, "plans", "P1.md");
  if (!existsSync(plan)) writeFileSync(plan, "# P1\n\nDescribe the first phase's goal and its gates here.\n");
  const st = path.join(target, "status", "P1-STATUS.md");
  if (!existsSync(st)) writeFileSync(st, "# P1 status\n\n## DONE\nnot yet\n");
  io.out(`created ${cfg}, prompts/ (kickoff.md, builder.md, adversary.md), plans/P1.md, status/P1-STATUS.md`);
  if (clashes.length) io.out(`kept your existing prompts/${clashes.join(", prompts/")}`);
  io.out(`next: edit agents.toml, then run \`agents up\` in ${target}`);
  return 0;
}
