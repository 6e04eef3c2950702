// `agents notify test`: one `test` event to every [notify] sink of the config, one line per sink.
// Exit 0 when every sink took it, 1 when any failed, 2 when the config has no sinks.
import { UserError } from "../errors.js";
import { openFleet } from "./context.js";
import type { Args } from "./table.js";
import { fleetName, renderPayload } from "../notify/events.js";
import { sinksOf } from "../notify/policy.js";
import { send } from "../notify/sinks.js";

export async function run(inv: Args<"notify">): Promise<number> {
  const { fleet, io } = await openFleet(inv.opts.config, inv.io);
  const sinks = sinksOf(fleet.notify);
  if (!sinks.length) {
    throw new UserError(`${fleet.configPath}: notify: no sinks configured (set webhook, ntfy, command or desktop in [notify])`);
  }
  const payload = renderPayload(fleetName(fleet), { event: "test", agent: null, reason: "sent by `agents notify test`", record: null }, Date.now());
  const results = await Promise.all(sinks.map((s) => send(s, payload, { cwd: fleet.projectDir })));
  let failed = 0;
  sinks.forEach((s, i) => {
    const r = results[i]!;
    if (!r.ok) failed++;
    io.out(r.ok ? (r.skipped ? `skipped  ${s.label}: ${r.skipped}` : `ok       ${s.label}`) : `FAILED   ${s.label}: ${r.error}`);
  });
  return failed ? 1 : 0;
}
