// Can log_dir be written? Probed without writing anything (status must not add to a full disk or
// trip over a read-only one): existence, type, write permission, free blocks and inodes.
import { accessSync, constants, statSync, statfsSync } from "node:fs";

export const LOG_DIR_STATES = ["ok", "full", "read-only", "missing", "not-a-directory"] as const;
export type LogDirState = (typeof LOG_DIR_STATES)[number];

export interface LogDirHealth {
  path: string;
  state: LogDirState;
  /** The errno or figure behind a state other than ok (EROFS, "0 blocks free"). */
  detail?: string;
}

/** What the probe saw; each field is read only when the ones before it allow. */
export interface LogDirFacts {
  /** stat's errno, or "dir" / "other" when stat worked. */
  kind: "dir" | "other" | string;
  /** accessSync(W_OK)'s errno, undefined when writable. */
  writeError?: string;
  /** statfs: blocks available to us, inodes in total (0: not counted) and free. */
  bavail?: number;
  files?: number;
  ffree?: number;
}

/** Pure: the state those facts mean. */
export function classifyLogDir(facts: LogDirFacts): { state: LogDirState; detail?: string } {
  if (facts.kind === "other") return { state: "not-a-directory" };
  // ENOTDIR: a component of the path is a file, so log_dir cannot exist either.
  if (facts.kind !== "dir") return { state: "missing", detail: facts.kind };
  if (facts.writeError) return { state: "read-only", detail: facts.writeError };
  if (facts.bavail === 0) return { state: "full", detail: "no blocks free" };
  if (facts.files !== undefined && facts.files > 0 && facts.ffree === 0) return { state: "full", detail: "no inodes free" };
  return { state: "ok" };
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

/** The facts about dir, read from the file system (never writing). */
export function logDirFacts(dir: string): LogDirFacts {
  let kind: string;
  try {
    kind = statSync(dir).isDirectory() ? "dir" : "other";
  } catch (err) {
    return { kind: errno(err) };
  }
  if (kind !== "dir") return { kind };
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    return { kind, writeError: errno(err) };
  }
  try {
    const fs = statfsSync(dir);
    return { kind, bavail: Number(fs.bavail), files: Number(fs.files), ffree: Number(fs.ffree) };
  } catch {
    return { kind }; // no statfs here: nothing says it is full
  }
}

export function probeLogDir(dir: string): LogDirHealth {
  return { path: dir, ...classifyLogDir(logDirFacts(dir)) };
}
