// `agents help [verb]`: the same generated text as `agents --help` and `agents <verb> --help`.
import { UserError } from "../errors.js";
import { globalHelp, verbHelp } from "./args.js";
import { VERBS, findVerb, type Args } from "./table.js";

export function run(inv: Args<"help">): number {
  const name = inv.args.verb;
  if (name === undefined) {
    inv.io.out(globalHelp(VERBS.map((v) => v.spec)));
    return 0;
  }
  const verb = findVerb(name);
  if (!verb) throw new UserError(`unknown verb "${name}" (see agents --help)`);
  inv.io.out(verbHelp(verb.spec));
  return 0;
}
