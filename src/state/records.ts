// Evidence kept beside an event: what the screen showed when the watchdog logged a detection-drift
// or was about to kill, restart or park an agent (death forensics: the screen is gone after), with
// the pane as tmux described it and the tail of the session log. One JSON file per event, named
// `<agent>-<event>-<ISO time with - for : and .>.json`; events carry that name as `record`. Only
// the newest `keep` per agent are kept ([watchdog] records_keep): a drift that repeats, or a
// crash loop, must not fill log_dir.
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { readRegularFile } from "./regular-file.js";
import { writeFileAtomic } from "./files.js";
import { recordsDir, screenRecordFile, type PathFleet } from "./paths.js";

/** How many records each agent keeps (the newest) unless [watchdog] records_keep says otherwise. */
export const RECORDS_KEEP = 20;

/** The pane as `tmux list-panes` described it just before the action. */
export interface PaneSnapshot {
  command: string;
  title: string;
  dead: boolean;
  /** Exit status of a dead pane's process (absent when a signal ended it). */
  deadStatus?: number;
  /** The signal that ended a dead pane's process. */
  deadSignal?: number;
  pid?: number;
}

export interface ScreenRecord {
  agent: string;
  /** What was about to happen: "killed", "restarted", "parked", or the note's event ("detection-drift"). */
  event: string;
  /** Epoch ms. */
  at: number;
  /** The decision's reason, as the event logs it. */
  reason: string;
  /** The decided action's type ("kill", "start", "park", "note"). */
  action?: string;
  evidence?: Record<string, unknown>;
  /** The pane; null when there was none (the session was already gone). */
  pane?: PaneSnapshot | null;
  /** The captured pane text, scrollback included (undefined when the pane could not be captured). */
  screen?: string;
  /** How many scrollback lines above the visible screen were asked for. */
  history?: number;
  /** The session log's last lines, escapes stripped, and the file they came from. */
  sessionLog?: { file: string; lines: string[] };
}

/** A record found on disk, by its name. */
export interface RecordRef {
  name: string;
  agent: string;
  event: string;
  /** Epoch ms, from the name. */
  at: number;
}

/** Write the record; returns its path. Throws when log_dir cannot be written (the caller logs it). */
export function writeScreenRecord(fleet: PathFleet, rec: ScreenRecord, keep = RECORDS_KEEP): string {
  const file = screenRecordFile(fleet, rec.agent, rec.event, rec.at);
  writeFileAtomic(file, JSON.stringify(rec, null, 2) + "\n");
  try {
    pruneScreenRecords(fleet, rec.agent, keep);
  } catch {
    // Pruning is housekeeping: the record is written, which is what the caller asked for.
  }
  return file;
}

/** The time in a record's name, which sorts as text. */
const STAMP = /-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.json$/;

const stampMs = (m: RegExpExecArray): number => Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);

function readRecordFile(file: string): ScreenRecord | undefined {
  try {
    const rec = JSON.parse(readRegularFile(file)) as ScreenRecord | null;
    return rec && typeof rec === "object" && typeof rec.agent === "string" && typeof rec.event === "string" ? rec : undefined;
  } catch {
    return undefined; // unreadable or not ours
  }
}

/**
 * `agent`'s records, newest first: only those stamped at or after `sinceMs`, and at most `limit`.
 * Names alone cannot tell agent "a" with event "b-drift" from agent "a-b" with event "drift", so a
 * candidate is opened and checked by its `agent` field, newest first, until `limit` are found
 * (`status` asks for one: it reads one file per agent, not every record).
 */
export function listRecords(fleet: PathFleet, agent: string, sinceMs = 0, limit = Infinity): RecordRef[] {
  let names: string[];
  try {
    names = readdirSync(recordsDir(fleet));
  } catch {
    return []; // no records yet
  }
  const candidates: Array<{ name: string; at: number }> = [];
  for (const name of names) {
    const m = STAMP.exec(name);
    if (!m || !name.startsWith(`${agent}-`)) continue;
    const at = stampMs(m);
    if (at >= sinceMs) candidates.push({ name, at });
  }
  candidates.sort((a, b) => b.at - a.at || b.name.localeCompare(a.name));
  const mine: RecordRef[] = [];
  for (const c of candidates) {
    if (mine.length >= limit) break;
    const rec = readRecordFile(path.join(recordsDir(fleet), c.name));
    if (rec?.agent === agent) mine.push({ name: c.name, agent, event: rec.event, at: c.at });
  }
  return mine;
}

/** Where the record of this name is (a full path, for people to open). */
export const recordFile = (fleet: PathFleet, name: string): string => path.join(recordsDir(fleet), path.basename(name));

/** A record by its name (as events carry it); undefined when absent, unreadable, or not a record name. */
export function readRecord(fleet: PathFleet, name: string): ScreenRecord | undefined {
  if (name !== path.basename(name) || !STAMP.test(name)) return undefined;
  return readRecordFile(path.join(recordsDir(fleet), name));
}

/** Remove all but the newest `keep` records of `agent`. Returns the files removed. */
export function pruneScreenRecords(fleet: PathFleet, agent: string, keep = RECORDS_KEEP): string[] {
  const old = listRecords(fleet, agent)
    .slice(Math.max(0, keep))
    .map((r) => path.join(recordsDir(fleet), r.name));
  for (const f of old) rmSync(f, { force: true });
  return old;
}
