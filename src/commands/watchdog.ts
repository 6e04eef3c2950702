// `agents watchdog`: the supervisor loop in the foreground (what `up` runs in its own session).
import { runWatchdog } from "../watchdog/index.js";
import type { Args } from "./table.js";

export function run(inv: Args<"watchdog">): Promise<number> {
  return runWatchdog(inv.opts.config, { once: inv.opts.once, dryRun: inv.opts["dry-run"] });
}
