// A service floods its pane as fast as tmux passes output (~24 MB/s here) under a running watchdog
// on a private tmux server: its session log must stay under log_max_bytes the whole time, at most
// log_keep rotated parts may exist, and the last lines printed before the flood stopped must be
// in the live log or `.1`. signal_interval is 30 s: rotation must not wait for the signal tick.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TestFleet, baseToml, sleep, useTestFleet, waitFor } from "./harness.js";

// 16 MiB: a cap must leave room for what a flood writes between two looks (100 ms apart at the
// closest, plus a rotation's tmux call to a server busy with the flood, measured up to ~200 ms
// alone): 4 MiB peaked at 3.1-4.1 MB here, and 8 MiB once reached 8.56 MB while the whole suite ran
// beside it (the pipe switch took > 200 ms). Disk use stays under 3 x 16 MiB.
const CAP = 16 * 1024 * 1024;
const KEEP = 2;
const FLOOD_S = 5;

const TOML = `${baseToml({
  defaults: { env: undefined, log_max_bytes: CAP, log_keep: KEEP },
  watchdog: { signal_interval: 30, heavy_interval: 300, restart_backoff: undefined },
})}
[[service]]
name = "flood"
command = "timeout ${FLOOD_S} yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde; seq -f 'tail-%g' 1 500; echo FLOOD-END; exec sleep 600"
`;

const fleets = useTestFleet();

describe("capped session logs on a real tmux server", () => {
  it("a flooding service's log stays under its cap, keeps log_keep parts, and loses none of its last lines", async () => {
    const f = fleets.set(new TestFleet(TOML));
    const live = path.join(f.dir, ".state", "t-flood.log");
    const part = (n: number) => `${live}.${n}`;
    const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

    f.watchdog();
    await waitFor("watchdog up", () => f.events().some((e) => e.action === "watchdog-up"));
    expect((await f.cli(["up", "flood"])).exitCode).toBe(0);

    // Sample the live log as often as the test can until the flood is over and the tail is written.
    let largest = 0;
    let drops = 0;
    let last = 0;
    let mostParts = 0;
    let largestPart = 0;
    const until = Date.now() + (FLOOD_S + 3) * 1000;
    while (Date.now() < until) {
      const s = size(live);
      largest = Math.max(largest, s);
      if (s < last) drops++;
      last = s;
      mostParts = Math.max(mostParts, [1, 2, 3, 4].filter((n) => existsSync(part(n))).length);
      largestPart = Math.max(largestPart, size(part(1)));
      await sleep(5);
    }

    expect(largest, `largest live log seen: ${largest} bytes`).toBeLessThan(CAP);
    // The flood was rotated many times over, yet only log_keep parts ever existed.
    expect(drops).toBeGreaterThan(5);
    expect(existsSync(part(KEEP))).toBe(true);
    expect(mostParts).toBeLessThanOrEqual(KEEP);
    // Each rotation re-pointed the pane's pipe: the old one stopped writing `.1` and a new live log
    // began. (`.1` also gets what arrived while tmux switched pipes, so it may pass the threshold;
    // without the switch it would grow for the whole flood.)
    expect(largestPart, `largest .1 seen: ${largestPart} bytes`).toBeLessThan(2 * CAP);
    expect(existsSync(live)).toBe(true);
    const text = [part(1), live].filter(existsSync).map((p) => readFileSync(p, "utf8")).join("");
    const lines = text.split(/\r?\n/);
    for (let n = 491; n <= 500; n++) expect(lines, `tail-${n}`).toContain(`tail-${n}`);
    expect(lines).toContain("FLOOD-END");
    expect(f.events().some((e) => e.action === "log-rotated" && e.agent === "flood")).toBe(true);
  });
});
