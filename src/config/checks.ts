// The config's checks against the disk: files it names must be regular files this user can read;
// dirs it names must be directories this user can enter, or, when missing, creatable where they
// would be made. Kept free of heavy imports: the status cache repeats these checks on every hit to
// know whether a cached verdict still holds.
import { accessSync, constants, lstatSync, statSync, statfsSync } from "node:fs";
import path from "node:path";

/** One path the config names, and what it must be. */
export interface PathCheck {
  /** The key it came from, for the error line: `agent[0](a).prompt_file`. */
  key: string;
  /** Absolute. */
  path: string;
  /** "file": must exist, be a regular file and be readable. "dir": a searchable directory, or missing (it is created). */
  want: "file" | "dir";
  /** For a "file": the problem when it is missing ("file not found", "role prompt not found"). */
  missing?: string;
  /**
   * For a "dir" the product writes into (log_dir): only its kind is a config matter; whether it can
   * be created or written is runtime health (state/ falls back elsewhere). Except /proc, where
   * making anything hangs Node (see procfsProblem).
   */
  writesInside?: boolean;
}

/** What is at a path: "f" regular file, "d" directory, "o" something else, "-" nothing, "?" cannot tell (no search permission on the way, a symlink loop). */
export type PathKind = "f" | "d" | "o" | "-" | "?";

export function pathKind(p: string): PathKind {
  try {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return "-";
    return st.isFile() ? "f" : st.isDirectory() ? "d" : "o";
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOTDIR" ? "-" : "?";
  }
}

/** The problem with a path of this kind, or undefined when its kind is fine. Pure. */
export function pathProblem(check: PathCheck, kind: PathKind): string | undefined {
  if (kind === "?") return `cannot be checked (a directory on the way cannot be searched, or a symlink loop): ${check.path}`;
  if (check.want === "dir") return kind === "-" || kind === "d" ? undefined : `is not a directory: ${check.path}`;
  if (kind === "f") return undefined;
  if (kind === "-") return `${check.missing ?? "file not found"}: ${check.path}`;
  return kind === "d" ? `is a directory, not a file: ${check.path}` : `is not a regular file: ${check.path}`;
}

function can(p: string, mode: number): boolean {
  try {
    accessSync(p, mode);
    return true;
  } catch {
    return false;
  }
}

/** Linux's PROC_SUPER_MAGIC. */
const PROCFS = 0x9fa0;

/**
 * mkdir in procfs fails with ENOENT although the parent exists, and Node's recursive mkdir then
 * retries parent and child forever (a silent 100% CPU hang). So a dir made there, or one whose
 * state/ is made inside it, is refused up front.
 */
function onProcfs(p: string): boolean {
  try {
    return statfsSync(p).type === PROCFS;
  } catch {
    return false;
  }
}

/** The nearest path at or above `p` that exists (lstat: a broken symlink exists). */
function nearestExisting(p: string): string {
  let a = p;
  for (;;) {
    try {
      lstatSync(a);
      return a;
    } catch {
      const up = path.dirname(a);
      if (up === a) return a;
      a = up;
    }
  }
}

/** Why a missing dir could not be created, or undefined. */
function creationProblem(check: PathCheck): string | undefined {
  const a = nearestExisting(path.dirname(check.path));
  const kind = pathKind(a);
  const onProc = kind === "d" && onProcfs(a);
  if (onProc) return `is under /proc (procfs), where no directory can be created: ${check.path}`;
  if (check.writesInside) return undefined;
  if (kind === "-") return `cannot be created (${a} is a broken symbolic link): ${check.path}`;
  if (kind !== "d") return `cannot be created (${a} is not a directory): ${check.path}`;
  if (!can(a, constants.W_OK | constants.X_OK)) return `cannot be created (${a} is not writable): ${check.path}`;
  return undefined;
}

/** The problem with what is on disk at the check's path now, or undefined. */
export function checkPath(check: PathCheck): { kind: PathKind; problem?: string } {
  const kind = pathKind(check.path);
  const problem =
    pathProblem(check, kind) ??
    (check.want === "file"
      ? can(check.path, constants.R_OK)
        ? undefined
        : `is not readable: ${check.path}`
      : kind === "d"
        ? !can(check.path, constants.X_OK)
          ? `is not searchable (no execute permission): ${check.path}`
          : check.writesInside && onProcfs(check.path)
            ? `is under /proc (procfs), where no directory can be created: ${check.path}`
            : undefined
        : creationProblem(check));
  return problem === undefined ? { kind } : { kind, problem };
}

/** One `<file>: <key>: <problem>` line per failing check, in order, each once. */
export function runChecks(file: string, checks: readonly PathCheck[]): string[] {
  const lines = new Set<string>();
  for (const c of checks) {
    const { problem } = checkPath(c);
    if (problem) lines.add(`${file}: ${c.key}: ${problem}`);
  }
  return [...lines];
}
