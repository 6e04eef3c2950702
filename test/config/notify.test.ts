// [notify] and [agent.notify]: defaults, URL checks that never echo the URL, unknown event names
// listed with the valid ones, the digest cron, and configs without [notify] loading as before.
import { describe, expect, test } from "vitest";
import { DEFAULT_NOTIFY_EVENTS, NOTIFY_EVENTS } from "../../src/config/schema.js";
import { MINIMAL, project } from "../helpers/project.js";

const AGENT = `[[agent]]\nname = "a"\n`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("[notify]", () => {
  test("absent: no notify at all (an old config loads unchanged)", () => {
    expect(project(`${MINIMAL}${AGENT}`).load().notify).toBeUndefined();
  });

  test("defaults: no sinks, every event but the chatty ones, a 600 s window, no digest", () => {
    const n = project(`${MINIMAL}${AGENT}[notify]\n`).load().notify!;
    expect(n).toMatchObject({ webhook: [], desktop: false, dedup_window: 600, agents: {} });
    expect(n.events).toEqual(DEFAULT_NOTIFY_EVENTS);
    expect(n.events).not.toContain("restarted");
    expect(n.events).not.toContain("detection-drift");
    expect(n.events).toContain("parked");
    expect(n.digest).toBeUndefined();
  });

  test("webhook: one URL or a list", () => {
    expect(project(`${MINIMAL}${AGENT}[notify]\nwebhook = "https://h.example/x"\n`).load().notify!.webhook).toEqual(["https://h.example/x"]);
    const two = project(`${MINIMAL}${AGENT}[notify]\nwebhook = ["https://a.example/1", "http://b.example/2"]\n`).load().notify!.webhook;
    expect(two).toEqual(["https://a.example/1", "http://b.example/2"]);
  });

  test("per-agent overrides are collected by agent name", () => {
    const n = project(`${MINIMAL}[notify]\ncommand = "cat"\n[[agent]]\nname = "a"\n[agent.notify]\nenabled = false\n[[agent]]\nname = "b"\nnotify = { events = ["parked"] }\n`).load().notify!;
    expect(n.agents).toEqual({ a: { enabled: false }, b: { enabled: true, events: ["parked"] } });
  });

  test.each<[string, string, string]>([
    ["a webhook that is not a URL", `webhook = "hooks.slack.com/secret-token"`, "notify.webhook: must be an http:// or https:// URL"],
    ["a webhook list with a bad entry", `webhook = ["https://ok.example", "ftp://x/secret-token"]`, "notify.webhook[1]: must be an http:// or https:// URL"],
    ["an ntfy that is not a URL", `ntfy = "secret-token"`, "notify.ntfy: must be an http:// or https:// URL"],
    ["an unknown event", `events = ["parked", "parkd"]`, `notify.events[1]: unknown event "parkd" (valid: ${NOTIFY_EVENTS.join(", ")})`],
    ["an unknown event in a sink kind's list", `ntfy_events = ["parkd"]`, `notify.ntfy_events[0]: unknown event "parkd" (valid: ${NOTIFY_EVENTS.join(", ")})`],
    ["a window past a day", `dedup_window = 90000`, "notify.dedup_window: must be at most 86400 seconds (1 day)"],
    ["a negative window", `dedup_window = -1`, "notify.dedup_window:"],
    ["an empty command", `command = ""`, "notify.command: must not be empty"],
    ["desktop not a boolean", `desktop = "yes"`, "notify.desktop:"],
    ["a bad digest cron", `digest = "every day"`, `notify.digest: invalid cron expression "every day"`],
  ])("%s: one line naming the key", (_, line, want) => {
    const p = project(`${MINIMAL}${AGENT}[notify]\n${line}\n`);
    const lines = p.errors();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${esc(p.file)}: ${esc(want)}`));
    expect(lines[0]).not.toContain("secret-token");
  });

  test("an unknown event in an agent's override is rejected too", () => {
    const p = project(`${MINIMAL}[[agent]]\nname = "a"\nnotify = { events = ["nope"] }\n`);
    expect(p.errors()[0]).toMatch(/agent\[0\]\(a\)\.notify\.events\[0\]: unknown event "nope" \(valid: parked, /);
  });

  test("a valid digest cron loads", () => {
    expect(project(`${MINIMAL}${AGENT}[notify]\ndigest = "0 8 * * *"\n`).load().notify!.digest).toBe("0 8 * * *");
  });
});
