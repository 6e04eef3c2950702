// What `agents status` says about notifications: every configured sink (redacted) with the health
// the watchdog last saved, and a loud line for each one that is failing.
import type { Fleet } from "../config/load.js";
import { readNotifyState } from "../state/notify-state.js";
import { sinksOf } from "./policy.js";

export interface NotifySinkStatus {
  /** The sink, redacted: its kind and a URL's scheme+host only. */
  sink: string;
  ok: boolean;
  /** Failed deliveries in a row. */
  failures: number;
  lastError?: string;
  /** ISO: failing since (or ok since it recovered); absent before the first delivery. */
  since?: string;
  /** Notifications waiting for this sink. */
  pending: number;
  /** ISO: the next retry, while failing. */
  retryAt?: string;
}

/** undefined when the config has no [notify] sinks. */
export function notifyStatus(fleet: Fleet): NotifySinkStatus[] | undefined {
  const sinks = sinksOf(fleet.notify);
  if (!sinks.length) return undefined;
  const saved = readNotifyState(fleet);
  return sinks.map((s) => {
    const h = saved.sinks[s.id];
    const pending = saved.pending.filter((p) => p.sink === s.id).length;
    if (!h) return { sink: s.label, ok: true, failures: 0, pending };
    const row: NotifySinkStatus = { sink: s.label, ok: h.ok, failures: h.failures, pending };
    if (h.lastError && !h.ok) row.lastError = h.lastError;
    if (h.since) row.since = h.since;
    if (h.retryAt && !h.ok) row.retryAt = h.retryAt;
    return row;
  });
}

export function notifyLines(rows: NotifySinkStatus[] | undefined): string[] {
  return (rows ?? [])
    .filter((r) => !r.ok)
    .map((r) => `notify: ${r.sink} FAILING since ${r.since ?? "?"} (${r.failures} attempt(s), ${r.pending} pending): ${r.lastError ?? "unknown error"}`);
}
