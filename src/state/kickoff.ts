// Files a start leaves behind for the agent: its kickoff prompt, and the conversation id to resume.
import { readTextOr, writeFileAtomic } from "./files.js";
import { kickoffFile, resumeIdFile, type PathFleet } from "./paths.js";

/** Write the kickoff text an agent reads at start; returns the file's path. */
export function writeKickoff(fleet: PathFleet, session: string, text: string): string {
  const file = kickoffFile(fleet, session);
  writeFileAtomic(file, text);
  return file;
}

export function readResumeId(fleet: PathFleet, agent: string): string | undefined {
  return readTextOr(resumeIdFile(fleet, agent), "")!.trim() || undefined;
}
