// Pure: Claude Code's hook and statusLine lines (as the tap in hooks.ts records them) folded into
// one SignalReading. Field names and values are the ones Claude Code 2.1.330 emitted (the fixtures
// in test/fixtures/signals/claude/ are real captures).
//
// A line is either a hook payload (`hook_event_name` names the event) or a statusLine refresh (no
// event name; `version`, `model`, `cost`, `context_window`, and `rate_limits` once the account's
// rate-limit headers were seen). Hook payloads carry no time: the reader dates a batch of lines by
// the signal file's mtime.
import type { RateWindow, SignalReading } from "../types.js";

/** What the fold remembers besides the reading itself. */
export interface ClaudeMemory {
  /** The statusLine fields that change only when the agent makes progress (see progressKey). */
  progress?: string;
  /** The limit window the StopFailure message named ("5-hour" → five_hour). */
  limitWindow?: string;
  /** Set by a quota Notification after the limit: Claude's own word on continuing by itself. */
  autoContinue?: boolean;
  /**
   * Tool calls begun (PreToolUse) and not yet ended (PostToolUse/PostToolUseFailure): the tap
   * records only the event's name, and Claude can run tools in parallel, so a count.
   */
  toolsOpen?: number;
}

export interface FoldResult {
  reading: SignalReading;
  memory: ClaudeMemory;
  /** A record that shows progress was folded in (a hook, or a statusLine whose counters moved). */
  progressed: boolean;
  /** Lines that parsed as a record. */
  records: number;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** One line → its JSON object, or undefined (blank, torn by a concurrent writer, not an object). */
export function parseLine(line: string): Json | undefined {
  const t = line.trim();
  if (!t.startsWith("{")) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A statusLine refresh is a progress sign only when these moved: a timer-driven refresh (the
 * user's `refreshInterval`) repeats them unchanged, and must not make a stuck agent look alive.
 */
function progressKey(r: Json): string {
  const cost = isObj(r.cost) ? r.cost : {};
  const cw = isObj(r.context_window) ? r.context_window : {};
  return JSON.stringify([r.session_id, cost.total_api_duration_ms, cost.total_cost_usd, cost.total_lines_added, cost.total_lines_removed, cw.total_input_tokens, cw.total_output_tokens]);
}

/** `rate_limits: { five_hour: { used_percentage, resets_at (epoch s) }, ... }` → RateWindow[]. */
export function rateWindows(v: unknown): RateWindow[] | undefined {
  if (!isObj(v)) return undefined;
  const out: RateWindow[] = [];
  for (const [name, w] of Object.entries(v)) {
    if (!isObj(w)) continue;
    const resetsAt = num(w.resets_at);
    out.push({ name, usedPct: num(w.used_percentage), resetsAt: resetsAt !== undefined ? resetsAt * 1000 : undefined });
  }
  return out.length ? out : undefined;
}

/**
 * The window a limit message names, for the wordings seen: "You've hit your 5-hour limit · ..."
 * and "... weekly limit ..." (2.1.330); 2.1.197 called the 5-hour window the "session limit".
 */
export function windowOfMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (/\b(5-hour|session) limit\b/i.test(message)) return "five_hour";
  if (/\bweekly limit\b/i.test(message)) return "seven_day";
  return undefined;
}

/**
 * The exact reset of the limit in force: a window the account reports as used up (>= 100%; the
 * statusLine refresh right after the StopFailure says so), the one the message named first. A
 * window below 100% is not trusted even when named: until that refresh arrives it holds the
 * figures from before the limit. No guess otherwise: the caller falls back to the screen's text.
 */
export function limitReset(windows: RateWindow[] | undefined, named: string | undefined): { resetsAt?: number; window?: string } {
  const full = (windows ?? []).filter((w) => (w.usedPct ?? 0) >= 100 && w.resetsAt !== undefined);
  // Two windows used up: the limit lasts until the later one resets.
  const w = full.find((x) => x.name === named) ?? (full.length ? full.reduce((a, b) => (b.resetsAt! > a.resetsAt! ? b : a)) : undefined);
  return w ? { resetsAt: w.resetsAt, window: w.name } : { window: named };
}

function applyStatus(r: Json, reading: SignalReading, memory: ClaudeMemory): boolean {
  const cost = isObj(r.cost) ? r.cost : {};
  const cw = isObj(r.context_window) ? r.context_window : {};
  reading.model = (isObj(r.model) ? str(r.model.id) : undefined) ?? reading.model;
  reading.costUsd = num(cost.total_cost_usd) ?? reading.costUsd;
  // used_percentage is null before the first reply: keep it unknown, not 0.
  reading.contextPct = num(cw.used_percentage) ?? reading.contextPct;
  const input = num(cw.total_input_tokens);
  const output = num(cw.total_output_tokens);
  if (input !== undefined || output !== undefined) {
    reading.tokens = { input, output, total: input !== undefined && output !== undefined ? input + output : undefined };
  }
  reading.rateLimits = rateWindows(r.rate_limits) ?? reading.rateLimits;
  const key = progressKey(r);
  const moved = key !== memory.progress;
  memory.progress = key;
  return moved;
}

function applyHook(event: string, r: Json, reading: SignalReading, memory: ClaudeMemory, at: number | undefined): void {
  const clearLimit = () => {
    reading.limit = undefined;
    memory.limitWindow = undefined;
    memory.autoContinue = undefined;
  };
  // A turn's start or end, a new session, an exit: whatever tool ran is over (an interrupted tool
  // sends no PostToolUse).
  if (event !== "PreToolUse" && event !== "PostToolUse" && event !== "PostToolUseFailure" && event !== "Notification") {
    memory.toolsOpen = undefined;
    reading.toolSince = undefined;
  }
  switch (event) {
    case "SessionStart":
      // After a compaction the turn goes on; a start, resume or /clear waits at the prompt.
      if (r.source !== "compact") {
        reading.state = "idle";
        clearLimit();
      }
      if (str(r.model)) reading.model = r.model as string;
      return;
    case "PreToolUse":
      // Dated by the batch it came in (hook lines carry no time); the first of parallel calls counts.
      if (!memory.toolsOpen) reading.toolSince = at;
      memory.toolsOpen = (memory.toolsOpen ?? 0) + 1;
      reading.state = "working";
      clearLimit();
      return;
    case "PostToolUse":
    case "PostToolUseFailure":
      memory.toolsOpen = Math.max(0, (memory.toolsOpen ?? 0) - 1) || undefined;
      if (!memory.toolsOpen) reading.toolSince = undefined;
      reading.state = "working";
      clearLimit();
      return;
    case "UserPromptSubmit":
      reading.state = "working";
      clearLimit();
      return;
    case "Stop":
      reading.state = "idle";
      clearLimit();
      return;
    case "StopFailure": {
      clearLimit();
      if (r.error === "rate_limit") {
        const message = str(r.last_assistant_message);
        reading.state = "limited";
        reading.limit = { message };
        memory.limitWindow = windowOfMessage(message);
      } else {
        // Any other failure ends the turn too (API error, auth): the CLI waits at its prompt.
        reading.state = "idle";
      }
      return;
    }
    case "Notification":
      switch (r.notification_type) {
        // The limit reset and Claude sent its own continuation (a UserPromptSubmit follows).
        case "quota_auto_resume_fired":
          memory.autoContinue = true;
          return;
        // It will not continue by itself: reset passed but waits for Enter, or auto-continue is off.
        case "quota_auto_resume_stale":
        case "quota_auto_resume_disabled":
          memory.autoContinue = false;
          return;
        case "idle_prompt":
          if (reading.state !== "limited") reading.state = "idle";
          memory.toolsOpen = undefined;
          reading.toolSince = undefined;
          return;
      }
      return;
    case "SessionEnd":
      // The CLI is gone: it has no word on its state any more (the screen says exited).
      reading.state = undefined;
      clearLimit();
      return;
  }
}

/**
 * Fold one parsed line into the reading (mutates both; returns whether it showed progress). `at`:
 * when the line was written as far as the reader knows (the signal file's mtime), for toolSince.
 */
export function applyRecord(r: Json, reading: SignalReading, memory: ClaudeMemory, at?: number): boolean {
  reading.sessionId = str(r.session_id) ?? reading.sessionId;
  reading.transcriptPath = str(r.transcript_path) ?? reading.transcriptPath;
  const event = str(r.hook_event_name);
  if (event) {
    applyHook(event, r, reading, memory, at);
    return true;
  }
  return applyStatus(r, reading, memory);
}

/** The derived parts of a reading: the limit's exact reset and window, and auto-continue. */
export function finish(reading: SignalReading, memory: ClaudeMemory): void {
  if (reading.state !== "limited" || !reading.limit) return;
  const { resetsAt, window } = limitReset(reading.rateLimits, memory.limitWindow);
  reading.limit = { ...reading.limit, resetsAt, window };
  if (memory.autoContinue !== undefined) reading.limit.autoContinue = memory.autoContinue;
}

/** Fold complete lines onto a previous reading (copied, not changed); `at` dates them (see applyRecord). */
export function foldLines(lines: string[], prev: SignalReading, prevMemory: ClaudeMemory = {}, at?: number): FoldResult {
  const reading: SignalReading = { ...prev, limit: prev.limit ? { ...prev.limit } : undefined };
  const memory: ClaudeMemory = { ...prevMemory };
  let progressed = false;
  let records = 0;
  for (const line of lines) {
    const r = parseLine(line);
    if (!r) continue;
    records++;
    if (applyRecord(r, reading, memory, at)) progressed = true;
  }
  finish(reading, memory);
  return { reading, memory, progressed, records };
}
