// The watchdog against a real private tmux server, the demo agent as a scriptable fake agent,
// and real git repos. 1-second ticks keep this fast.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import path from "node:path";
import { TestFleet, baseToml, gitPair, sleep, useTestFleet, waitFor } from "./harness.js";

const WATCHDOG = { stall_grace: 2, limit_probe_fallback: 2, limit_reset_slack: 0, ping_timeout: 5 };
const BACKEND = `
[backend.demo]
stall_idle = 3
limit_re = "usage limit"
fatal_re = "FATAL:"
`;

/** The shared base with this file's [watchdog] settings (and `watchdog` on top) and demo patterns. */
const base = (watchdog: Record<string, number> = {}) => `${baseToml({ watchdog: { ...WATCHDOG, ...watchdog } })}${BACKEND}`;
const BASE = base();

const fleets = useTestFleet();

/** A fleet of one demo agent named "a". */
const soloFleet = (watch: string) => fleets.set(new TestFleet(`${BASE}\n[[agent]]\nname = "a"\nwatch = "${watch}"\nprompt = "go"\n`));

/** A Claude-style limit banner resetting `days` from now at `time` UTC, and that day (YYYY-MM-DD). */
function limitBanner(days: number, time: string): { banner: string; day: string } {
  const d = new Date(Date.now() + days * 86400_000);
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return { banner: `You've hit your usage limit · resets ${month} ${d.getUTCDate()}, ${time} (UTC)`, day: d.toISOString().slice(0, 10) };
}

/** The builder/adversary loop pair most tests run. */
function loopPair(watch: string, opts: { quiet?: boolean } = {}): string {
  return ["builder", "adversary"]
    .map((name) => `[[agent]]\nname = "${name}"\nkind = "loop"\nrole = "${name}"\nwatch = "${watch}"\n${opts.quiet ? 'env = { DEMO_MODE = "quiet" }\n' : ""}`)
    .join("");
}

/** Restarts other than the watchdog's first start of a session that was never up. */
const restarts = (f: TestFleet, agent: string) =>
  f.eventsFor(agent, "restarted").filter((e, i) => !(i === 0 && e.reason === "session missing"));

describe("watchdog on a real tmux server", () => {
  it("heals a killed session", async () => {
    const fleet = fleets.set(new TestFleet(`${BASE}
[[agent]]
name = "a"
watch = "heal"
prompt = "hello"
`));
    fleet.watchdog();
    const first = await waitFor("a started", () => fleet!.pid("t-a"));
    await fleet.tmux.killSession("t-a");
    const second = await waitFor("a healed", async () => {
      const p = await fleet!.pid("t-a");
      return p !== undefined && p !== first ? p : undefined;
    });
    expect(second).not.toBe(first);
    // The event is written right after the session is up, so it may trail the new pid a little.
    await waitFor("heal logged", () => restarts(fleet!, "a").some((e) => e.reason === "session missing"));
  });

  it("reboots a quiet loop agent, and honours a future WAITING-UNTIL", async () => {
    const fleet = fleets.set(new TestFleet(`${BASE}
[loop]
phases = [ { id = "P1", status = "status/P1.md" } ]
${loopPair("heal+stall", { quiet: true })}
`));
    fleet.watchdog();
    await waitFor("both started", async () => (await fleet!.pid("t-builder")) && (await fleet!.pid("t-adversary")));
    const until = new Date(Date.now() + 120_000).toISOString();
    await fleet.type("t-adversary", `/wait ${until}`);
    await waitFor("builder rebooted for idling", () => restarts(fleet!, "builder").find((e) => /^idle \d+s with no WAITING-UNTIL marker$/.test(String(e.reason))), 15_000);
    await sleep(2000);
    expect(restarts(fleet, "adversary")).toEqual([]);
    const st = await fleet.cli(["status", "--json"]);
    const row = JSON.parse(st.stdout).rows.find((r: { name: string }) => r.name === "adversary");
    expect(row.doing).toBe(`waiting until ${until.replace(/\.\d{3}Z$/, "Z")}`);
  });

  it("holds a limited agent with a parsed reset and never reboots it", async () => {
    const fleet = soloFleet("heal+stall");
    fleet.watchdog();
    await waitFor("a started", () => fleet!.pid("t-a"));
    const reset = limitBanner(2, "2am");
    await fleet.type("t-a", `/limit ${reset.banner}`);
    const hold = await waitFor("hold", () => fleet!.eventsFor("a", "limit-hold")[0]);
    expect(String(hold.reason)).toMatch(/banner says reset/);
    await sleep(5000);
    expect(restarts(fleet, "a")).toEqual([]);
    const st = JSON.parse((await fleet.cli(["status", "--json"])).stdout);
    expect(st.rows[0].doing).toBe(`limited until ${reset.day}T02:00:00Z`);
  });

  it("nudges a limited agent whose reset is unknown, and it resumes", async () => {
    const fleet = soloFleet("heal+stall");
    fleet.watchdog();
    await waitFor("a started", () => fleet!.pid("t-a"));
    await fleet.type("t-a", "/limit usage limit reached");
    await waitFor("hold", () => fleet!.eventsFor("a", "limit-hold")[0]);
    const nudge = await waitFor("nudge", () => fleet!.eventsFor("a", "pinged").find((e) => e.purpose === "nudge"));
    expect(nudge.reason).toMatch(/limit hold ended/);
    await waitFor("lifted", () => fleet!.eventsFor("a", "limit-lifted")[0]);
    expect(await fleet.screen("t-a")).toMatch(/message received/);
    expect(restarts(fleet, "a")).toEqual([]);
  });

  it("acts on a hold's end when it comes, not at the next 30 s signal tick", async () => {
    const fleet = fleets.set(new TestFleet(`${base({ signal_interval: 30, heavy_interval: 30, limit_probe_fallback: 3 })}
[[agent]]
name = "a"
watch = "heal+stall"
prompt = "go"
`));
    // The banner is up before the watchdog's first tick, which is the only tick for 30 s.
    expect((await fleet.cli(["up", "a"])).exitCode).toBe(0);
    await fleet.type("t-a", "/limit usage limit reached");
    await waitFor("banner", async () => /usage limit reached/.test(await fleet!.screen("t-a")));
    fleet.watchdog();
    const hold = await waitFor("hold", () => fleet!.eventsFor("a", "limit-hold")[0]);
    const nudge = await waitFor("nudge", () => fleet!.eventsFor("a", "pinged").find((e) => e.purpose === "nudge"), 20_000);
    const gap = Date.parse(String(nudge.time)) - Date.parse(String(hold.time));
    // Hold 3 s, then the ping's own typing and confirmation; far from the 30 s a fixed tick would take.
    expect(gap).toBeGreaterThanOrEqual(2500);
    expect(gap).toBeLessThan(15_000);
  });

  it("restarts a fatal pane", async () => {
    const fleet = soloFleet("heal");
    fleet.watchdog();
    const first = await waitFor("a started", () => fleet!.pid("t-a"));
    await fleet.type("t-a", "/fatal FATAL: credentials expired");
    const ev = await waitFor("fatal restart", () => restarts(fleet!, "a")[0]);
    expect(String(ev.reason)).toMatch(/^fatal: .*FATAL: credentials expired/);
    expect(await fleet.pid("t-a")).not.toBe(first);
  });

  it("pings the right partner for claim and review commits and inbox files", async () => {
    const fleet = fleets.set(new TestFleet(`${BASE}
[loop]
kickoff_template = "prompts/kickoff.md"
phases = [ { id = "P1", status = "P1.md" } ]
handoff = { repo = "work/repo", inboxes = ["to-adversary.md", "to-builder.md"] }
${loopPair("heal", { quiet: true })}
`));
    const git = await gitPair(path.join(fleet.dir, "work"));
    fleet.watchdog();
    await waitFor("both started", async () => (await fleet!.pid("t-builder")) && (await fleet!.pid("t-adversary")));
    await waitFor("baseline taken", () => fleet!.events().some((e) => e.action === "tick"));
    await sleep(1500);
    await git.push("claim: gate 1 is met");
    const claim = await waitFor("claim ping", () => fleet!.eventsFor("adversary", "pinged")[0]);
    expect(claim.reason).toBe("claim commit: claim: gate 1 is met");
    expect(fleet.eventsFor("builder", "pinged")).toEqual([]);
    await git.push("review: gate 1 rejected");
    const review = await waitFor("review ping", () => fleet!.eventsFor("builder", "pinged")[0]);
    expect(review.reason).toBe("review commit: review: gate 1 rejected");
    await git.push("notes", { "machine-docs/to-builder.md": "please look at X\n" });
    await waitFor("inbox ping", () => fleet!.eventsFor("builder", "pinged").find((e) => e.reason === "inbox to-builder.md changed"));
    await sleep(2500);
    expect(fleet.eventsFor("builder", "pinged").filter((e) => e.reason === "inbox to-builder.md changed")).toHaveLength(1);
    expect(fleet.eventsFor("adversary", "pinged")).toHaveLength(1);
  });

  it("advances the phase on DONE, stops the loops after the last one and runs on_complete", async () => {
    const fleet = fleets.set(new TestFleet(
      `${BASE}
[loop]
kickoff_template = "prompts/kickoff.md"
phases = [ { id = "P1", status = "status/P1.md" }, { id = "P2", status = "status/P2.md" } ]
on_complete = { run = "report" }
${loopPair("heal")}
[[agent]]
name = "report"
kind = "task"
enabled = false
prompt = "write the report"
`,
      { "prompts/kickoff.md": "phase {phase_id} as {role}\n", "status/P1.md": "## DONE\nnot yet\n", "status/P2.md": "## DONE\npending\n" },
    ));
    fleet.watchdog();
    await waitFor("loops started", async () => (await fleet!.pid("t-builder")) && (await fleet!.pid("t-adversary")));
    await sleep(1500);
    expect(fleet.read(".state/state/phase-idx")).toBeUndefined();
    fleet.write("status/P1.md", "## DONE\nP1 shipped: the thing works\n");
    await waitFor("advanced to P2", () => fleet!.read(".state/state/phase-idx")?.trim() === "1");
    await waitFor("P2 kickoff", () => fleet!.read(".state/state/kickoff-t-builder.txt")?.startsWith("phase P2 as builder"));
    await waitFor("loops back", async () => (await fleet!.pid("t-builder")) && (await fleet!.pid("t-adversary")));
    fleet.write(".state/.run-on-complete", "");
    fleet.write("status/P2.md", "## DONE\nP2 shipped\n");
    await waitFor("sequence complete", () => fleet!.read(".state/SEQUENCE-COMPLETE"));
    await waitFor("report started", () => fleet!.pid("t-report"));
    expect(existsSync(path.join(fleet.dir, ".state/.run-on-complete"))).toBe(false);
    await sleep(2500);
    expect(await fleet.pid("t-builder")).toBeUndefined();
    expect(await fleet.pid("t-adversary")).toBeUndefined();
    expect(fleet.events().filter((e) => e.action === "sequence-complete")).toHaveLength(1);
  });

  it("keeps healing on the last good config when an edit does not validate", async () => {
    const toml = `${BASE}
[[agent]]
name = "a"
watch = "heal"
prompt = "go"
`;
    const fleet = fleets.set(new TestFleet(toml));
    fleet.watchdog();
    const first = await waitFor("a started", () => fleet!.pid("t-a"));
    fleet.write("agents.toml", toml.replace('watch = "heal"', 'watch = "sometimes"'));
    await waitFor("config error logged", () => fleet!.events().find((e) => e.action === "config-invalid"));
    await fleet.tmux.killSession("t-a");
    await waitFor("healed anyway", async () => {
      const p = await fleet!.pid("t-a");
      return p !== undefined && p !== first;
    });
    const status = await fleet.cli(["status"]);
    expect(status.exitCode).toBe(2); // the CLI itself refuses the broken file...
    fleet.write("agents.toml", toml);
    await waitFor("recovered", () => fleet!.events().find((e) => e.action === "config-recovered"));
    expect(fleet.events().filter((e) => e.action === "config-invalid")).toHaveLength(1);
  });

  it("refuses a second watchdog, and exits 0 on SIGTERM releasing the lock", async () => {
    const fleet = soloFleet("heal");
    const first = fleet.watchdog();
    await waitFor("first is up", () => fleet!.events().find((e) => e.action === "watchdog-up"));
    const second = await fleet.watchdog();
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/another watchdog \(pid \d+, since .*\) already supervises this fleet/);
    first.kill("SIGTERM");
    const done = await first;
    expect(done.exitCode).toBe(0);
    expect(existsSync(path.join(fleet.dir, ".state/state/watchdog.lock"))).toBe(false);
  });

  it("parks a crash-looping agent and `up <name>` unparks it", async () => {
    const fleet = fleets.set(new TestFleet(`${base({ restart_budget: 3 })}
[[agent]]
name = "crash"
watch = "heal"
prompt = "go"
env = { DEMO_EXIT = "1" }
`));
    fleet.watchdog();
    const parked = await waitFor("parked", () => fleet!.eventsFor("crash", "parked")[0], 30_000);
    expect(String(parked.reason)).toMatch(/^3 restarts in 600s; last: session missing/);
    await sleep(2500);
    expect(fleet.eventsFor("crash", "restarted")).toHaveLength(3);
    const st = JSON.parse((await fleet.cli(["status", "--json"])).stdout);
    expect(st.rows[0].doing).toMatch(/^parked: 3 restarts in 600s/);
    const up = await fleet.cli(["up", "crash"]);
    expect(up.stdout).toMatch(/crash: unparked/);
    await waitFor("unparked event", () => fleet!.eventsFor("crash", "unparked")[0]);
  });
});

describe("watchdog reacts and remembers", () => {
  it("advances within seconds of a status file change, without waiting for the heavy tick", async () => {
    const fleet = fleets.set(new TestFleet(
      `${base({ heavy_interval: 120 })}
[loop]
phases = [ { id = "P1", status = "status/P1.md" }, { id = "P2", status = "status/P2.md" } ]
[[agent]]
name = "builder"
kind = "loop"
role = "builder"
watch = "heal"
`,
      { "status/P1.md": "## DONE\nnot yet\n", "status/P2.md": "## DONE\nTBD\n" },
    ));
    fleet.watchdog();
    await waitFor("builder started", () => fleet!.pid("t-builder"));
    await sleep(1500);
    const t = Date.now();
    fleet.write("status/P1.md", "## DONE\nP1 shipped\n");
    await waitFor("advanced", () => fleet!.read(".state/state/phase-idx")?.trim() === "1", 10_000, 100);
    expect(Date.now() - t).toBeLessThan(4000);
  });

  it("a usage-limit hold survives a watchdog restart", async () => {
    const fleet = soloFleet("heal+stall");
    const first = fleet.watchdog();
    await waitFor("a started", () => fleet!.pid("t-a"));
    const reset = limitBanner(1, "3am");
    await fleet.type("t-a", `/limit ${reset.banner}`);
    await waitFor("hold", () => fleet!.eventsFor("a", "limit-hold")[0]);
    first.kill("SIGTERM");
    await first;
    fleet.watchdog();
    await waitFor("second watchdog ticking", () => fleet!.events().filter((e) => e.action === "watchdog-up").length === 2);
    await sleep(5000);
    expect(fleet.eventsFor("a", "limit-hold")).toHaveLength(1);
    expect(restarts(fleet, "a")).toEqual([]);
    const st = JSON.parse((await fleet.cli(["status", "--json"])).stdout);
    expect(st.rows[0].doing).toBe(`limited until ${reset.day}T03:00:00Z`);
  });
});
