// When the loop calls a tick overrun: a signal interval, but never under 30 s (a 1 s interval
// would otherwise cry overrun at every slow tmux call, which is bounded at 10 s anyway).
import { describe, expect, it } from "vitest";
import { tickOverrunMs } from "../../src/watchdog/loop.js";

describe("tickOverrunMs", () => {
  it.each([
    [1, 30_000],
    [30, 30_000],
    [45, 45_000],
    [600, 600_000],
  ])("signal_interval %i s → %i ms", (interval, ms) => {
    expect(tickOverrunMs(interval)).toBe(ms);
  });
});
