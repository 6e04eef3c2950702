// The Observer with a write clock (change-feed.ts) on the in-memory tmux: a pane whose log still
// flows is not captured again (its last reading is kept and decide is shown a moved screen) until
// it settles or FLOW_CAPTURE_MS passes; a death, a pid or command change is always read. A tick
// that finds an agent newly dead, missing or fatal is made heavy, once per new one (missing, then
// back and fatal, is new).
import { describe, expect, it } from "vitest";
import { Tmux } from "../../src/tmux/tmux.js";
import { Observer, type WriteClock } from "../../src/watchdog/observe.js";
import { FLOW_CAPTURE_MS, SETTLE_MS, TITLE_FLOW_CAPTURE_MS } from "../../src/watchdog/change-feed.js";
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

function setup() {
  let clock = T0;
  const fake = new FakeTmux({ now: () => clock });
  const writes = new Map<string, number>();
  const clockOf: WriteClock = { watching: true, lastWriteOf: (s) => writes.get(s) };
  const observer = new Observer(new Tmux({ transport: fake }), undefined, clockOf);
  fake.add("t-a", { pid: 11, command: "demo", activity: T0 / 1000 - 10, text: "working... 10:00:00\n" });
  fake.add("t-b", { pid: 12, command: "demo", activity: T0 / 1000 - 10, text: "demo> \n" });
  const tick = async (at: number) => {
    clock = at;
    const before = fake.captures("t-a");
    const snap = await observer.observe(FLEET, emptyState(), { now: at, heavy: false, cronDue: new Set() });
    return { snap, captured: fake.captures("t-a") - before, deferred: observer.lastDeferred };
  };
  /** t-a prints at `at` (tmux's activity and a write to its log). */
  const print = (at: number, text = "working...\n") => {
    clock = at;
    fake.output("t-a", text);
    writes.set("t-a", at);
  };
  return { fake, tick, print };
}

describe("Observer with a write clock", () => {
  it("keeps the reading of a pane whose output flows, shows it moved, and reads it once it settles", async () => {
    const { tick, print } = setup();
    const first = await tick(T0);
    const hash0 = first.snap.screenHashes.get("t-a");
    print(T0 + 2_000);
    const flowing = await tick(T0 + 2_100);
    expect(flowing.captured).toBe(0);
    expect(flowing.deferred).toBe(1);
    expect(flowing.snap.screens.get("t-a")!.capturedAt).toBe(T0);
    expect(flowing.snap.screenHashes.get("t-a")).not.toBe(hash0);
    const settled = await tick(T0 + 2_000 + SETTLE_MS);
    expect(settled.captured).toBe(1);
    expect(settled.snap.screens.get("t-a")!.capturedAt).toBe(T0 + 2_000 + SETTLE_MS);
  });

  it("reads a pane that never settles every FLOW_CAPTURE_MS", async () => {
    const { tick, print } = setup();
    await tick(T0);
    let captured = 0;
    for (let at = T0 + 1_000; at <= T0 + 1_000 + 2 * FLOW_CAPTURE_MS; at += 1_000) {
      print(at - 50);
      captured += (await tick(at)).captured;
    }
    expect(captured).toBe(2);
  });

  it("reads a flowing pane last seen idle once (it is working now), then lets it flow", async () => {
    const { fake, tick, print } = setup();
    fake.get("t-a").text = "demo> \n";
    await tick(T0);
    print(T0 + 2_000, "working... 10:00:02\n");
    expect((await tick(T0 + 2_100)).captured).toBe(1);
    print(T0 + 3_000, "working... 10:00:03\n");
    expect((await tick(T0 + 3_100)).captured).toBe(0);
  });

  it("reads a pane whose title spinner says working only every TITLE_FLOW_CAPTURE_MS while it flows", async () => {
    const fleet = fleetFrom(`${BASE}
[backend.demo]
title_active_re = "^[◐◓◑◒] "
[[agent]]
name = "a"
watch = "heal"
`);
    let clock = T0;
    const fake = new FakeTmux({ now: () => clock });
    let lastWrite = T0;
    const observer = new Observer(new Tmux({ transport: fake }), undefined, { watching: true, lastWriteOf: () => lastWrite });
    fake.add("t-a", { pid: 11, command: "demo", activity: T0 / 1000 - 10, text: "thinking\n", title: "◐ Claude Code" });
    let captured = 0;
    for (let at = T0; at <= T0 + TITLE_FLOW_CAPTURE_MS; at += 1_000) {
      clock = at - 50;
      fake.output("t-a", "x");
      fake.get("t-a").title = at % 2000 ? "◓ Claude Code" : "◐ Claude Code";
      lastWrite = at - 50;
      clock = at;
      const before = fake.captures("t-a");
      await observer.observe(fleet, emptyState(), { now: at, heavy: false, cronDue: new Set() });
      captured += fake.captures("t-a") - before;
    }
    expect(captured).toBe(2);
  });

  it.each([
    ["dead", (p: { dead: boolean }) => void (p.dead = true)],
    ["a new pid", (p: { pid: number }) => void (p.pid = 99)],
    ["a new command", (p: { command: string }) => void (p.command = "bash")],
  ])("always reads a flowing pane with %s", async (_what, change) => {
    const { fake, tick, print } = setup();
    await tick(T0);
    print(T0 + 2_000);
    change(fake.get("t-a") as never);
    expect((await tick(T0 + 2_100)).captured).toBe(1);
  });

  it("makes a tick heavy when an agent newly dies or vanishes, once", async () => {
    const { fake, tick } = setup();
    expect((await tick(T0)).snap.heavy).toBe(false);
    fake.get("t-a").dead = true;
    expect((await tick(T0 + 1_000)).snap.heavy).toBe(true);
    expect((await tick(T0 + 2_000)).snap.heavy).toBe(false);
    await new Tmux({ transport: fake }).killSession("t-b");
    const gone = await tick(T0 + 3_000);
    expect(gone.snap.heavy).toBe(true);
    expect(gone.snap.phase.done).toBe(false);
    expect((await tick(T0 + 4_000)).snap.heavy).toBe(false);
  });

  it("makes a tick heavy when a missing agent comes back showing a fatal screen, with no tick between", async () => {
    const { fake, tick } = setup();
    await new Tmux({ transport: fake }).killSession("t-a");
    expect((await tick(T0)).snap.heavy).toBe(true);
    fake.add("t-a", { pid: 21, command: "demo", activity: T0 / 1000 + 1, text: "fatal: credentials expired\n" });
    const back = await tick(T0 + 2_000);
    expect(back.snap.screens.get("t-a")?.state).toBe("fatal");
    expect(back.snap.heavy).toBe(true);
    expect((await tick(T0 + 3_000)).snap.heavy).toBe(false);
  });
});
