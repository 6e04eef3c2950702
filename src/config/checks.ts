// The config's checks against the disk: files it names must be regular files, dirs it names must
// not be something else. Kept free of heavy imports: the status cache stats these same paths on
// every hit to know whether a cached verdict still holds.
import { statSync } from "node:fs";

/** One path the config names, and what it must be. */
export interface PathCheck {
  /** The key it came from, for the error line: `agent[0](a).prompt_file`. */
  key: string;
  /** Absolute. */
  path: string;
  /** "file": must exist and be a regular file. "dir": may be missing (it is created), else must be a directory. */
  want: "file" | "dir";
  /** For a "file": the problem when it is missing ("file not found", "role prompt not found"). */
  missing?: string;
}

/** What is at a path: "f" regular file, "d" directory, "o" something else, "-" nothing (or unreadable). */
export type PathKind = "f" | "d" | "o" | "-";

export function pathKind(p: string): PathKind {
  try {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return "-";
    return st.isFile() ? "f" : st.isDirectory() ? "d" : "o";
  } catch {
    return "-";
  }
}

/** The problem with a path of this kind, or undefined when it is fine. */
export function pathProblem(check: PathCheck, kind: PathKind): string | undefined {
  if (check.want === "dir") return kind === "-" || kind === "d" ? undefined : `is not a directory: ${check.path}`;
  if (kind === "f") return undefined;
  if (kind === "-") return `${check.missing ?? "file not found"}: ${check.path}`;
  return kind === "d" ? `is a directory, not a file: ${check.path}` : `is not a regular file: ${check.path}`;
}

/** One `<file>: <key>: <problem>` line per failing check, in order, each once. */
export function runChecks(file: string, checks: readonly PathCheck[]): string[] {
  const lines = new Set<string>();
  for (const c of checks) {
    const problem = pathProblem(c, pathKind(c.path));
    if (problem) lines.add(`${file}: ${c.key}: ${problem}`);
  }
  return [...lines];
}
