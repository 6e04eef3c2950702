// The notifier's decisions, pure: which sinks a config has (and how each is named where secrets
// must not show), who wants an event, whether a repeat is sent, and when a failed sink is retried.
import { createHash } from "node:crypto";
import type { FleetNotify } from "../config/types.js";
import type { NotifyEvent } from "../config/schema.js";

export type SinkKind = "webhook" | "ntfy" | "command" | "desktop";

export interface SinkSpec {
  kind: SinkKind;
  /** The URL or command, secrets and all: used to deliver, never logged or shown. */
  target: string;
  /** Stable across restarts without holding the secret: the outbox and status file key on it. */
  id: string;
  /** What logs and status show: the kind and a URL's scheme+host only. */
  label: string;
  /** The sink kind's own `<kind>_events`, when set: replaces [notify].events for this sink. */
  events?: NotifyEvent[];
}

/** `https://hooks.slack.com/services/T0/B0/secret` → `https://hooks.slack.com/…` (no user, path, query). */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    return `${url.protocol}//${url.host}/…`;
  } catch {
    return "(url)";
  }
}

/** Any URL inside a message (fetch and curl errors echo them) reduced to scheme+host. */
export function redactText(s: string, secrets: readonly string[] = []): string {
  let out = s;
  for (const secret of secrets) if (secret) out = out.split(secret).join(/^[a-z][a-z0-9+.-]*:\/\//i.test(secret) ? redactUrl(secret) : "(redacted)");
  // Punctuation closing a sentence or a parenthesis stays outside the URL it follows.
  return out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (m) => {
    const tail = /[).,;:]+$/.exec(m)?.[0] ?? "";
    return redactUrl(m.slice(0, m.length - tail.length)) + tail;
  });
}

const idOf = (kind: string, target: string) => `${kind}-${createHash("sha256").update(`${kind}\0${target}`).digest("hex").slice(0, 12)}`;

/** The program a command sink runs, without its arguments (they may carry a token). */
function commandLabel(cmd: string): string {
  const first = cmd.trim().split(/\s+/)[0] ?? "";
  return `command ${first.split("/").pop()}${cmd.trim() === first ? "" : " …"}`;
}

export function sinksOf(n: FleetNotify | undefined): SinkSpec[] {
  if (!n) return [];
  const out: SinkSpec[] = [];
  for (const w of n.webhook) out.push({ kind: "webhook", target: w, id: idOf("webhook", w), label: `webhook ${redactUrl(w)}` });
  if (n.ntfy) out.push({ kind: "ntfy", target: n.ntfy, id: idOf("ntfy", n.ntfy), label: `ntfy ${redactUrl(n.ntfy)}` });
  if (n.command) out.push({ kind: "command", target: n.command, id: idOf("command", n.command), label: commandLabel(n.command) });
  if (n.desktop) out.push({ kind: "desktop", target: "notify-send", id: "desktop", label: "desktop notify-send" });
  for (const s of out) {
    const events = n[`${s.kind}_events`];
    if (events) s.events = events;
  }
  return out;
}

/**
 * Does the config want this event for this agent (null: a fleet event), at this sink (omitted: at
 * any)? The most specific list decides: the agent's own, else the sink kind's, else [notify].events.
 */
export function wants(n: FleetNotify | undefined, event: NotifyEvent, agent: string | null, sink?: SinkSpec): boolean {
  if (!n) return false;
  // Asked for explicitly: the digest by its schedule, the test by `agents notify test`.
  if (event === "digest" || event === "test") return true;
  const own = agent !== null ? n.agents[agent] : undefined;
  if (own && !own.enabled) return false;
  if (own?.events) return own.events.includes(event);
  if (sink) return (sink.events ?? n.events).includes(event);
  // At any sink: the fleet's list, or a sink kind that asked for it on its own.
  return n.events.includes(event) || sinksOf(n).some((s) => s.events?.includes(event));
}

/** Watchdog lifecycle events are each a distinct fact: never folded into an earlier one. */
const NEVER_DEDUPED: ReadonlySet<NotifyEvent> = new Set(["watchdog-started", "watchdog-stopped", "watchdog-crashed", "test", "digest"]);

export const dedupKey = (agent: string | null, event: NotifyEvent): string => `${agent ?? ""}\0${event}`;

/**
 * Send or drop a repeat: the same agent+event at most once per window. `sent` is when each key was
 * last sent; returns whether to send and the memory to keep (old entries pruned).
 */
export function dedup(
  sent: ReadonlyMap<string, number>,
  agent: string | null,
  event: NotifyEvent,
  now: number,
  windowS: number,
): { send: boolean; sent: Map<string, number> } {
  const next = new Map([...sent].filter(([, at]) => now - at < windowS * 1000));
  if (NEVER_DEDUPED.has(event)) return { send: true, sent: next };
  const key = dedupKey(agent, event);
  if (next.has(key)) return { send: false, sent: next };
  next.set(key, now);
  return { send: true, sent: next };
}

/** Wait before retrying a sink after its `failures`-th failure in a row: 2 s doubling, at most 5 min. */
export const BACKOFF_BASE_MS = 2000;
export const BACKOFF_MAX_MS = 5 * 60_000;
export function backoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.min(failures - 1, 20), BACKOFF_MAX_MS);
}

/** A pending delivery older than this is dropped (said once in the events log): news that stale misleads. */
export const MAX_PENDING_AGE_MS = 24 * 3600_000;
/** Per sink; beyond it the oldest are dropped. */
export const MAX_PENDING_PER_SINK = 200;
