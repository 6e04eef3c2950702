// Reset times in usage-limit banners, as the CLIs print them. Pure: the clock and the zone are
// inputs, and wall times in a named zone are turned into instants with Intl alone (no date library).
import type { ResetInfo } from "./types.js";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_RE = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const TIME_RE = "\\d{1,2}(?::\\d{2})?\\s*[ap]\\.?m\\.?(?![a-z])|\\d{1,2}:\\d{2}(?![\\d:])";
const ZONE_RE = "\\s*\\(([A-Za-z][A-Za-z0-9_+\\-/]*)\\)|\\s+(UTC|GMT)(?![A-Za-z])";
const UNIT_RE = "(?:days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])";
const DURATION_RE = `\\d+\\s*${UNIT_RE}(?:[\\s,]*(?:and\\s+)?\\d+\\s*${UNIT_RE})*`;
const DATE_RE = `${MONTH_RE}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?(?![\\d:])(?:,?\\s*\\d{4}(?![\\d:]))?`;
const ISO_RE = "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?";
const WHEN_RE =
  `(?:(?:in|after)\\s+${DURATION_RE}` +
  `|(?:at\\s+|on\\s+)?${ISO_RE}` +
  `|(?:at\\s+|on\\s+)?${DATE_RE}(?:,?\\s*(?:at\\s+)?(?:${TIME_RE}))?(?:${ZONE_RE})?` +
  `|(?:at\\s+)?(?:${TIME_RE})(?:${ZONE_RE})?)`;
// The words that introduce a reset time. "retrying in 9s" is deliberately absent: that is a
// client's own retry loop, not the limit lifting.
const LEAD_RE =
  "\\b(?:resets?|try again|continu(?:e|ing) automatically|available again|will be available|quota will reset)\\s+";

const RELATIVE = new RegExp(`^(?:(?:in|after)\\s+)?${DURATION_RE}$`, "i");
const PHRASE = new RegExp(`${LEAD_RE}(${WHEN_RE})`, "gi");
// Claude's old headless banner: "Claude AI usage limit reached|1749924000".
const EPOCH = /\|\s*(\d{10})(?!\d)/g;

/** A bare time this far in the past is taken as "just passed", not "tomorrow". */
const JUST_PASSED_MS = 10 * 60_000;
/** A month-day without a year this far in the past means next year. */
const LAST_YEAR_MS = 31 * 86_400_000;

const DAY_MS = 86_400_000;

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function dtf(zone: string): Intl.DateTimeFormat {
  let f = dtfCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    dtfCache.set(zone, f);
  }
  return f;
}

/** True when Intl knows the zone (IANA names, UTC, GMT). */
export function isValidTimeZone(zone: string): boolean {
  try {
    dtf(zone);
    return true;
  } catch {
    return false;
  }
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

interface Wall {
  y: number;
  mo: number; // 0-based
  d: number;
  h: number;
  mi: number;
}

function wallAt(zone: string, instant: number): Wall & { s: number } {
  const parts = dtf(zone).formatToParts(new Date(instant));
  const get = (t: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { y: get("year"), mo: get("month") - 1, d: get("day"), h: get("hour") % 24, mi: get("minute"), s: get("second") };
}

function offsetAt(zone: string, instant: number): number {
  const w = wallAt(zone, instant);
  const asUtc = Date.UTC(w.y, w.mo, w.d, w.h, w.mi, w.s);
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

/** The instant a wall-clock time in `zone` denotes (the later reading when DST makes it ambiguous). */
export function wallToInstant(w: Wall, zone: string): number {
  const guess = Date.UTC(w.y, w.mo, w.d, w.h, w.mi);
  const first = guess - offsetAt(zone, guess);
  const second = guess - offsetAt(zone, first);
  return second;
}

function parseTime(s: string): { h: number; mi: number } | undefined {
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?$/i.exec(s.trim());
  if (!m) return undefined;
  let h = Number(m[1]);
  const mi = Number(m[2] ?? 0);
  const ap = m[3]?.toLowerCase();
  if (ap) {
    if (h < 1 || h > 12) return undefined;
    if (ap === "p" && h !== 12) h += 12;
    if (ap === "a" && h === 12) h = 0;
  } else if (m[2] === undefined) {
    return undefined; // a bare number is not a time
  }
  if (h > 23 || mi > 59) return undefined;
  return { h, mi };
}

function durationMs(s: string): number | undefined {
  const re = /(\d+)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])/gi;
  let total = 0;
  let found = false;
  for (const m of s.matchAll(re)) {
    found = true;
    const n = Number(m[1]);
    const u = m[2]!.toLowerCase();
    if (u.startsWith("d")) total += n * DAY_MS;
    else if (u.startsWith("h")) total += n * 3_600_000;
    else if (u === "m" || u.startsWith("min")) total += n * 60_000;
    else total += n * 1000;
  }
  return found ? total : undefined;
}

function splitZone(value: string): { body: string; zone?: string } {
  const m = /^(.*?)(?:\s*\(([A-Za-z][A-Za-z0-9_+\-/]*)\)|\s+(UTC|GMT))$/i.exec(value);
  if (!m) return { body: value };
  const zone = m[2] ?? m[3];
  return { body: m[1]!, zone: zone && isValidTimeZone(zone) ? zone : undefined };
}

/**
 * Parse the time part of a reset phrase ("7:50pm (UTC)", "Nov 24th, 2026 1:30 AM", "in 10s",
 * "at 3pm"). Returns epoch ms, or undefined when the text is not a time.
 */
export function parseResetValue(value: string, now: Date, defaultTimeZone?: string): number | undefined {
  const v = value.replace(/\s+/g, " ").trim().replace(/[.,;:]+$/, "");
  const nowMs = now.getTime();
  if (RELATIVE.test(v)) {
    const d = durationMs(v);
    return d === undefined ? undefined : nowMs + d;
  }
  const bare = v.replace(/^(?:at|on)\s+/i, "");
  if (/^\d{4}-\d{2}-\d{2}[T ]/.test(bare)) {
    const iso = bare.replace(" ", "T");
    // An ISO time without an offset is wall time in the default zone, like every other form here.
    if (/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) {
      const t = Date.parse(iso);
      return Number.isNaN(t) ? undefined : t;
    }
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
    if (!m) return undefined;
    const zone = defaultTimeZone && isValidTimeZone(defaultTimeZone) ? defaultTimeZone : localTimeZone();
    return wallToInstant({ y: +m[1]!, mo: +m[2]! - 1, d: +m[3]!, h: +m[4]!, mi: +m[5]! }, zone);
  }
  const { body, zone: printed } = splitZone(bare);
  const zone = printed ?? (defaultTimeZone && isValidTimeZone(defaultTimeZone) ? defaultTimeZone : localTimeZone());
  const today = wallAt(zone, nowMs);

  const dm = new RegExp(`^(${MONTH_RE})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s*(\\d{4}))?(?:,?\\s*(?:at\\s+)?(.+))?$`, "i").exec(body);
  if (dm) {
    const mo = MONTHS.indexOf(dm[1]!.slice(0, 3).toLowerCase());
    const d = Number(dm[2]);
    if (mo < 0 || d < 1 || d > 31) return undefined;
    const time = dm[4] ? parseTime(dm[4]) : { h: 0, mi: 0 };
    if (!time) return undefined;
    if (dm[3]) return wallToInstant({ y: Number(dm[3]), mo, d, ...time }, zone);
    const t = wallToInstant({ y: today.y, mo, d, ...time }, zone);
    return t < nowMs - LAST_YEAR_MS ? wallToInstant({ y: today.y + 1, mo, d, ...time }, zone) : t;
  }
  const time = parseTime(body);
  if (!time) return undefined;
  const t = wallToInstant({ y: today.y, mo: today.mo, d: today.d, ...time }, zone);
  // A bare time already behind us means tomorrow, unless it only just passed: then the banner is
  // announcing a reset that has happened, and waiting a whole day would be the costly mistake.
  if (t < nowMs - JUST_PASSED_MS) return wallToInstant({ y: today.y, mo: today.mo, d: today.d + 1, ...time }, zone);
  return t;
}

interface Candidate {
  index: number;
  value: string;
  zone?: string;
}

function clean(value: string): string {
  return value.replace(/\s+/g, " ").trim().replace(/^(?:at|on)\s+/i, "").replace(/[.,;:]+$/, "");
}

/**
 * The reset time announced by a limit banner: the LAST reset phrase in `text` (the most recent
 * message wins). Lines are joined first, since CLIs wrap "try again at\nNov 24th, 2026 1:30 AM".
 * Times without a printed zone are read in `defaultTimeZone` (else the process's zone); when the
 * same time is printed elsewhere on screen with a zone, that zone is used.
 */
export function parseReset(text: string, now: Date, defaultTimeZone?: string): ResetInfo | undefined {
  const flat = text.replace(/\s+/g, " ");
  const found: Candidate[] = [];
  for (const m of flat.matchAll(PHRASE)) {
    const value = clean(m[1]!);
    found.push({ index: m.index ?? 0, value, zone: splitZone(value).zone });
  }
  for (const m of flat.matchAll(EPOCH)) found.push({ index: m.index ?? 0, value: `|${m[1]}` });
  if (found.length === 0) return undefined;
  found.sort((a, b) => a.index - b.index);

  for (let i = found.length - 1; i >= 0; i--) {
    const c = found[i]!;
    if (c.value.startsWith("|")) {
      return { text: c.value.slice(1), at: Number(c.value.slice(1)) * 1000 };
    }
    let value = c.value;
    if (!c.zone && !/^(?:in|after)\s/i.test(value)) {
      const twin = found.find((o) => o.zone && splitZone(o.value).body.toLowerCase() === value.toLowerCase());
      if (twin?.zone) value = `${value} (${twin.zone})`;
    }
    const at = parseResetValue(value, now, defaultTimeZone);
    if (at !== undefined) return { text: c.value, at };
  }
  const last = found[found.length - 1]!;
  return { text: last.value.startsWith("|") ? last.value.slice(1) : last.value };
}
