// [watchdog] records_keep: how many forensic records each agent keeps. Bounded, one line when out
// of range, and a config without it loads with the default.
import { describe, expect, test } from "vitest";
import { RECORDS_KEEP } from "../../src/state/records.js";
import { MINIMAL, project } from "../helpers/project.js";

const AGENT = `[[agent]]\nname = "a"\n`;

describe("[watchdog] records_keep", () => {
  test("absent: the default", () => {
    expect(project(`${MINIMAL}${AGENT}`).load().watchdog.records_keep).toBe(RECORDS_KEEP);
  });

  test.each<[string, number | string]>([
    ["1", 1],
    ["1000", 1000],
    ["0", "must be at least 1"],
    ["1001", "must be at most 1000"],
    ["2.5", ""],
    ['"20"', ""],
  ])("records_keep = %s", (value, want) => {
    const p = project(`${MINIMAL}${AGENT}[watchdog]\nrecords_keep = ${value}\n`);
    if (typeof want === "number") return expect(p.load().watchdog.records_keep).toBe(want);
    const lines = p.errors();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${p.file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: watchdog\\.records_keep: .*${want}`));
  });
});
