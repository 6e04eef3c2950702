// Pure: the lines of a Codex rollout ($CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread>.jsonl)
// folded into one SignalReading. Record shapes are the ones Codex CLI 0.169.0 wrote (the fixtures
// in test/fixtures/signals/codex/ are real rollouts): every line is `{timestamp, ordinal, type,
// payload}`; the first is `session_meta` (thread id, cwd), turns are `event_msg` payloads
// `task_started` … `task_complete` (or `turn_aborted` on Esc), and `token_count` carries the
// token totals and the account's rate-limit windows as Codex last heard them.
import { parseReset } from "../../detect/reset.js";
import type { RateWindow, SignalReading } from "../types.js";
import { parseJsonLine } from "../lines.js";

/** What the fold remembers besides the reading itself. */
export interface CodexMemory {
  /** The thread's folder, from session_meta (findRollout matches agents by it). */
  cwd?: string;
  /** The context window the current turn runs with (task_started/token_count). */
  contextWindow?: number;
  /** How the last turn ended when it ended on an error that is not a limit. */
  lastError?: { message: string; info?: string };
}

export interface CodexFoldOptions {
  /** The zone Codex prints wall times in ("try again at 8:40 AM"): the agent's TZ. */
  timeZone?: string;
}

export interface CodexFold {
  reading: SignalReading;
  memory: CodexMemory;
  /** Lines that parsed as a record. */
  records: number;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export function emptyCodexReading(): SignalReading {
  return { source: "codex", at: 0, grewAt: 0 };
}

/** `rate_limits: { primary: { used_percent, window_minutes, resets_at (epoch s) }, secondary }`. */
export function codexRateWindows(v: unknown): RateWindow[] | undefined {
  if (!isObj(v)) return undefined;
  const out: RateWindow[] = [];
  for (const name of ["primary", "secondary"]) {
    const w = v[name];
    // Null until the provider sent x-codex-* rate-limit headers (API-key accounts never do).
    if (!isObj(w)) continue;
    const resetsAt = num(w.resets_at);
    out.push({ name, usedPct: num(w.used_percent), windowMinutes: num(w.window_minutes), resetsAt: resetsAt !== undefined ? resetsAt * 1000 : undefined });
  }
  return out.length ? out : undefined;
}

/**
 * Whether a turn's error is a limit. `codex_error_info` is the string "usage_limit_exceeded" for a
 * usage limit; for transport failures it is an object keyed by kind whose `http_status_code` tells
 * a 429 (`response_too_many_failed_attempts`: Codex's own retries of a rate limit are spent, which
 * the screen rules read as limited too) from a 5xx (`http_connection_failed`, not a limit).
 */
export function limitKind(info: unknown): "usage" | "rate" | undefined {
  if (info === "usage_limit_exceeded") return "usage";
  if (!isObj(info)) return undefined;
  for (const v of Object.values(info)) if (isObj(v) && v.http_status_code === 429) return "rate";
  return undefined;
}

/** A short name for an error's kind, for a note ("usage_limit_exceeded", "http_connection_failed 529"). */
function infoText(info: unknown): string | undefined {
  if (typeof info === "string") return info;
  if (!isObj(info)) return undefined;
  const [kind, v] = Object.entries(info)[0] ?? [];
  if (!kind) return undefined;
  const code = isObj(v) ? num(v.http_status_code) : undefined;
  return code !== undefined ? `${kind} ${code}` : kind;
}

/**
 * When the limit in force lifts: the latest reset among windows the account reports used up
 * (the token_count written just before the failed task_complete says 100%), else the time in
 * Codex's own message ("… or try again at 8:40 AM."), read in the agent's zone from the record's time.
 */
export function codexLimitReset(windows: RateWindow[] | undefined, message: string | undefined, at: number, timeZone?: string): { resetsAt?: number; window?: string } {
  const spent = (windows ?? []).filter((w) => (w.usedPct ?? 0) >= 100 && w.resetsAt !== undefined);
  if (spent.length) {
    const last = spent.reduce((a, b) => (b.resetsAt! > a.resetsAt! ? b : a));
    return { resetsAt: last.resetsAt, window: last.name };
  }
  const parsed = message ? parseReset(message, new Date(at || Date.now()), timeZone) : undefined;
  return { resetsAt: parsed?.at };
}

function tokensOf(info: Json): SignalReading["tokens"] | undefined {
  const t = info.total_token_usage;
  if (!isObj(t)) return undefined;
  return { input: num(t.input_tokens), output: num(t.output_tokens), total: num(t.total_tokens) };
}

/**
 * The share of the context window the conversation fills: the last request's tokens (what the next
 * request starts from) over the model's window, in percent with one decimal.
 */
function contextPctOf(info: Json, window: number | undefined): number | undefined {
  const last = isObj(info.last_token_usage) ? num(info.last_token_usage.total_tokens) : undefined;
  const size = num(info.model_context_window) ?? window;
  if (last === undefined || !size) return undefined;
  return Math.round((last / size) * 1000) / 10;
}

function foldEvent(p: Json, r: SignalReading, m: CodexMemory, at: number, opts: CodexFoldOptions): void {
  switch (p.type) {
    case "task_started":
      r.state = "working";
      delete r.limit;
      delete m.lastError;
      m.contextWindow = num(p.model_context_window) ?? m.contextWindow;
      return;
    case "task_complete": {
      const err = isObj(p.error) ? p.error : undefined;
      const kind = err ? limitKind(err.codex_error_info) : undefined;
      if (err && kind) {
        const message = str(err.message);
        const { resetsAt, window } = codexLimitReset(r.rateLimits, message, at, opts.timeZone);
        r.state = "limited";
        r.limit = { message, resetsAt, window: window ?? (kind === "rate" ? "rate_limit" : undefined) };
        return;
      }
      r.state = "idle";
      delete r.limit;
      if (err) m.lastError = { message: str(err.message) ?? "", info: infoText(err.codex_error_info) };
      return;
    }
    case "turn_aborted":
      r.state = "idle";
      delete r.limit;
      return;
    case "token_count": {
      const info = isObj(p.info) ? p.info : undefined;
      if (info) {
        r.tokens = tokensOf(info) ?? r.tokens;
        r.contextPct = contextPctOf(info, m.contextWindow) ?? r.contextPct;
      }
      r.rateLimits = codexRateWindows(p.rate_limits) ?? r.rateLimits;
      return;
    }
    case "thread_settings_applied": {
      const s = isObj(p.thread_settings) ? p.thread_settings : {};
      r.model = str(s.model) ?? r.model;
      return;
    }
  }
}

/** Fold rollout lines into `prev` (copied, not changed). */
export function foldCodexLines(lines: string[], prev: SignalReading, memory: CodexMemory, opts: CodexFoldOptions = {}): CodexFold {
  const r: SignalReading = { ...prev, source: "codex" };
  const m: CodexMemory = { ...memory };
  let records = 0;
  for (const line of lines) {
    const rec = parseJsonLine(line);
    if (!rec) continue;
    records++;
    const ts = Date.parse(String(rec.timestamp ?? ""));
    const at = Number.isNaN(ts) ? r.at : ts;
    if (at > r.at) r.at = at;
    // Every record is the agent doing something; the rollout grows only while a turn runs.
    if (at > r.grewAt) r.grewAt = at;
    const p = isObj(rec.payload) ? rec.payload : undefined;
    if (!p) continue;
    if (rec.type === "session_meta") {
      r.sessionId = str(p.id) ?? str(p.session_id) ?? r.sessionId;
      m.cwd = str(p.cwd) ?? m.cwd;
    } else if (rec.type === "turn_context") {
      r.model = str(p.model) ?? r.model;
    } else if (rec.type === "event_msg") {
      foldEvent(p, r, m, at, opts);
    }
  }
  return { reading: r, memory: m, records };
}
