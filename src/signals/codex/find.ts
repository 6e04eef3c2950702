// Which rollout is an agent's own. Codex 0.169.0 names it
// $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<local start time>-<thread id>.jsonl and creates it on
// the first prompt, not at start-up (an agent started without a prompt has none yet). Its first
// line is `session_meta` with the thread id, the thread's creation time (UTC, taken when the TUI
// started) and its cwd. `codex resume` appends to the existing file, in its original day folder.
import { closeSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openRegular, parseJsonLine } from "../lines.js";

const DAY_MS = 86_400_000;
/** session_meta is stamped by Codex's clock a moment after our `since` (same machine): room for a
 * `since` taken with whole-second precision, or just after the spawn. */
const START_SLACK_MS = 5_000;
/** The first line holds Codex's whole system prompt (~22 KiB in 0.169.0). */
const FIRST_LINE_MAX = 1 << 20;

/** $CODEX_HOME, else ~/.codex, as the agent's environment sets them. */
export function codexHome(env: Record<string, string | undefined> = process.env): string {
  return env.CODEX_HOME || path.join(env.HOME || os.homedir(), ".codex");
}

export interface SessionMeta {
  id?: string;
  cwd?: string;
  /** Epoch ms the thread was created. */
  createdAt?: number;
}

/** The first record of a rollout (session_meta), or undefined when the file has none yet. */
export function readSessionMeta(file: string): SessionMeta | undefined {
  // Non-blocking and only a regular file: a FIFO named like a rollout must not hang the watchdog.
  const fd = openRegular(file);
  if (fd === undefined) return undefined;
  try {
    const chunks: Buffer[] = [];
    let pos = 0;
    while (pos < FIRST_LINE_MAX) {
      const buf = Buffer.alloc(64 << 10);
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) return undefined; // no complete first line yet
      const nl = buf.subarray(0, n).indexOf(0x0a);
      chunks.push(buf.subarray(0, nl < 0 ? n : nl));
      if (nl >= 0) break;
      pos += n;
    }
    const rec = parseJsonLine(Buffer.concat(chunks).toString("utf8"));
    const p = rec?.type === "session_meta" && typeof rec.payload === "object" && rec.payload ? (rec.payload as Record<string, unknown>) : undefined;
    if (!p) return undefined;
    const created = Date.parse(String(p.timestamp ?? rec!.timestamp ?? ""));
    return {
      id: typeof p.id === "string" ? p.id : undefined,
      cwd: typeof p.cwd === "string" ? p.cwd : undefined,
      createdAt: Number.isNaN(created) ? undefined : created,
    };
  } finally {
    closeSync(fd);
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Day folders (YYYY/MM/DD), newest first; only those that can hold a file of [from, to] when set. */
function dayDirs(sessions: string, from?: number, to?: number): string[] {
  // Folders are named by Codex's local date: widen by a day each side to cover any zone.
  const lo = from === undefined ? "" : ymd(from - DAY_MS);
  const hi = to === undefined ? "9999/99/99" : ymd(to + DAY_MS);
  const out: string[] = [];
  for (const y of list(sessions).filter((d) => /^\d{4}$/.test(d))) {
    for (const m of list(path.join(sessions, y)).filter((d) => /^\d{2}$/.test(d))) {
      for (const d of list(path.join(sessions, y, m)).filter((x) => /^\d{2}$/.test(x))) {
        const key = `${y}/${m}/${d}`;
        if (key >= lo && key <= hi) out.push(key);
      }
    }
  }
  return out.sort().reverse().map((k) => path.join(sessions, k));
}

function ymd(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${String(d.getUTCDate()).padStart(2, "0")}`;
}

/** The folder as given and as the process sees it (Codex records its physical cwd). */
function sameDir(a: string, b: string): boolean {
  const norm = (p: string) => {
    const r = path.resolve(p);
    try {
      return [r, realpathSync(r)];
    } catch {
      return [r];
    }
  };
  const bs = norm(b);
  return norm(a).some((x) => bs.includes(x));
}

/**
 * The agent's own rollout under `codexHome`:
 * - with `threadId` (a resumed thread): the rollout named after it, wherever its day folder is;
 * - else the newest thread created at or after `since` (epoch ms, the agent's start) whose file was
 *   written since, in folder `cwd` when given.
 * Two agents sharing one CODEX_HOME and one folder, started together, cannot be told apart here:
 * give each its own CODEX_HOME, or pin it by thread id once known.
 */
export function findRollout(codexHome: string, since: number, cwd?: string, threadId?: string): string | undefined {
  const sessions = path.join(codexHome, "sessions");
  if (threadId) {
    const suffix = `-${threadId}.jsonl`;
    for (const dir of dayDirs(sessions)) {
      const hit = list(dir).find((f) => f.startsWith("rollout-") && f.endsWith(suffix));
      if (hit) return path.join(dir, hit);
    }
    return undefined;
  }
  let best: { file: string; createdAt: number } | undefined;
  for (const dir of dayDirs(sessions, since, Date.now())) {
    for (const name of list(dir)) {
      if (!name.startsWith("rollout-") || !name.endsWith(".jsonl")) continue;
      const file = path.join(dir, name);
      try {
        if (statSync(file).mtimeMs < since - START_SLACK_MS) continue;
      } catch {
        continue;
      }
      const meta = readSessionMeta(file);
      if (meta?.createdAt === undefined || meta.createdAt < since - START_SLACK_MS) continue;
      if (cwd !== undefined && (meta.cwd === undefined || !sameDir(meta.cwd, cwd))) continue;
      if (!best || meta.createdAt > best.createdAt) best = { file, createdAt: meta.createdAt };
    }
  }
  return best?.file;
}
