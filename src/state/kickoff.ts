// Files a start leaves behind for the agent: its kickoff prompt, and the conversation id to resume.
import { readTextOr, writeFileAtomic } from "./files.js";
import { ensureRuntimeDir, fallbackKickoffFile, kickoffFile, resumeIdFile, type PathFleet } from "./paths.js";

/**
 * Write the kickoff text an agent reads at start; returns the file's path. A start must not
 * depend on log_dir being writable (full, read-only, a file in the way): then the kickoff goes to
 * the private runtime dir instead, and only when that fails too does the start fail.
 */
export function writeKickoff(fleet: PathFleet, session: string, text: string): string {
  const file = kickoffFile(fleet, session);
  try {
    writeFileAtomic(file, text);
    return file;
  } catch {
    ensureRuntimeDir(fleet);
    const fallback = fallbackKickoffFile(fleet, session);
    writeFileAtomic(fallback, text, { mode: 0o600 });
    return fallback;
  }
}

export function readResumeId(fleet: PathFleet, agent: string): string | undefined {
  return readTextOr(resumeIdFile(fleet, agent), "")!.trim() || undefined;
}
