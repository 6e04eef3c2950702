// The background handoff reader without git: the reading is a stand-in the test resolves by hand,
// so "never two at once", "a tick uses the last completed reading", "news wakes the loop" and
// "a failure is reported once per condition" are checked step by step, with no timing.
import { describe, expect, it } from "vitest";
import { GitReader, gitReadingFor, nextHealth, type GitReaderHooks } from "../../src/watchdog/git-reader.js";
import type { HandoffOutcome, HandoffRead } from "../../src/watchdog/handoff-git.js";
import { BASE, T0, fleetFrom } from "./helpers.js";

const FLEET = fleetFrom(`${BASE}
[loop]
handoff = { inboxes = ["to-adversary.md"], fetch_timeout = 7 }
[[agent]]
name = "builder"
kind = "loop"
role = "builder"
`);

const read = (over: Partial<HandoffRead> = {}): HandoffRead => ({ at: T0, head: "h1", inboxes: {}, ...over });

/** A reader whose readings are settled by the test; records what was asked and what it said. */
function setup() {
  let clock = T0;
  const asked: { base: string | undefined; timeoutMs: number; signal?: AbortSignal; settle: (o: HandoffOutcome) => void }[] = [];
  const events: string[] = [];
  let news = 0;
  const hooks: GitReaderHooks = {
    now: () => clock,
    event: (level, action, reason) => events.push(`${level} ${action}: ${reason}`),
    onNews: () => news++,
    read: (_fleet, base, _prev, opts) =>
      new Promise<HandoffOutcome>((resolve) => {
        asked.push({ base, timeoutMs: opts.timeoutMs, signal: opts.signal, settle: resolve });
        opts.signal?.addEventListener("abort", () => resolve({ aborted: true }));
      }),
  };
  const reader = new GitReader(hooks);
  /** Settle the reading in flight and let the reader take it in. */
  const settle = async (o: HandoffOutcome) => {
    asked.at(-1)!.settle(o);
    await reader.settled();
  };
  return { reader, asked, events, news: () => news, settle, tick: (ms: number) => (clock += ms) };
}

describe("GitReader", () => {
  it("never runs two readings at once, and a tick meanwhile sees the last completed one", async () => {
    const { reader, asked, settle } = setup();
    reader.request(FLEET, undefined, { force: true, minGapMs: 0 });
    reader.request(FLEET, undefined, { force: true, minGapMs: 0 });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.timeoutMs).toBe(7000);
    expect(reader.reading(undefined)).toBeUndefined();
    await settle({ read: read({ head: "h1" }) });
    expect(reader.reading(undefined)?.head).toBe("h1");
    // A second reading hangs (a remote that never answers): the first stays what ticks see.
    reader.request(FLEET, "h1", { force: true, minGapMs: 0 });
    expect(asked).toHaveLength(2);
    expect(asked[1]!.base).toBe("h1");
    reader.request(FLEET, "h1", { force: true, minGapMs: 0 });
    expect(asked).toHaveLength(2);
    expect(reader.reading("h1")).toMatchObject({ head: "h1", readAt: T0 });
  });

  it("asks at most once per minGap unless forced", async () => {
    const { reader, asked, settle, tick } = setup();
    reader.request(FLEET, undefined, { force: false, minGapMs: 30_000 });
    await settle({ read: read() });
    tick(10_000);
    reader.request(FLEET, "h1", { force: false, minGapMs: 30_000 });
    expect(asked).toHaveLength(1);
    reader.request(FLEET, "h1", { force: true, minGapMs: 30_000 });
    expect(asked).toHaveLength(2);
    await settle({ read: read() });
    tick(30_000);
    reader.request(FLEET, "h1", { force: false, minGapMs: 30_000 });
    expect(asked).toHaveLength(3);
  });

  it("wakes the loop for news only: a first reading, a new head, a changed inbox", async () => {
    const { reader, news, settle } = setup();
    const step = async (r: HandoffRead) => {
      reader.request(FLEET, undefined, { force: true, minGapMs: 0 });
      await settle({ read: r });
      return news();
    };
    expect(await step(read({ head: "h1", inboxes: { "to-adversary.md": undefined } }))).toBe(1);
    expect(await step(read({ head: "h1", inboxes: { "to-adversary.md": undefined } }))).toBe(1);
    expect(await step(read({ head: "h2", inboxes: { "to-adversary.md": undefined } }))).toBe(2);
    expect(await step(read({ head: "h2", inboxes: { "to-adversary.md": "abc" } }))).toBe(3);
    expect(await step(read({ head: "h2", inboxes: { "to-adversary.md": "abc" } }))).toBe(3);
  });

  it("reports a failure once per condition and its recovery once, keeping the last good reading", async () => {
    const { reader, events, settle, tick } = setup();
    const step = async (o: HandoffOutcome) => {
      reader.request(FLEET, "h1", { force: true, minGapMs: 0 });
      await settle(o);
      tick(5_000);
    };
    await step({ read: read({ head: "h1" }) });
    await step({ error: "git fetch in /r timed out after 7s (fetch_timeout)" });
    await step({ error: "git fetch in /r timed out after 7s (fetch_timeout)" });
    await step({ error: "git fetch in /r timed out after 7s (fetch_timeout)" });
    expect(reader.reading("h1")?.head).toBe("h1");
    expect(reader.failure).toMatchObject({ failures: 3, since: T0 + 5_000 });
    await step({ error: "git fetch in /r failed: fatal: repository not found" });
    await step({ read: read({ head: "h2" }) });
    await step({ read: read({ head: "h2" }) });
    expect(events).toEqual([
      "warn git-failed: git fetch in /r timed out after 7s (fetch_timeout); using the last good reading, retrying in the background",
      "warn git-failed: git fetch in /r failed: fatal: repository not found; using the last good reading, retrying in the background",
      "info git-recovered: handoff git reads work again (failed 4 times over 20s)",
    ]);
    expect(reader.failure).toBeUndefined();
  });

  it("a reading that throws is a failure, not an unhandled rejection", async () => {
    const events: string[] = [];
    const reader = new GitReader({ event: (_l, action, reason) => events.push(`${action}: ${reason}`), read: () => Promise.reject(new Error("boom")) });
    reader.request(FLEET, undefined, { force: true, minGapMs: 0 });
    await reader.settled();
    expect(events).toEqual(["git-failed: handoff reading failed: boom; using the last good reading, retrying in the background"]);
  });

  it("stop() aborts the reading in flight and asks for no more", async () => {
    const { reader, asked, events } = setup();
    reader.request(FLEET, undefined, { force: true, minGapMs: 0 });
    await reader.stop();
    expect(asked[0]!.signal?.aborted).toBe(true);
    expect(events).toEqual([]);
    reader.request(FLEET, undefined, { force: true, minGapMs: 0 });
    expect(asked).toHaveLength(1);
  });
});

describe("gitReadingFor: subjects relative to the watchdog's handoff sha", () => {
  const r = read({
    head: "c3",
    base: "c0",
    commits: [
      { sha: "c1", subject: "claim: one" },
      { sha: "c2", subject: "notes" },
      { sha: "c3", subject: "review: one" },
    ],
  });

  it("all commits when the sha is the base the reading was asked from", () => {
    expect(gitReadingFor(r, "c0").subjects).toEqual(["claim: one", "notes", "review: one"]);
  });

  it("only the commits after the sha when the state moved on since the reading was asked for", () => {
    expect(gitReadingFor(r, "c1").subjects).toEqual(["notes", "review: one"]);
  });

  it("none when the sha is unknown to the reading (the next reading, asked from it, will say)", () => {
    expect(gitReadingFor(r, "zz").subjects).toBeUndefined();
  });

  it("none for a first baseline or an unchanged head", () => {
    expect(gitReadingFor(r, undefined).subjects).toBeUndefined();
    expect(gitReadingFor(r, "c3").subjects).toBeUndefined();
    expect(gitReadingFor(r, "c3").head).toBe("c3");
  });
});

describe("nextHealth", () => {
  it("is silent while healthy and while failing the same way", () => {
    expect(nextHealth(undefined, {}, T0)).toEqual({ failing: undefined });
    const failing = { reason: "x", since: T0, failures: 1 };
    expect(nextHealth(failing, { error: "x" }, T0 + 1)).toEqual({ failing: { reason: "x", since: T0, failures: 2 } });
  });

  it("a new reason is a new event but keeps when the failing began", () => {
    const r = nextHealth({ reason: "x", since: T0, failures: 2 }, { error: "y" }, T0 + 9_000);
    expect(r.failing).toEqual({ reason: "y", since: T0, failures: 3 });
    expect(r.event?.action).toBe("git-failed");
  });

  it("says once when it failed once", () => {
    expect(nextHealth({ reason: "x", since: T0, failures: 1 }, {}, T0 + 2_000).event?.reason).toBe("handoff git reads work again (failed once over 2s)");
  });
});
