// `agents phase`: show the loop phase, or move it (next, set N).
import { UserError } from "../errors.js";
import { readPhaseIndex, writePhaseIndex } from "../state/phase.js";
import { openFleet } from "./context.js";
import type { Args } from "./table.js";

export async function run(inv: Args<"phase">): Promise<number> {
  const { subcommand = "show", index } = inv.args;
  if (index !== undefined && subcommand !== "set") throw inv.usage(`${subcommand} takes no index (got ${index})`);
  const { fleet, io } = await openFleet(inv.opts.config, inv.io);
  const phases = fleet.loop.phases;
  if (!phases.length) {
    io.out("no [loop].phases configured");
    return 0;
  }
  if (subcommand === "next") writePhaseIndex(fleet, Math.min(readPhaseIndex(fleet) + 1, phases.length - 1));
  if (subcommand === "set") {
    const n = Number(index);
    if (index === undefined || !/^\d+$/.test(index) || n >= phases.length) {
      throw new UserError(`phase set: expected an index from 0 to ${phases.length - 1}, got ${index ?? "nothing"}`);
    }
    writePhaseIndex(fleet, n);
  }
  const idx = readPhaseIndex(fleet);
  io.out(`phase ${phases[idx]!.id} [${idx + 1}/${phases.length}] sequence: ${phases.map((p) => p.id).join(" ")}`);
  return 0;
}
