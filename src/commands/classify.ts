// `agents classify`: the state a backend's rules read from one captured screen, exactly as the
// watchdog would classify it.
import { readFileSync } from "node:fs";
import { PRESETS } from "../config/presets.js";
import { loadConfig } from "../config/load.js";
import type { DetectRules } from "../detect/types.js";
import { classify } from "../detect/classify.js";
import { formatClassification } from "../detect/explain.js";
import { UserError } from "../errors.js";
import type { Args } from "./table.js";

export function run(inv: Args<"classify">): number {
  const { backend, config, explain, json } = inv.opts;
  const { file } = inv.args;
  const rules: DetectRules | undefined = config ? loadConfig(config).backends[backend] : PRESETS[backend];
  if (!rules) {
    throw new UserError(`unknown backend "${backend}" (built-in: ${Object.keys(PRESETS).join(", ")}; pass --config for your own)`);
  }
  let text: string;
  try {
    text = !file || file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read ${file ?? "stdin"}: ${(err as Error).message}`);
  }
  inv.io.out(formatClassification(classify({ text }, rules, new Date()), { explain, json }));
  return 0;
}
