import { describe, expect, it } from "vitest";
import { WAKE_DEBOUNCE_MS, WAKE_MIN_GAP_MS, Waker, wakeDelay } from "../../src/watchdog/wake.js";

describe("wakeDelay", () => {
  it.each<[string, number, number, boolean, number]>([
    ["long after the last tick: the debounce", 10_000, 0, false, WAKE_DEBOUNCE_MS],
    ["right after a tick started: until the minimum gap", 200, 0, false, WAKE_MIN_GAP_MS - 200],
    ["the gap nearly over: still the debounce", WAKE_MIN_GAP_MS - 10, 0, false, WAKE_DEBOUNCE_MS],
    ["stopping: at once", 200, 0, true, 0],
  ])("%s", (_what, now, tickStart, stopping, want) => {
    expect(wakeDelay(now, tickStart, stopping)).toBe(want);
  });
});

describe("Waker", () => {
  it("ends a long sleep when poked, keeps a poke made before the sleep, and stops at once", async () => {
    let stopping = false;
    const w = new Waker(() => stopping);
    const longAgo = Date.now() - 10_000;
    const sleeping = w.sleep(60_000, longAgo);
    setTimeout(w.poke, 10);
    setTimeout(w.poke, 20);
    await sleeping; // would take a minute without the pokes
    w.poke(); // during a "tick"
    await w.sleep(60_000, longAgo);
    const s = w.sleep(60_000, Date.now());
    stopping = true;
    w.poke();
    await s;
  }, 5_000);
});
