// state/notify.json: the notifier's outbox (deliveries still owed, so a watchdog restart does not
// lose a `parked` sent while the endpoint was down) and each sink's health for `agents status`.
// Sinks are keyed by a hash of their target and shown by a redacted label: no secret is written here.
import type { NotifyPayload } from "../notify/events.js";
import { notifyStateFile, type PathFleet } from "./paths.js";
import { readJsonOr, writeJsonAtomic } from "./files.js";

export interface PendingDelivery {
  sink: string;
  payload: NotifyPayload;
  /** When it was queued (ms): deliveries past the age bound are dropped. */
  queuedAt: number;
}

export interface SinkHealth {
  /** The redacted label (kind + scheme://host/…). */
  sink: string;
  ok: boolean;
  /** Failures in a row (0 when ok). */
  failures: number;
  lastError?: string;
  /** ISO: since when it has been failing (or ok again). */
  since: string;
  /** Deliveries waiting for it. */
  pending: number;
  /** ISO: its next retry, while failing. */
  retryAt?: string;
}

export interface NotifyState {
  version: 1;
  pending: PendingDelivery[];
  sinks: Record<string, SinkHealth>;
  /** When the last digest was sent (ms): the next one covers the time since. */
  lastDigest?: number;
}

export const emptyNotifyState = (): NotifyState => ({ version: 1, pending: [], sinks: {} });

export function readNotifyState(f: PathFleet): NotifyState {
  const s = readJsonOr<Partial<NotifyState> | undefined>(notifyStateFile(f), undefined);
  if (!s || s.version !== 1 || !Array.isArray(s.pending) || typeof s.sinks !== "object" || s.sinks === null) return emptyNotifyState();
  return { version: 1, pending: s.pending, sinks: s.sinks, ...(typeof s.lastDigest === "number" ? { lastDigest: s.lastDigest } : {}) };
}

/** Throws on a write error (the caller reports it once per condition). */
export function writeNotifyState(f: PathFleet, s: NotifyState): void {
  writeJsonAtomic(notifyStateFile(f), s);
}
