// Pure: the lines our opencode plugin (plugin.ts) wrote folded into one SignalReading. Event names
// and fields are opencode 1.18.33's own bus events (the fixtures in test/fixtures/signals/opencode/
// are real captures): `session.status` is exactly what the TUI's footer shows (busy: the progress
// bar and "esc interrupt"; retry: the "[retrying in Ns attempt #N]" status; idle: the cwd), so it
// is the state; `session.error` after the last attempt tells a limit from another failure; the
// session's totals come with `session.updated`.
//
// One opencode process can run several sessions: subagent sessions (with a parentID) run inside the
// main one's turn, and /new starts another root session. The agent is working while any of them is
// busy; the main session is the root session that last started a turn.
import type { SignalReading } from "../types.js";
import { parseJsonLine } from "../lines.js";
import { classifyError, type OpencodeError } from "./limits.js";

type Status = "busy" | "retry" | "idle";

export interface OpencodeSession {
  parent?: string;
  status?: Status;
  /** How its last turn failed (cleared when the next one starts). */
  error?: OpencodeError;
  cost?: number;
  tokens?: SignalReading["tokens"];
}

/** What the fold remembers besides the reading itself. */
export interface OpencodeMemory {
  sessions: Record<string, OpencodeSession>;
  main?: string;
  /** The opencode process the tap last announced (a new pid: a restart, old statuses are void). */
  pid?: number;
}

export interface OpencodeFoldOptions {
  /** The zone a message's wall times are in (the agent's TZ). */
  timeZone?: string;
}

export interface OpencodeFold {
  reading: SignalReading;
  memory: OpencodeMemory;
  records: number;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export function emptyOpencodeReading(): SignalReading {
  return { source: "opencode", at: 0, grewAt: 0 };
}

export const emptyOpencodeMemory = (): OpencodeMemory => ({ sessions: {} });

/** Session totals: `tokens: {input, output, reasoning, cache: {read, write}}`; total counts them all. */
function totals(info: Json): Pick<OpencodeSession, "cost" | "tokens"> {
  const t = isObj(info.tokens) ? info.tokens : undefined;
  const cache = t && isObj(t.cache) ? t.cache : {};
  const tokens = t
    ? {
        input: num(t.input),
        output: num(t.output),
        total: [t.input, t.output, t.reasoning, cache.read, cache.write].reduce<number>((a, v) => a + (num(v) ?? 0), 0),
      }
    : undefined;
  return { cost: num(info.cost), tokens };
}

function foldRecord(rec: Json, m: OpencodeMemory, r: SignalReading, at: number, opts: OpencodeFoldOptions): void {
  const p = isObj(rec.properties) ? rec.properties : {};
  const sid = str(p.sessionID);
  const session = (id: string): OpencodeSession => (m.sessions[id] = { ...(m.sessions[id] ?? {}) });
  switch (rec.type) {
    case "agents.tap": {
      const pid = num(p.pid);
      if (pid !== undefined && pid !== m.pid) {
        // A new opencode process: what the old one was doing ended with it.
        for (const id of Object.keys(m.sessions)) m.sessions[id] = { ...m.sessions[id], status: undefined, error: undefined };
        m.pid = pid;
      }
      return;
    }
    case "session.created":
    case "session.updated": {
      const info = isObj(p.info) ? p.info : {};
      const id = str(info.id) ?? sid;
      if (!id) return;
      const s = session(id);
      s.parent = str(info.parentID) ?? s.parent;
      const t = totals(info);
      if (t.cost !== undefined) s.cost = t.cost;
      if (t.tokens) s.tokens = t.tokens;
      if (!m.main && !s.parent) m.main = id;
      return;
    }
    case "session.status": {
      if (!sid || !isObj(p.status)) return;
      const type = p.status.type;
      if (type !== "busy" && type !== "retry" && type !== "idle") return;
      const s = session(sid);
      // The busy that starts a turn clears the last turn's error; a retry's busy comes after none.
      if (type === "busy" && s.status !== "retry") s.error = undefined;
      s.status = type;
      if (type !== "idle" && !s.parent) m.main = sid;
      return;
    }
    case "session.idle":
      if (sid) session(sid).status = "idle";
      return;
    case "session.error":
      if (sid) session(sid).error = classifyError(p.error, at, opts.timeZone);
      return;
    case "message.updated": {
      const info = isObj(p.info) ? p.info : {};
      const provider = str(info.providerID);
      const model = str(info.modelID);
      if (model) r.model = provider ? `${provider}/${model}` : model;
      return;
    }
  }
}

/** The reading the memory stands for (state, limit, session and its totals). */
function derive(r: SignalReading, m: OpencodeMemory): void {
  const all = Object.values(m.sessions);
  const main = m.main ? m.sessions[m.main] : undefined;
  if (m.main) r.sessionId = m.main;
  if (main?.cost !== undefined) r.costUsd = main.cost;
  if (main?.tokens) r.tokens = main.tokens;
  delete r.limit;
  if (all.some((s) => s.status === "busy" || s.status === "retry")) r.state = "working";
  else if (main?.error?.limit) {
    r.state = "limited";
    r.limit = { message: main.error.message, resetsAt: main.error.limit.resetsAt, window: main.error.limit.window };
  } else if (all.some((s) => s.status === "idle")) r.state = "idle";
  else delete r.state;
}

/** Fold tap lines into `prev` (copied, not changed). */
export function foldOpencodeLines(lines: string[], prev: SignalReading, memory: OpencodeMemory, opts: OpencodeFoldOptions = {}): OpencodeFold {
  const r: SignalReading = { ...prev, source: "opencode" };
  const m: OpencodeMemory = { ...memory, sessions: { ...memory.sessions } };
  let records = 0;
  for (const line of lines) {
    const rec = parseJsonLine(line);
    if (!rec || typeof rec.type !== "string") continue;
    records++;
    const at = num(rec.at) ?? r.at;
    if (at > r.at) r.at = at;
    if (at > r.grewAt) r.grewAt = at;
    foldRecord(rec, m, r, at, opts);
  }
  if (records) derive(r, m);
  return { reading: r, memory: m, records };
}
