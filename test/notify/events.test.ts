// The action → notification table, the record name, and the payload every sink receives.
import { describe, expect, it } from "vitest";
import { ACTION_EVENTS, fleetName, ntfyPriority, oneLine, recordName, renderPayload, toNotification } from "../../src/notify/events.js";
import { NOTIFY_EVENTS } from "../../src/config/schema.js";

describe("toNotification: the watchdog's log actions that are notifications", () => {
  const cases: [string, Record<string, unknown>, string | undefined][] = [
    ["parked", { agent: "a", action: "parked" }, "parked"],
    ["restarted", { agent: "a", action: "restarted" }, "restarted"],
    ["a limit hold", { agent: "a", action: "limit-hold" }, "limit-hold"],
    ["an account hold", { agent: "a", action: "account-hold" }, "limit-hold"],
    ["a limit lifted", { agent: "a", action: "limit-lifted" }, "limit-resumed"],
    ["an account resumed", { action: "account-resumed" }, "limit-resumed"],
    ["phase advanced", { action: "phase-advanced" }, "phase-advanced"],
    ["sequence complete", { action: "sequence-complete" }, "sequence-complete"],
    ["on_complete triggered", { action: "on-complete-triggered" }, "on-complete-started"],
    ["the on_complete agent's start failing", { agent: "finish", action: "start-failed" }, "on-complete-failed"],
    ["another agent's start failing", { agent: "a", action: "start-failed" }, undefined],
    ["a dialog nobody answers", { agent: "a", action: "dialog-needs-human" }, "dialog"],
    ["config invalid", { action: "config-invalid" }, "config-invalid"],
    ["detection drift", { agent: "a", action: "detection-drift" }, "detection-drift"],
    ["watchdog up", { action: "watchdog-up" }, "watchdog-started"],
    ["watchdog down", { action: "watchdog-down" }, "watchdog-stopped"],
    ["watchdog down after a crash (the crash said it)", { action: "watchdog-down", crashed: true }, undefined],
    ["watchdog crashed", { action: "watchdog-crashed" }, "watchdog-crashed"],
    ["the notifier's own failure (no loop)", { action: "notify-failed" }, undefined],
    ["the notifier's own recovery", { action: "notify-recovered" }, undefined],
    ["a tick", { action: "tick" }, undefined],
    ["a ping", { agent: "a", action: "pinged" }, undefined],
    ["an inherited name", { action: "toString" }, undefined],
  ];
  it.each(cases)("%s", (_, fields, want) => {
    const n = toNotification({ reason: "r", ...fields } as never, { onCompleteAgent: "finish" });
    expect(n?.event).toBe(want);
  });

  it("every event the table produces is a documented event name", () => {
    for (const rule of Object.values(ACTION_EVENTS)) if (typeof rule === "string") expect(NOTIFY_EVENTS).toContain(rule);
  });

  it("carries agent (null for fleet events), reason and record", () => {
    expect(toNotification({ agent: "a", action: "parked", reason: "3 restarts", record: "a-park-2026.json" })).toEqual({
      event: "parked",
      agent: "a",
      reason: "3 restarts",
      record: "a-park-2026.json",
    });
    expect(toNotification({ action: "phase-advanced", reason: "p1 done" })).toMatchObject({ agent: null, record: null });
    expect(toNotification({ action: "on-complete-triggered", reason: "sequence complete" }, { onCompleteAgent: "finish" })).toMatchObject({ agent: "finish" });
  });
});

describe("recordName", () => {
  it.each<[unknown, string | null]>([
    ["a-park-1.json", "a-park-1.json"],
    ["/x/.state/state/records/a-park-1.json", "a-park-1.json"],
    ["not saved: EROFS", null],
    ["", null],
    [undefined, null],
    [42, null],
    ["..", null],
  ])("%j → %j", (v, want) => expect(recordName(v)).toBe(want));
});

describe("renderPayload", () => {
  it("has every documented field, with text = summary", () => {
    const p = renderPayload("proj", { event: "parked", agent: "a", reason: "3 restarts in 600s", record: "r.json" }, Date.parse("2026-12-02T08:00:00Z"));
    expect(p).toEqual({
      fleet: "proj",
      agent: "a",
      event: "parked",
      reason: "3 restarts in 600s",
      time: "2026-12-02T08:00:00.000Z",
      summary: "[proj] a parked (the watchdog gave up healing it): 3 restarts in 600s",
      record: "r.json",
      text: "[proj] a parked (the watchdog gave up healing it): 3 restarts in 600s",
    });
  });

  it("a summary is one bounded line even for a stack trace", () => {
    const p = renderPayload("f", { event: "watchdog-crashed", agent: null, reason: `Error: boom\n    at x (y.js:1)\n${"z".repeat(1000)}`, record: null }, 0);
    expect(p.summary).toBe("[f] WATCHDOG CRASHED (the fleet is unsupervised): Error: boom");
    expect(oneLine("x".repeat(400)).length).toBe(300);
  });

  it("every event renders", () => {
    for (const e of NOTIFY_EVENTS) expect(renderPayload("f", { event: e, agent: "a", reason: "r", record: null }, 0).summary).toMatch(/^\[f\] /);
  });
});

describe("fleetName and ntfy priority", () => {
  it.each([
    [{ sessionPrefix: "myproj-", projectDir: "/p/x" }, "myproj"],
    [{ sessionPrefix: "t_", projectDir: "/p/x" }, "t"],
    [{ sessionPrefix: "", projectDir: "/p/x" }, "x"],
  ])("%j → %s", (f, want) => expect(fleetName(f)).toBe(want));
  it("a crash is urgent, a park high, a start low", () => {
    expect([ntfyPriority("watchdog-crashed"), ntfyPriority("parked"), ntfyPriority("phase-advanced"), ntfyPriority("watchdog-started")]).toEqual([5, 4, 3, 2]);
  });
});
