// Everything a test creates outside the repo is registered here and removed when its test file
// finishes: test/helpers/setup.ts (a vitest setupFile) runs cleanupTracked() in an afterAll that is
// registered before any of the file's own hooks, so it runs after them (vitest runs after-hooks in
// reverse order). Tests that clean up themselves still should: removal here is idempotent.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

type Cleanup = () => void | Promise<void>;

const dirs = new Set<string>();
const cleanups: Cleanup[] = [];

/** A fresh `agents-<tag>-XXXXXX` dir under os.tmpdir() (or `parent`), removed after the test file. */
export function tempDir(tag: string, parent: string = os.tmpdir()): string {
  return trackDir(mkdtempSync(path.join(parent, `agents-${tag}-`)));
}

/** Remove `dir` (recursively) after the test file; returns it. */
export function trackDir(dir: string): string {
  dirs.add(dir);
  return dir;
}

/** Run `fn` after the test file, before the tracked dirs are removed (latest registered first). */
export function onFileCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

/** Run every registered cleanup, then remove every tracked dir. Errors are collected and rethrown. */
export async function cleanupTracked(): Promise<void> {
  const errors: unknown[] = [];
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  }
  for (const dir of [...dirs].reverse()) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      errors.push(err);
    }
  }
  dirs.clear();
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, "test cleanup failed");
}
