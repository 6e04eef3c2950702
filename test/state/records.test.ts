// Screen records (state/records/): each agent keeps only its newest RECORDS_KEEP; another agent's,
// even one whose name starts with this one's, are never touched.
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { recordsDir, type PathFleet } from "../../src/state/paths.js";
import { listRecords, pruneScreenRecords, readRecord, RECORDS_KEEP, writeScreenRecord } from "../../src/state/records.js";
import { tempDir } from "../helpers/tmp.js";

const T0 = Date.parse("2026-12-02T07:00:00.000Z");

function fleet(): PathFleet {
  return { logDir: tempDir("records"), watchdogSession: "t-watchdog", loop: {} } as unknown as PathFleet;
}

const write = (f: PathFleet, agent: string, event: string, at: number) =>
  writeScreenRecord(f, { agent, event, at, reason: "screen says working, signals say idle", screen: "❯ " });

describe("screen records", () => {
  it(`keeps the newest ${RECORDS_KEEP} per agent; a longer name sharing the prefix is another agent`, () => {
    const f = fleet();
    // Agent "a-b" with event "drift" and agent "a" with event "b-drift" share the name prefix.
    for (let i = 0; i < 5; i++) write(f, "a-b", "drift", T0 + i * 1000);
    const files: string[] = [];
    for (let i = 0; i < RECORDS_KEEP + 7; i++) files.push(write(f, "a", i % 2 ? "b-drift" : "detection-drift", T0 + 60_000 + i * 1000));
    const names = readdirSync(recordsDir(f));
    const mine = names.filter((n) => files.includes(path.join(recordsDir(f), n)));
    expect(mine.sort()).toEqual(files.slice(-RECORDS_KEEP).map((p) => path.basename(p)).sort());
    expect(names.length).toBe(RECORDS_KEEP + 5);
  });

  it("a file that is not a record of ours is left alone; keep is a parameter", () => {
    const f = fleet();
    for (let i = 0; i < 4; i++) write(f, "x", "detection-drift", T0 + i * 1000);
    writeFileSync(path.join(recordsDir(f), "x-notes-2026-12-01T00-00-00-000Z.json"), "not json");
    const gone = pruneScreenRecords(f, "x", 1);
    expect(gone.map((p) => path.basename(p))).toEqual([
      "x-detection-drift-2026-12-02T07-00-02-000Z.json",
      "x-detection-drift-2026-12-02T07-00-01-000Z.json",
      "x-detection-drift-2026-12-02T07-00-00-000Z.json",
    ]);
    expect(readdirSync(recordsDir(f)).sort()).toEqual(["x-detection-drift-2026-12-02T07-00-03-000Z.json", "x-notes-2026-12-01T00-00-00-000Z.json"]);
  });

  it("keep comes from the caller ([watchdog] records_keep): with 2, a third record removes the oldest", () => {
    const f = fleet();
    const files = [0, 1, 2].map((i) => writeScreenRecord(f, { agent: "k", event: "killed", at: T0 + i * 1000, reason: `r${i}` }, 2));
    expect(readdirSync(recordsDir(f)).sort()).toEqual(files.slice(1).map((p) => path.basename(p)).sort());
  });

  it("lists an agent's records newest first (since a time), and reads one back by name only", () => {
    const f = fleet();
    write(f, "a-b", "drift", T0 + 5000);
    write(f, "a", "killed", T0);
    write(f, "a", "restarted", T0 + 2000);
    expect(listRecords(f, "a")).toEqual([
      { name: "a-restarted-2026-12-02T07-00-02-000Z.json", agent: "a", event: "restarted", at: T0 + 2000 },
      { name: "a-killed-2026-12-02T07-00-00-000Z.json", agent: "a", event: "killed", at: T0 },
    ]);
    expect(listRecords(f, "a", T0 + 1000).map((r) => r.event)).toEqual(["restarted"]);
    // With a limit: the newest of a's, skipping a-b's newer one (read and found not a's).
    expect(listRecords(f, "a", 0, 1).map((r) => r.event)).toEqual(["restarted"]);
    expect(listRecords(fleet(), "a")).toEqual([]); // no records folder yet
    expect(readRecord(f, "a-killed-2026-12-02T07-00-00-000Z.json")).toMatchObject({ agent: "a", event: "killed", at: T0 });
    expect(readRecord(f, "../records/a-killed-2026-12-02T07-00-00-000Z.json")).toBeUndefined();
    expect(readRecord(f, "a-killed-2026-12-02T07-00-09-000Z.json")).toBeUndefined();
  });
});
