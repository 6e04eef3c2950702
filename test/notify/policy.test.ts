// The notifier's pure decisions: redaction, sinks and their labels, who wants what, dedup, backoff.
import { describe, expect, it } from "vitest";
import { BACKOFF_MAX_MS, backoffMs, dedup, redactText, redactUrl, sinksOf, wants } from "../../src/notify/policy.js";
import { DEFAULT_NOTIFY_EVENTS } from "../../src/config/schema.js";
import type { FleetNotify } from "../../src/config/types.js";

const cfg = (over: Partial<FleetNotify> = {}): FleetNotify => ({
  webhook: [],
  desktop: false,
  events: [...DEFAULT_NOTIFY_EVENTS],
  dedup_window: 600,
  agents: {},
  ...over,
});

describe("redaction", () => {
  it.each([
    ["https://hooks.slack.com/services/T0/B0/secret", "https://hooks.slack.com/…"],
    ["https://user:pw@ntfy.sh/mytopic?auth=tok", "https://ntfy.sh/…"],
    ["http://127.0.0.1:8080/hook", "http://127.0.0.1:8080/…"],
    ["not a url", "(url)"],
  ])("%s → %s", (u, want) => expect(redactUrl(u)).toBe(want));

  it("URLs inside messages and the sink's own target never survive", () => {
    const msg = "fetch failed: connect ECONNREFUSED for https://hooks.slack.com/services/T0/B0/secret (see https://x.io/a?b=c)";
    expect(redactText(msg)).toBe("fetch failed: connect ECONNREFUSED for https://hooks.slack.com/… (see https://x.io/…)");
    expect(redactText("sh: curl -H 'Authorization: tok123' failed", ["curl -H 'Authorization: tok123'"])).toBe("sh: (redacted) failed");
  });
});

describe("sinksOf", () => {
  it("one sink per webhook, then ntfy, command and desktop; labels hold no secret; ids are stable", () => {
    const n = cfg({ webhook: ["https://a.example/s1", "https://b.example/s2"], ntfy: "https://ntfy.sh/topic-secret", command: "/usr/bin/curl -d @- https://x/tok", desktop: true });
    const s = sinksOf(n);
    expect(s.map((x) => x.label)).toEqual(["webhook https://a.example/…", "webhook https://b.example/…", "ntfy https://ntfy.sh/…", "command curl …", "desktop notify-send"]);
    for (const x of s) expect(x.label + x.id).not.toMatch(/s1|s2|secret|tok/);
    expect(sinksOf(n).map((x) => x.id)).toEqual(s.map((x) => x.id));
    expect(new Set(s.map((x) => x.id)).size).toBe(5);
    expect(sinksOf(undefined)).toEqual([]);
  });
});

describe("wants", () => {
  it.each<[string, Partial<FleetNotify>, string, string | null, boolean]>([
    ["a default event", {}, "parked", "a", true],
    ["a chatty event by default", {}, "restarted", "a", false],
    ["a chatty event asked for", { events: ["restarted"] }, "restarted", "a", true],
    ["an event left out", { events: ["parked"] }, "phase-advanced", null, false],
    ["an agent switched off", { agents: { a: { enabled: false } } }, "parked", "a", false],
    ["another agent still on", { agents: { a: { enabled: false } } }, "parked", "b", true],
    ["an agent's own list", { agents: { a: { enabled: true, events: ["restarted"] } } }, "restarted", "a", true],
    ["an agent's own list replaces the fleet's", { agents: { a: { enabled: true, events: ["restarted"] } } }, "parked", "a", false],
    ["a test is always sent", { events: [] }, "test", null, true],
    ["a digest is always sent", { events: [] }, "digest", null, true],
  ])("%s", (_, over, event, agent, want) => {
    expect(wants(cfg(over), event as never, agent)).toBe(want);
  });
  it("nothing without [notify]", () => expect(wants(undefined, "parked", "a")).toBe(false));

  it("a sink kind's own list replaces [notify].events for that sink; an agent's own list still wins", () => {
    const n = cfg({ webhook: ["https://a.example/s"], command: "cat", events: ["phase-advanced"], command_events: ["parked", "restarted"] });
    const [webhook, command] = sinksOf(n);
    expect(command!.events).toEqual(["parked", "restarted"]);
    expect(webhook!.events).toBeUndefined();
    expect([wants(n, "parked", "a", webhook), wants(n, "parked", "a", command)]).toEqual([false, true]);
    expect([wants(n, "phase-advanced", null, webhook), wants(n, "phase-advanced", null, command)]).toEqual([true, false]);
    // Wanted somewhere: the notifier queues it, then each sink takes what it asked for.
    expect(wants(n, "restarted", "a")).toBe(true);
    expect(wants(n, "detection-drift", "a")).toBe(false);
    const own = cfg({ ...n, agents: { a: { enabled: true, events: ["detection-drift"] } } });
    expect([wants(own, "detection-drift", "a", webhook), wants(own, "parked", "a", command)]).toEqual([true, false]);
  });
});

describe("dedup", () => {
  it("the same agent+event once per window; another agent or event is its own", () => {
    let sent = new Map<string, number>();
    const step = (agent: string | null, event: string, now: number) => {
      const d = dedup(sent, agent, event as never, now, 600);
      sent = d.sent;
      return d.send;
    };
    expect(step("a", "parked", 0)).toBe(true);
    expect(step("a", "parked", 1000)).toBe(false);
    expect(step("b", "parked", 1000)).toBe(true);
    expect(step("a", "limit-hold", 1000)).toBe(true);
    expect(step("a", "parked", 599_999)).toBe(false);
    expect(step("a", "parked", 600_000)).toBe(true);
    expect(step(null, "phase-advanced", 0)).toBe(true);
    expect(step(null, "phase-advanced", 10)).toBe(false);
  });
  it("watchdog lifecycle, test and digest are never folded", () => {
    const first = dedup(new Map(), null, "watchdog-started", 0, 600);
    expect(dedup(first.sent, null, "watchdog-started", 1, 600).send).toBe(true);
  });
  it("a zero window sends every repeat", () => {
    const first = dedup(new Map(), "a", "parked", 0, 0);
    expect(dedup(first.sent, "a", "parked", 0, 0).send).toBe(true);
  });
});

describe("backoff", () => {
  it.each([
    [0, 0],
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [8, 256_000],
    [9, BACKOFF_MAX_MS],
    [1000, BACKOFF_MAX_MS],
  ])("after %i failures: %i ms", (n, want) => expect(backoffMs(n)).toBe(want));
});
