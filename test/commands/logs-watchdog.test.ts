// `agents logs watchdog -n N` across a rotation of the events log: the last N events, taken from
// `.1` (and older parts) when the live file holds fewer.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { rotatedWatchdogEventsFile, watchdogEventsFile } from "../../src/state/paths.js";
import { BASE, fleetFrom } from "../watchdog/helpers.js";

const jsonl = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${JSON.stringify({ action: "e", n: from + i })}\n`).join("");

async function logs(n: number) {
  const fleet = fleetFrom(`${BASE}log_keep = 3\n`);
  mkdirSync(path.dirname(watchdogEventsFile(fleet)), { recursive: true });
  writeFileSync(rotatedWatchdogEventsFile(fleet, 2), jsonl(1, 5));
  writeFileSync(rotatedWatchdogEventsFile(fleet, 1), jsonl(6, 10));
  writeFileSync(watchdogEventsFile(fleet), `${JSON.stringify({ action: "events-rotated", n: 11 })}\n`);
  const out: string[] = [];
  const code = await main(["logs", "watchdog", "--json", "-n", String(n), "--config", fleet.configPath], { out: (l) => out.push(l), err: () => {} });
  return { code, ns: out.map((l) => (JSON.parse(l) as { n: number }).n) };
}

describe("agents logs watchdog -n", () => {
  it("takes the last N events from the rotated parts when the live file is short", async () => {
    expect(await logs(3)).toEqual({ code: 0, ns: [9, 10, 11] });
    expect(await logs(8)).toEqual({ code: 0, ns: [4, 5, 6, 7, 8, 9, 10, 11] });
    expect(await logs(50)).toEqual({ code: 0, ns: Array.from({ length: 11 }, (_, i) => i + 1) });
    expect(await logs(1)).toEqual({ code: 0, ns: [11] });
  });
});
