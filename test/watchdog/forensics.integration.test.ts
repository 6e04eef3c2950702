// Death forensics end to end on a real tmux server: an agent prints a unique line, then a fatal
// screen; the watchdog restarts it, saving a record first; `agents why` (the built CLI) shows that
// line from the saved screen, the reason and the time, and `status` marks the agent.
import { describe, expect, it } from "vitest";
import { localTime } from "../../src/commands/why.js";
import { TestFleet, baseToml, useTestFleet, waitFor } from "./harness.js";

const fleets = useTestFleet();

const TOML = `${baseToml({ watchdog: { stall_grace: 2, ping_timeout: 5 } })}
[backend.demo]
fatal_re = "FATAL:"

[[agent]]
name = "a"
watch = "heal"
prompt = "go"
`;

const RECORD_NAME = /^a-restarted-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/;

describe("agents why on a real fleet", () => {
  it("shows the unique line the agent printed before the watchdog restarted it, the reason and the time", async () => {
    const fleet = fleets.set(new TestFleet(TOML));
    fleet.watchdog();
    const first = await waitFor("a started", () => fleet.pid("t-a"));
    const unique = `UNIQUE-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    // The demo agent echoes what follows /limit on a line of its own (no limit pattern matches it).
    await fleet.type("t-a", `/limit ${unique}`);
    await waitFor("the unique line on screen", async () => (await fleet.screen("t-a")).split("\n").some((l) => l.trim() === unique));
    await fleet.type("t-a", "/fatal FATAL: forensics test");
    const ev = await waitFor("fatal restart", () => fleet.eventsFor("a", "restarted").find((e) => /^fatal: .*FATAL: forensics test/.test(String(e.reason))));
    expect(String(ev.record)).toMatch(RECORD_NAME);
    expect(await fleet.pid("t-a")).not.toBe(first);

    const json = await fleet.cli(["why", "a", "--json"]);
    expect(json.exitCode, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      agent: string;
      events: { action: string; reason?: string; record?: string }[];
      record: { name: string; at: string; reason: string; event: string; screen: string[]; pane: { command: string; dead: boolean } | null };
    };
    expect(report.agent).toBe("a");
    expect(report.record.name).toBe(ev.record);
    expect(report.record).toMatchObject({ event: "restarted", reason: ev.reason, pane: { command: "bash", dead: false } });
    expect(report.record.screen).toContain(unique);
    expect(report.events.some((e) => e.action === "restarted" && e.record === ev.record)).toBe(true);

    const text = await fleet.cli(["why", "a"]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain(`│ ${unique}`);
    expect(text.stdout).toContain(`reason: ${String(ev.reason)}`);
    expect(text.stdout).toContain(`time:   ${localTime(report.record.at)}`);

    const st = await fleet.cli(["status", "--json"]);
    const row = (JSON.parse(st.stdout) as { rows: { name: string; last_record?: { name: string } | null }[] }).rows.find((r) => r.name === "a");
    expect(row?.last_record?.name).toBe(ev.record);

    const unknown = await fleet.cli(["why", "nobody"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toContain('no agent named "nobody"');
  });

  it("an agent whose session vanished: the record has no pane and the session log's last words", async () => {
    const fleet = fleets.set(new TestFleet(TOML));
    fleet.watchdog();
    const first = await waitFor("a started", () => fleet.pid("t-a"));
    const unique = `LAST-WORDS-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    await fleet.type("t-a", `/limit ${unique}`);
    await waitFor("the unique line on screen", async () => (await fleet.screen("t-a")).includes(`\n${unique}`));
    await fleet.type("t-a", "/exit 3"); // no remain-on-exit: the session goes with the process
    const ev = await waitFor("heal", () =>
      fleet.eventsFor("a", "restarted").find((e) => e.reason === "session missing" && typeof e.record === "string"),
    );
    expect(await waitFor("a back", async () => ((await fleet.pid("t-a")) !== first ? true : undefined))).toBe(true);
    const json = await fleet.cli(["why", "a", "--json"]);
    const report = JSON.parse(json.stdout) as { record: { name: string; pane: unknown; screen: string[]; sessionLog: { lines: string[] } | null } };
    expect(report.record.name).toBe(ev.record);
    expect(report.record.pane).toBeNull();
    expect(report.record.screen).toEqual([]);
    expect(report.record.sessionLog?.lines).toContain(unique);
  });
});
