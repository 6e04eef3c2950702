// The Observer's capture cache, on the in-memory tmux (test/helpers/fake-tmux.ts): pane text is
// read once and read again only when tmux says the pane changed, or when the last capture may have
// missed the end of a change (same second as the activity), or after forget().
import { describe, expect, it } from "vitest";
import { Tmux } from "../../src/tmux/tmux.js";
import { Observer } from "../../src/watchdog/observe.js";
import { emptyState } from "../../src/watchdog/types.js";
import { FakeTmux } from "../helpers/fake-tmux.js";
import { BASE, T0, fleetFrom } from "./helpers.js";

const FLEET = fleetFrom(`${BASE}
[[agent]]
name = "a"
watch = "heal"
[[agent]]
name = "b"
watch = "heal"
`);

const SEC = T0 / 1000;

function setup() {
  let clock = T0;
  const fake = new FakeTmux({ now: () => clock });
  const observer = new Observer(new Tmux({ transport: fake }));
  // Both panes last printed 10 s before T0.
  fake.add("t-a", { pid: 11, command: "demo", activity: SEC - 10, text: "demo> \n" });
  fake.add("t-b", { pid: 12, command: "demo", activity: SEC - 10, text: "demo> \n" });
  /** One tick at `at` (epoch ms); what it captured, per session. */
  const tick = async (at: number) => {
    clock = at;
    const before = { a: fake.captures("t-a"), b: fake.captures("t-b") };
    const snap = await observer.observe(FLEET, emptyState(), { now: at, heavy: false, cronDue: new Set() });
    return {
      snap,
      captured: { a: fake.captures("t-a") - before.a, b: fake.captures("t-b") - before.b },
      total: observer.lastCaptures,
    };
  };
  return { fake, observer, tick };
}

describe("Observer capture cache", () => {
  it("captures each pane on the first tick and not again while nothing changed", async () => {
    const { tick } = setup();
    const first = await tick(T0);
    expect(first.captured).toEqual({ a: 1, b: 1 });
    expect(first.total).toBe(2);
    expect(first.snap.screens.get("t-a")!.capturedAt).toBe(T0);
    for (const at of [T0 + 1_000, T0 + 60_000, T0 + 3_600_000]) {
      const later = await tick(at);
      expect(later.captured).toEqual({ a: 0, b: 0 });
      expect(later.total).toBe(0);
      // The reading served is the cached one, from the first capture.
      expect(later.snap.screens.get("t-a")!.capturedAt).toBe(T0);
    }
  });

  it("new text without new activity is not seen: the cache trusts tmux's activity clock", async () => {
    const { fake, tick } = setup();
    await tick(T0);
    fake.get("t-a").text = "Traceback (most recent call last):\n";
    expect((await tick(T0 + 5_000)).captured.a).toBe(0);
  });

  it("re-captures a pane after its activity changes, and only that pane", async () => {
    const { fake, tick } = setup();
    await tick(T0);
    fake.output("t-a", "demo: working...\n"); // activity = the fake clock's second (T0)
    const next = await tick(T0 + 5_000);
    expect(next.captured).toEqual({ a: 1, b: 0 });
    expect(next.snap.screens.get("t-a")!.capturedAt).toBe(T0 + 5_000);
    expect((await tick(T0 + 10_000)).captured).toEqual({ a: 0, b: 0 });
  });

  it.each([
    ["title", (p: { title: string }) => void (p.title = "✳ Working")],
    ["command", (p: { command: string }) => void (p.command = "bash")],
    ["pid (a restart)", (p: { pid: number }) => void (p.pid = 99)],
    ["dead", (p: { dead: boolean; deadStatus?: number }) => void ((p.dead = true), (p.deadStatus = 1))],
  ] as const)("re-captures a pane whose %s changed with the same activity", async (_what, change) => {
    const { fake, tick } = setup();
    await tick(T0);
    change(fake.get("t-a") as never);
    expect((await tick(T0 + 5_000)).captured).toEqual({ a: 1, b: 0 });
    expect((await tick(T0 + 10_000)).captured).toEqual({ a: 0, b: 0 });
  });

  it("a capture in the same second as the last activity is not trusted: read again next tick", async () => {
    const { fake, tick } = setup();
    fake.get("t-a").activity = SEC; // printed during second T0
    expect((await tick(T0 + 400)).captured.a).toBe(1); // captured at T0 + 0.4 s: output may still be landing
    expect((await tick(T0 + 2_000)).captured.a).toBe(1); // nothing changed, but the last capture was not final
    expect((await tick(T0 + 4_000)).captured.a).toBe(0); // captured at T0 + 2 s, after the activity second
    // The first capture exactly one second later is final.
    fake.get("t-b").activity = SEC + 10;
    expect((await tick(T0 + 11_000)).captured.b).toBe(1);
    expect((await tick(T0 + 12_000)).captured.b).toBe(0);
  });

  it("forget() forces the next capture of that session only", async () => {
    const { observer, tick } = setup();
    await tick(T0);
    observer.forget("t-b");
    expect((await tick(T0 + 5_000)).captured).toEqual({ a: 0, b: 1 });
    expect((await tick(T0 + 10_000)).captured).toEqual({ a: 0, b: 0 });
  });

  it("drops the cache entry of a session that vanished: it is read afresh when it is back", async () => {
    const { fake, tick } = setup();
    await tick(T0);
    const a = fake.get("t-a");
    fake.sessions.delete("t-a");
    const gone = await tick(T0 + 5_000);
    expect(gone.captured).toEqual({ a: 0, b: 0 });
    expect(gone.snap.screens.has("t-a")).toBe(false);
    // Back with the very same pid, activity, title and command: a kept entry would be served.
    fake.sessions.set("t-a", a);
    expect((await tick(T0 + 10_000)).captured).toEqual({ a: 1, b: 0 });
  });

  it("a pane that vanishes between list-panes and capture has no screen, and is tried again", async () => {
    const { fake, tick } = setup();
    fake.fail("capture-pane", "can't find pane: =t-a:");
    const first = await tick(T0);
    expect(first.total).toBe(2);
    expect(first.snap.screens.size).toBe(0);
    fake.restore("capture-pane");
    expect((await tick(T0 + 5_000)).captured).toEqual({ a: 1, b: 1 });
  });

  it("never captures a session that is not one of the fleet's agents", async () => {
    const { fake, tick } = setup();
    fake.add("t-other", { text: "someone else's\n" });
    fake.add("t-ab", { text: "prefix of nothing\n" });
    await tick(T0);
    expect(fake.captures("t-other") + fake.captures("t-ab")).toBe(0);
    expect(fake.history("capture-pane").sort()).toEqual(["capture-pane -p -t =t-a:", "capture-pane -p -t =t-b:"]);
  });
});
