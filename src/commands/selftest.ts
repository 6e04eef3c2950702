// `agents selftest`: the watchdog's own classifier against recorded screens; --live drives the real CLIs.
import { runSelftest, defaultFixturesDir } from "../detect/selftest.js";
import type { Args } from "./table.js";

export async function run(inv: Args<"selftest">): Promise<number> {
  const { io } = inv;
  const backends = inv.args.backend;
  if (inv.opts.live) {
    // Loaded only for --live: it pulls in the mock model server and CLI drivers.
    const { runLiveSelftest } = await import("../selftest/live/run.js");
    return runLiveSelftest(backends, { out: io.out });
  }
  if (backends.length) throw inv.usage(`backends are for --live (got ${backends.join(" ")})`);
  const results = runSelftest(defaultFixturesDir());
  let failed = 0;
  for (const r of results) {
    if (!r.ok) failed++;
    io.out(`${r.ok ? "PASS" : "FAIL"} ${r.name}${r.ok ? "" : `: expected ${r.expected}, got ${r.got}`}`);
  }
  io.out(`${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}
