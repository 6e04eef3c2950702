// The watchdog's notifier: it observes the event log (EventLog's onEvent), turns the events the
// one table in events.ts names into notifications, and delivers them in the background. A tick
// only ever enqueues: each sink has its own queue, sent in order; a failing sink is retried with
// backoff (policy.ts) while the others carry on. The queue is kept in state/notify.json, so what a
// stopped or crashed watchdog still owed is sent by the next one; the file also carries each
// sink's health for `agents status`.
import type { Fleet } from "../config/load.js";
import { ConditionReport, nullEventLog, type EventFields, type EventLog } from "../log.js";
import { readNotifyState, writeNotifyState, type NotifyState, type PendingDelivery, type SinkHealth } from "../state/notify-state.js";
import { fleetName, renderPayload, toNotification, type Notification } from "./events.js";
import { MAX_PENDING_AGE_MS, MAX_PENDING_PER_SINK, backoffMs, dedup, redactText, sinksOf, wants, type SinkSpec } from "./policy.js";
import { send as sendToSink, type SendResult } from "./sinks.js";
import { DigestSchedule } from "./digest.js";

export interface NotifierOptions {
  /** The current (last good) config: a reload changes sinks, events and windows at once. */
  fleet: () => Fleet;
  now?: () => number;
  send?: (sink: SinkSpec, payload: ReturnType<typeof renderPayload>) => Promise<SendResult>;
}

interface Health extends SinkHealth {
  nextAt: number;
}

/** How long stop() may spend delivering what is still owed (watchdog-stopped, watchdog-crashed). */
export const STOP_DELIVERY_MS = 4000;

export class Notifier {
  private log: EventLog = nullEventLog;
  private writes?: ConditionReport;
  private sent = new Map<string, number>();
  private pending: PendingDelivery[] = [];
  private health = new Map<string, Health>();
  private busy = new Set<string>();
  private inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private digest?: DigestSchedule;
  private lastDigest?: number;
  private readonly now: () => number;
  private readonly deliver: NonNullable<NotifierOptions["send"]>;

  constructor(private readonly opts: NotifierOptions) {
    this.now = opts.now ?? Date.now;
    this.deliver = opts.send ?? ((s, p) => sendToSink(s, p, { cwd: opts.fleet().projectDir }));
  }

  private sinks(): SinkSpec[] {
    return sinksOf(this.opts.fleet().notify);
  }

  /** The log to report on (its events come back through observe; none of them maps to a notification). */
  start(log: EventLog): void {
    this.log = log;
    this.writes = new ConditionReport(log, { failed: "notify-state-write-failed", recovered: "notify-state-write-recovered" });
    const saved = readNotifyState(this.opts.fleet());
    this.lastDigest = saved.lastDigest;
    const ids = new Set(this.sinks().map((s) => s.id));
    // What the last watchdog still owed, for sinks the config still has.
    this.pending = saved.pending.filter((p) => ids.has(p.sink));
    for (const [id, h] of Object.entries(saved.sinks)) if (ids.has(id) && !h.ok) this.health.set(id, { ...h, nextAt: this.now() });
    this.reconfigure();
  }

  /** After a config reload: sinks gone from the config drop their queue; the digest follows its cron. */
  reconfigure(): void {
    const fleet = this.opts.fleet();
    const ids = new Set(this.sinks().map((s) => s.id));
    this.pending = this.pending.filter((p) => ids.has(p.sink));
    for (const id of [...this.health.keys()]) if (!ids.has(id)) this.health.delete(id);
    const expr = fleet.notify?.digest;
    if (this.digest?.expr !== expr) {
      this.digest?.stop();
      this.digest = expr ? new DigestSchedule(expr, () => this.sendDigest()) : undefined;
    }
    this.save();
    this.schedule();
  }

  /** EventLog's onEvent: called for every event the watchdog logs. */
  readonly observe = (_level: string, fields: EventFields): void => {
    const fleet = this.opts.fleet();
    if (!fleet.notify) return;
    const n = toNotification(fields, { onCompleteAgent: fleet.loop.on_complete?.run });
    if (n) this.notify(n);
  };

  /** Queue one notification for every sink, unless unwanted or a repeat inside dedup_window. */
  notify(n: Notification): void {
    const fleet = this.opts.fleet();
    const cfg = fleet.notify;
    if (!wants(cfg, n.event, n.agent)) return;
    const now = this.now();
    const d = dedup(this.sent, n.agent, n.event, now, cfg!.dedup_window);
    this.sent = d.sent;
    if (!d.send) return;
    const payload = renderPayload(fleetName(fleet), n, now);
    for (const s of this.sinks()) {
      if (!wants(cfg, n.event, n.agent, s)) continue;
      const queue = this.pending.filter((p) => p.sink === s.id);
      if (queue.length >= MAX_PENDING_PER_SINK) {
        this.pending.splice(this.pending.indexOf(queue[0]!), 1);
        this.log.event("warn", { action: "notify-dropped", sink: s.label, reason: `${s.label}: more than ${MAX_PENDING_PER_SINK} notifications pending; dropped the oldest` });
      }
      this.pending.push({ sink: s.id, payload, queuedAt: now });
    }
    this.save();
    this.pump();
  }

  private save(): void {
    const fleet = this.opts.fleet();
    const sinks = this.sinks();
    const state: NotifyState = { version: 1, pending: this.pending, sinks: {} };
    if (this.lastDigest !== undefined) state.lastDigest = this.lastDigest;
    for (const s of sinks) {
      const h = this.health.get(s.id);
      const { nextAt, ...shown } = h ?? { sink: s.label, ok: true, failures: 0, since: "", nextAt: 0 };
      state.sinks[s.id] = { ...shown, sink: s.label, pending: this.pending.filter((p) => p.sink === s.id).length, ...(h && !h.ok ? { retryAt: new Date(nextAt).toISOString() } : {}) };
    }
    // Nothing configured and nothing to say: leave no file behind.
    if (!sinks.length && !this.pending.length && this.lastDigest === undefined) return;
    try {
      writeNotifyState(fleet, state);
      this.writes?.ok("writing the notification outbox");
    } catch (err) {
      this.writes?.failed(err, "writing the notification outbox");
    }
  }

  /** Start whatever is due for each idle sink; then sleep until the next retry. */
  private pump(force = false): void {
    const now = this.now();
    for (const s of this.sinks()) {
      if (this.busy.has(s.id)) continue;
      const h = this.health.get(s.id);
      if (!force && h && now < h.nextAt) continue;
      if (!this.pending.some((p) => p.sink === s.id)) continue;
      this.busy.add(s.id);
      const p = this.drain(s).finally(() => {
        this.busy.delete(s.id);
        this.inFlight.delete(p);
        if (!this.stopped) this.schedule();
      });
      this.inFlight.add(p);
    }
    this.schedule();
  }

  /** Send one sink's queue in order until it is empty or a delivery fails. */
  private async drain(s: SinkSpec): Promise<void> {
    for (;;) {
      const next = this.pending.find((p) => p.sink === s.id);
      if (!next) return;
      if (this.now() - next.queuedAt > MAX_PENDING_AGE_MS) {
        this.pending.splice(this.pending.indexOf(next), 1);
        this.log.event("warn", { action: "notify-dropped", sink: s.label, reason: `${s.label}: ${next.payload.event} undelivered for over ${MAX_PENDING_AGE_MS / 3600_000}h; dropped` });
        this.save();
        continue;
      }
      const r = await this.deliver(s, next.payload);
      this.record(s, r);
      if (!r.ok) return;
      const i = this.pending.indexOf(next);
      if (i >= 0) this.pending.splice(i, 1);
      this.save();
    }
  }

  /** A sink's health after one delivery, logged once when it starts failing and once when it recovers. */
  private record(s: SinkSpec, r: SendResult): void {
    const now = this.now();
    const h = this.health.get(s.id);
    if (r.ok) {
      if (h && !h.ok) {
        this.log.event("info", { action: "notify-recovered", sink: s.label, reason: `${s.label} works again after ${h.failures} failed attempt(s)` });
      }
      this.health.set(s.id, { sink: s.label, ok: true, failures: 0, since: h && !h.ok ? new Date(now).toISOString() : (h?.since ?? new Date(now).toISOString()), pending: 0, nextAt: 0 });
      return;
    }
    // Sinks redact their own errors; this holds for any sender, so nothing secret reaches a log.
    r = { ok: false, error: redactText(r.error, [s.target]) };
    const failures = h && !h.ok ? h.failures + 1 : 1;
    if (failures === 1) {
      this.log.event("warn", { action: "notify-failed", sink: s.label, reason: `${s.label}: ${r.error}; retrying with backoff` });
    }
    this.health.set(s.id, {
      sink: s.label,
      ok: false,
      failures,
      lastError: r.error,
      since: failures === 1 ? new Date(now).toISOString() : h!.since,
      pending: 0,
      nextAt: now + backoffMs(failures),
    });
    this.save();
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    let at = Infinity;
    for (const s of this.sinks()) {
      if (this.busy.has(s.id) || !this.pending.some((p) => p.sink === s.id)) continue;
      at = Math.min(at, this.health.get(s.id)?.nextAt ?? 0);
    }
    if (at === Infinity) return;
    // Unref'd: an owed notification never keeps a finished process alive (stop() makes the last try).
    this.timer = setTimeout(() => this.pump(), Math.max(0, at - this.now()));
    this.timer.unref();
  }

  private sendDigest(): void {
    const fleet = this.opts.fleet();
    const now = this.now();
    const from = this.lastDigest ?? now - 24 * 3600_000;
    this.lastDigest = now;
    const reason = DigestSchedule.summarize(fleet, from, now);
    this.notify({ event: "digest", agent: null, reason, record: null });
    this.save();
  }

  /**
   * Stop retrying and make one last bounded attempt at what is owed (the watchdog-stopped or
   * watchdog-crashed just logged); what is still undelivered stays in the outbox for the next start.
   */
  async stop(timeoutMs = STOP_DELIVERY_MS): Promise<void> {
    this.digest?.stop();
    this.digest = undefined;
    clearTimeout(this.timer);
    this.pump(true);
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.inFlight.size) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (t = setTimeout(r, timeoutMs)))]);
      clearTimeout(t);
    }
    this.save();
  }
}
