// `mkdir -p` that always ends. Node 20's mkdirSync({ recursive: true }) spins forever at 100% CPU
// where mkdir of a child fails with ENOENT although its parent exists (procfs: /proc/x/y): it steps
// back, finds the parent, retries the child, and so on. A supervisor that must never hang cannot
// use it anywhere a user's path (log_dir, an agent's dir, XDG_*) may lead. This one creates one
// level at a time, retries a vanished parent a fixed number of times, and otherwise throws.
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";

/** Passes over the path: a parent removed while we create below it is made again, but not forever. */
const PASSES = 3;

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

function fsError(errCode: string, message: string, at: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${errCode}: ${message}, mkdir '${at}'`), { code: errCode, syscall: "mkdir", path: at });
}

/**
 * The levels of `dir` that do not exist yet, outermost first ([] when `dir` is a directory).
 * Throws what stat says about a level it cannot see (EACCES, ENOTDIR, ELOOP), and EEXIST when
 * `dir` itself is something other than a directory, as mkdir -p does.
 */
function missingLevels(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      if (statSync(d).isDirectory()) return missing;
    } catch (err) {
      if (code(err) !== "ENOENT") throw err;
      if (path.dirname(d) === d) throw fsError("ENOENT", "no such file or directory (the root is missing)", d);
      missing.unshift(d);
      continue;
    }
    // Something other than a directory: stat of a level below it would have said ENOTDIR.
    throw d === dir ? fsError("EEXIST", "file already exists and is not a directory", d) : fsError("ENOTDIR", "not a directory", d);
  }
}

/** Make one level; true when it is a directory afterwards (made by us, or by someone meanwhile). */
function makeLevel(d: string, mode: number | undefined): boolean {
  try {
    mkdirSync(d, mode === undefined ? undefined : { mode });
    return true;
  } catch (err) {
    if (code(err) === "ENOENT") return false;
    if (code(err) === "EEXIST" && statSync(d).isDirectory()) return true;
    throw err;
  }
}

/**
 * Create `dir` and any missing parents, like mkdirSync(dir, { recursive: true }) (`mode` applies to
 * every level created), but in a bounded number of steps: where mkdir keeps saying ENOENT under
 * a parent that exists, it throws an ENOENT error that says so instead of looping.
 */
export function mkdirp(dir: string, opts: { mode?: number } = {}): void {
  const target = path.resolve(dir);
  let stuck = target;
  for (let pass = 0; pass < PASSES; pass++) {
    const missing = missingLevels(target);
    const failed = missing.find((d) => !makeLevel(d, opts.mode));
    if (failed === undefined) return;
    stuck = failed;
  }
  throw fsError(
    "ENOENT",
    `mkdir keeps failing although ${path.dirname(stuck)} exists (a file system that allows no new directories there, such as /proc)`,
    stuck,
  );
}
