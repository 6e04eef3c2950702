// The change feed reads what a pane prints (stream-hint.ts): plain output of a pane that prints
// fast is let settle for PLAIN_SETTLE_MS, but a usage-limit banner in that stream has the pane
// captured at once. At signal_interval = 30 the hold can only come from the feed's wake-up, and
// sooner than plain output alone would have had the pane read.
import { describe, expect, it } from "vitest";
import { PLAIN_SETTLE_MS } from "../../src/watchdog/stream-hint.js";
import { baseToml, settledFleet, useTestFleet, waitFor, weeklyBanner } from "./harness.js";

const TOML = `${baseToml({ watchdog: { signal_interval: 30, heavy_interval: 300, restart_backoff: 0, limit_reset_slack: 0 } })}
[backend.demo]
limit_re = "hit your (weekly|usage) limit"

[[agent]]
name = "a"
watch = "heal+stall"
prompt = "go"
env = { DEMO_TICK = "0.3" }
`;

const fleets = useTestFleet();

describe("a limit banner in a flowing pane", () => {
  it("is held on within seconds, before plain output would have had it read", { timeout: 60_000 }, async () => {
    const fleet = await settledFleet(fleets, TOML, 2_000);
    const banner = weeklyBanner();
    const t0 = Date.now();
    await fleet.type("t-a", `/limit ${banner}`);
    const ev = await waitFor("the hold", () => fleet.eventsFor("a", "limit-hold").find((e) => Date.parse(String(e.time)) >= t0), 20_000, 100);
    const ms = Date.parse(String(ev.time)) - t0;
    console.log(`[stream-act] limit-hold ${ms} ms after the banner (plain output settles after ${PLAIN_SETTLE_MS} ms)`);
    expect(ms).toBeLessThan(PLAIN_SETTLE_MS);
  });
});
