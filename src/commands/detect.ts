// `agents selftest` and `agents classify`: the watchdog's own classifier, run by hand.
import { readFileSync } from "node:fs";
import { UserError } from "../errors.js";
import { PRESETS } from "../config/presets.js";
import { loadConfig } from "../config/load.js";
import type { DetectRules } from "../detect/types.js";
import { classify } from "../detect/classify.js";
import { formatClassification } from "../detect/explain.js";
import { runSelftest, defaultFixturesDir } from "../detect/selftest.js";
import type { Io } from "./context.js";

export async function selftest(io: Io, live: boolean, backends: string[]): Promise<number> {
  if (live) {
    // Loaded only for --live: it pulls in the mock model server and CLI drivers.
    const { runLiveSelftest } = await import("../selftest/live/run.js");
    return runLiveSelftest(backends, { out: io.out });
  }
  const results = runSelftest(defaultFixturesDir());
  let failed = 0;
  for (const r of results) {
    if (!r.ok) failed++;
    io.out(`${r.ok ? "PASS" : "FAIL"} ${r.name}${r.ok ? "" : `: expected ${r.expected}, got ${r.got}`}`);
  }
  io.out(`${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

export interface ClassifyArgs {
  backend?: string;
  file?: string;
  explain: boolean;
  json: boolean;
  configPath?: string;
}

export async function classifyVerb(io: Io, args: ClassifyArgs): Promise<number> {
  if (!args.backend) throw new UserError("usage: agents classify --backend NAME [FILE|-] [--explain] [--json]");
  let rules: DetectRules | undefined;
  if (args.configPath) rules = loadConfig(args.configPath).backends[args.backend];
  else rules = PRESETS[args.backend];
  if (!rules) {
    throw new UserError(`unknown backend "${args.backend}" (built-in: ${Object.keys(PRESETS).join(", ")}; pass --config for your own)`);
  }
  let text: string;
  try {
    text = !args.file || args.file === "-" ? readFileSync(0, "utf8") : readFileSync(args.file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${args.file ?? "stdin"}: ${(err as Error).message}`);
  }
  const c = classify({ text }, rules, new Date());
  io.out(formatClassification(c, { explain: args.explain, json: args.json }));
  return 0;
}
