// Evidence kept beside an event: the screen as it was when the watchdog logged a detection-drift
// (or took a step against a stuck agent), so a human can see what each witness said. Only the last
// RECORDS_KEEP per agent are kept: a drift that repeats every tick must not fill log_dir.
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { readRegularFile } from "./regular-file.js";
import { writeFileAtomic } from "./files.js";
import { recordsDir, screenRecordFile, type PathFleet } from "./paths.js";

/** How many records each agent keeps (the newest). */
export const RECORDS_KEEP = 20;

export interface ScreenRecord {
  agent: string;
  event: string;
  /** Epoch ms. */
  at: number;
  reason: string;
  evidence?: Record<string, unknown>;
  /** The captured pane text (undefined when the pane could not be captured). */
  screen?: string;
}

/** Write the record; returns its path. Throws when log_dir cannot be written (the caller logs it). */
export function writeScreenRecord(fleet: PathFleet, rec: ScreenRecord): string {
  const file = screenRecordFile(fleet, rec.agent, rec.event, rec.at);
  writeFileAtomic(file, JSON.stringify(rec, null, 2) + "\n");
  try {
    pruneScreenRecords(fleet, rec.agent);
  } catch {
    // Pruning is housekeeping: the record is written, which is what the caller asked for.
  }
  return file;
}

/** `<agent>-<event>-<ISO time with - for : and .>.json`: the time, which sorts as text. */
const STAMP = /-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.json$/;

/**
 * Remove all but the newest `keep` records of `agent`. Names alone cannot tell agent "a" with
 * event "b-drift" from agent "a-b" with event "drift", so a candidate is checked by its `agent`
 * field (records are small, and this runs only when one is written). Returns the files removed.
 */
export function pruneScreenRecords(fleet: PathFleet, agent: string, keep = RECORDS_KEEP): string[] {
  const dir = recordsDir(fleet);
  const mine: Array<{ file: string; stamp: string }> = [];
  for (const name of readdirSync(dir)) {
    const m = STAMP.exec(name);
    if (!m || !name.startsWith(`${agent}-`)) continue;
    const file = path.join(dir, name);
    try {
      if ((JSON.parse(readRegularFile(file)) as { agent?: unknown }).agent !== agent) continue;
    } catch {
      continue; // unreadable or not ours: left alone
    }
    mine.push({ file, stamp: m[1]! });
  }
  mine.sort((a, b) => (a.stamp < b.stamp ? 1 : a.stamp > b.stamp ? -1 : b.file.localeCompare(a.file)));
  const old = mine.slice(keep).map((r) => r.file);
  for (const f of old) rmSync(f, { force: true });
  return old;
}
