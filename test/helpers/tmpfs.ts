// A tiny tmpfs to play a misbehaving disk: filled to ENOSPC, or remounted read-only. Needs root
// and a kernel that lets us mount; tests that use it skip with `tmpfsSkipReason` otherwise. Every
// mount is lazily unmounted after its test file (even one that failed), before its dir is removed.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, rmdirSync, statfsSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { onFileCleanup } from "./tmp.js";

function run(cmd: string, args: string[]): { ok: boolean; err: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return { ok: r.status === 0, err: (r.stderr || r.error?.message || "").trim() };
}

function probe(): string | undefined {
  if (process.getuid?.() !== 0) return "not root: mounting a tmpfs needs root";
  const dir = mkdtempSync(path.join(os.tmpdir(), "agents-mountprobe-"));
  try {
    const m = run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    if (!m.ok) return `mount -t tmpfs is not permitted here (${m.err})`;
    run("umount", ["-l", dir]);
    return undefined;
  } finally {
    rmdirSync(dir);
  }
}

/** Why tmpfs tests cannot run here, or undefined when they can. */
export const tmpfsSkipReason: string | undefined = probe();
if (tmpfsSkipReason) console.warn(`skipping disk-fault tests: ${tmpfsSkipReason}`);

export interface Tmpfs {
  readonly dir: string;
  /** Write zeros until ENOSPC (a file named .filler): no block is left for anyone. */
  fill(): void;
  /** Delete the filler: room again. */
  unfill(): void;
  readOnly(): void;
  readWrite(): void;
  /** Lazily unmount (works while files on it are still open); safe to call twice. */
  unmount(): void;
}

/** Mount a tmpfs of sizeKb at dir (created if needed). */
export function mountTmpfs(dir: string, sizeKb = 256): Tmpfs {
  mkdirSync(dir, { recursive: true });
  const m = run("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k,mode=0755`, "tmpfs", dir]);
  if (!m.ok) throw new Error(`mount tmpfs at ${dir}: ${m.err}`);
  let mounted = true;
  const filler = path.join(dir, ".filler");
  const unmount = () => {
    if (!mounted) return;
    mounted = false;
    const u = run("umount", ["-l", dir]);
    if (!u.ok) throw new Error(`umount ${dir}: ${u.err}`);
  };
  onFileCleanup(unmount);
  const remount = (mode: "ro" | "rw") => {
    const r = run("mount", ["-o", `remount,${mode}`, dir]);
    if (!r.ok) throw new Error(`remount ${mode} ${dir}: ${r.err}`);
  };
  return {
    dir,
    fill() {
      const fd = openSync(filler, "a");
      const chunk = Buffer.alloc(4096);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      } finally {
        closeSync(fd);
      }
      if (statfsSync(dir).bavail !== 0) throw new Error(`${dir} still has free blocks after filling`);
    },
    unfill() {
      rmSync(filler, { force: true });
    },
    readOnly: () => remount("ro"),
    readWrite: () => remount("rw"),
    unmount,
  };
}
