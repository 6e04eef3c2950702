// Issue 11: activity counts when the pane's content keeps changing, whatever the regexes say. A
// user-defined backend whose active_re never matches its streaming output must not be stall-killed
// while its screen visibly moves; once the screen stops, the stall rule still applies.
import { describe, expect, it } from "vitest";
import { TestFleet, baseToml, sleep, useTestFleet, waitFor } from "./harness.js";

const TOML = `${baseToml({ defaults: { backend: "streamer" } })}
[backend.streamer]
preset = "demo"
active_re = "NEVERMATCHES"
stall_idle = 4

[[agent]]
name = "a"
watch = "heal+stall"
prompt = "go"
`;

const fleets = useTestFleet();

const stallRestarts = (f: TestFleet) => f.eventsFor("a", "restarted").filter((e) => String(e.reason).startsWith("idle "));

describe("screen activity", () => {
  it("a moving screen is never a stall; a still one is", async () => {
    const fleet = fleets.set(new TestFleet(TOML));
    fleet.watchdog();
    const pid = await waitFor("a started", () => fleet!.pid("t-a"));
    await waitFor("it prints working lines", async () => (await fleet!.screen("t-a")).includes("working..."));
    // Three times stall_idle of output that active_re never matches.
    await sleep(12_000);
    expect(stallRestarts(fleet)).toEqual([]);
    expect(await fleet.pid("t-a")).toBe(pid);
    // Now it falls silent (no prompt line matches active_re either): rebooted after stall_idle.
    await fleet.type("t-a", "/quiet");
    await waitFor("stall reboot", () => stallRestarts(fleet!).length > 0, 15_000);
  }, 40_000);
});
