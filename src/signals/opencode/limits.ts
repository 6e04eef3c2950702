// Pure: what an opencode `session.error` says about a limit. opencode 1.18.33 passes the provider's
// failure through as `{name: "APIError", data: {message, statusCode, isRetryable, responseHeaders,
// responseBody}}` (seen with @ai-sdk/openai-compatible against the mock's 429), so the reset is read
// from the provider's own fields: the body's `resets_at`/`resets_in_seconds` (OpenAI usage limits),
// Anthropic's unified reset header, `retry-after`, OpenAI's `x-ratelimit-reset-*` durations, and
// last the words of the message ("Please try again in 10s").
import { parseReset } from "../../detect/reset.js";

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
};

export interface OpencodeError {
  name?: string;
  message?: string;
  statusCode?: number;
  /** Set when the error is a usage or rate limit. */
  limit?: { resetsAt?: number; window?: string };
}

/** Error types providers give a limit in the body (`error.type` / `error.code`). */
const LIMIT_TYPES = /^(?:usage_limit_reached|insufficient_quota|rate_limit_exceeded|rate_limit_error|resource_exhausted)$/i;
/** The same when only the words tell (a proxy that rewrote the status). */
const LIMIT_WORDS = /\b(?:usage limit|rate limit|exceeded your current quota|quota exceeded)\b/i;

function bodyError(body: unknown): Json | undefined {
  if (typeof body !== "string" || !body.trim().startsWith("{")) return undefined;
  try {
    const v: unknown = JSON.parse(body);
    return isObj(v) && isObj(v.error) ? v.error : undefined;
  } catch {
    return undefined; // cut at the tap's MAX_BODY, or not JSON
  }
}

/** OpenAI's reset durations: "20ms", "1s", "6m0s", "1h2m3.5s". */
export function durationMs(v: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(v.trim());
  if (!m || !v.trim()) return undefined;
  return ((+(m[1] ?? 0) * 60 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 1000 + +(m[4] ?? 0);
}

function headerReset(h: Json, at: number): number | undefined {
  const get = (k: string) => {
    const v = h[k] ?? h[k.toLowerCase()];
    return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
  };
  const unified = num(get("anthropic-ratelimit-unified-reset"));
  if (unified !== undefined) return unified * 1000;
  const retry = get("retry-after");
  if (retry !== undefined) {
    const s = num(retry);
    if (s !== undefined) return at + s * 1000;
    const date = Date.parse(retry);
    if (!Number.isNaN(date)) return date;
  }
  const resets = ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"].map((k) => get(k)).map((v) => (v ? durationMs(v) : undefined));
  const known = resets.filter((v): v is number => v !== undefined);
  return known.length ? at + Math.max(...known) : undefined;
}

/** A session.error's `error` as the fold keeps it; `at` is the event's time (epoch ms). */
export function classifyError(error: unknown, at: number, timeZone?: string): OpencodeError {
  if (!isObj(error)) return {};
  const data = isObj(error.data) ? error.data : {};
  const out: OpencodeError = {
    name: typeof error.name === "string" ? error.name : undefined,
    message: typeof data.message === "string" ? data.message : undefined,
    statusCode: num(data.statusCode),
  };
  const body = bodyError(data.responseBody);
  const type = typeof body?.type === "string" ? body.type : typeof body?.code === "string" ? body.code : undefined;
  const isLimit = out.statusCode === 429 || (type !== undefined && LIMIT_TYPES.test(type)) || (out.statusCode === undefined && LIMIT_WORDS.test(out.message ?? ""));
  if (!isLimit) return out;
  const headers = isObj(data.responseHeaders) ? data.responseHeaders : {};
  const claim = headers["anthropic-ratelimit-unified-representative-claim"];
  let resetsAt = num(body?.resets_at) !== undefined ? num(body?.resets_at)! * 1000 : undefined;
  if (resetsAt === undefined && num(body?.resets_in_seconds) !== undefined) resetsAt = at + num(body?.resets_in_seconds)! * 1000;
  resetsAt ??= headerReset(headers, at);
  resetsAt ??= out.message ? parseReset(out.message, new Date(at), timeZone)?.at : undefined;
  out.limit = { resetsAt, window: typeof claim === "string" ? claim : type };
  return out;
}
