// Evidence kept beside an event: the screen as it was when the watchdog logged a detection-drift
// (or took a step against a stuck agent), so a human can see what each witness said.
import { writeFileAtomic } from "./files.js";
import { screenRecordFile, type PathFleet } from "./paths.js";

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
  return file;
}
