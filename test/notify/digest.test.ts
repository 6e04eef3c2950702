// The digest line: the period's restarts, parks, holds and phases from the events log, and cost.
import { describe, expect, it } from "vitest";
import { digestReason } from "../../src/notify/digest.js";

const T = Date.parse("2026-12-02T00:00:00Z");
const at = (h: number) => new Date(T + h * 3600_000).toISOString();

describe("digestReason", () => {
  const events = [
    { time: at(-1), action: "restarted", agent: "a" }, // before the period
    { time: at(1), action: "restarted", agent: "a" },
    { time: at(2), action: "restarted", agent: "a" },
    { time: at(3), action: "restarted", agent: "b" },
    { time: at(4), action: "parked", agent: "b" },
    { time: at(5), action: "limit-hold", agent: "a" },
    { time: at(6), action: "phase-advanced", phase: "p2", index: 1 },
    { time: at(7), action: "sequence-complete" },
    { time: at(8), action: "pinged", agent: "a" },
    { action: "restarted", agent: "a" }, // no time: not counted
    { time: at(25), action: "restarted", agent: "a" }, // after the period
  ];
  it("sums up a busy period", () => {
    expect(digestReason(events, T, T + 24 * 3600_000, { a: 1.5, b: undefined, c: 0.25 })).toBe(
      "last 24h: restarts: 3 (a 2, b 1); parked: 1 (b 1); limit holds: 1 (a 1); phases advanced to: p2; sequence complete; cost so far: $1.75 (a $1.50, c $0.25)",
    );
  });
  it("a quiet period says so", () => {
    expect(digestReason([], T, T + 12 * 3600_000, {})).toBe("last 12h: restarts: none; limit holds: none");
  });
});

describe("the digest schedule", () => {
  it("sends a digest event on its cron, whatever `events` says", async () => {
    const { Notifier } = await import("../../src/notify/notifier.js");
    const { MINIMAL, project } = await import("../helpers/project.js");
    const fleet = project(`${MINIMAL}[notify]\ncommand = "cat"\nevents = ["parked"]\ndigest = "* * * * * *"\n`).load();
    const sent: { event: string; reason: string }[] = [];
    const n = new Notifier({ fleet: () => fleet, send: async (_s, p) => (sent.push(p), { ok: true }) });
    n.start({ event() {}, flush() {} });
    const deadline = Date.now() + 5000;
    while (!sent.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await n.stop();
    expect(sent[0]).toMatchObject({ event: "digest", reason: expect.stringMatching(/^last 24h: restarts: none; limit holds: none$/) });
  });
});
