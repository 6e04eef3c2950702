// The conversation id an agent was launched with (Claude's `--session-id`), kept so that a restart
// with `resume = true` continues the same conversation instead of starting a new one.
import { readTextOr, writeFileAtomic } from "./files.js";
import { sessionIdFile, type PathFleet } from "./paths.js";

/** The stored id, or undefined when none was stored (or the file holds only whitespace). */
export function readSessionId(fleet: PathFleet, agent: string): string | undefined {
  return readTextOr(sessionIdFile(fleet, agent), "")!.trim() || undefined;
}

/** Store the id pinned at launch (atomically: a reader sees the old id or the new one). */
export function writeSessionId(fleet: PathFleet, agent: string, id: string): void {
  writeFileAtomic(sessionIdFile(fleet, agent), `${id}\n`);
}
