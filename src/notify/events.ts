// Watchdog log events → notification events, and the JSON every sink receives. Pure: the one
// table below is the only place that knows which log action is which notification, so no
// producer of events changes to be notified about, and anything not in it (the notifier's own
// notify-failed / notify-recovered among them) can never come back as a notification.
import path from "node:path";
import type { NotifyEvent } from "../config/schema.js";
import type { EventFields } from "../log.js";

/** What every sink receives (the README's "Notifications" section documents it field by field). */
export interface NotifyPayload {
  fleet: string;
  /** null for fleet events (phase, sequence, config, watchdog). */
  agent: string | null;
  event: NotifyEvent;
  reason: string;
  /** ISO 8601. */
  time: string;
  /** One human line. */
  summary: string;
  /** The forensic record's file name (under <log_dir>/state/records), or null. */
  record: string | null;
  /** = summary: what Slack and Discord incoming webhooks display. */
  text: string;
}

export interface MapContext {
  /** loop.on_complete.run: its start failing is on-complete-failed. */
  onCompleteAgent?: string;
}

type Rule = NotifyEvent | ((f: EventFields, ctx: MapContext) => NotifyEvent | undefined);

/** Log action → notification event. */
export const ACTION_EVENTS: Readonly<Record<string, Rule>> = {
  parked: "parked",
  restarted: "restarted",
  "limit-hold": "limit-hold",
  "account-hold": "limit-hold",
  "limit-lifted": "limit-resumed",
  "account-resumed": "limit-resumed",
  "phase-advanced": "phase-advanced",
  "sequence-complete": "sequence-complete",
  "on-complete-triggered": "on-complete-started",
  // act.ts logs a start that threw as `start-failed`; a task's own exit status is not observed.
  "start-failed": (f, ctx) => (f.agent !== undefined && f.agent === ctx.onCompleteAgent ? "on-complete-failed" : undefined),
  "dialog-needs-human": "dialog",
  "config-invalid": "config-invalid",
  "detection-drift": "detection-drift",
  "watchdog-up": "watchdog-started",
  // A crash has said so already (watchdog-crashed); its watchdog-down is not a second message.
  "watchdog-down": (f) => (f.crashed ? undefined : "watchdog-stopped"),
  "watchdog-crashed": "watchdog-crashed",
};

export interface Notification {
  event: NotifyEvent;
  agent: string | null;
  reason: string;
  record: string | null;
}

/** A record field is a file name; anything else there (a path, "not saved: ...") is reduced or dropped. */
export function recordName(v: unknown): string | null {
  if (typeof v !== "string" || v === "" || v.startsWith("not saved")) return null;
  const base = path.basename(v);
  return base && base !== "." && base !== ".." ? base : null;
}

export function toNotification(fields: EventFields, ctx: MapContext = {}): Notification | undefined {
  if (fields.action.startsWith("notify-")) return undefined;
  if (!Object.hasOwn(ACTION_EVENTS, fields.action)) return undefined;
  const rule = ACTION_EVENTS[fields.action]!;
  const event = typeof rule === "function" ? rule(fields, ctx) : rule;
  if (!event) return undefined;
  // The trigger is the fleet's, but what starts is an agent: name it (its own overrides then apply).
  const agent = fields.agent ?? (event === "on-complete-started" ? ctx.onCompleteAgent : undefined) ?? null;
  return { event, agent, reason: fields.reason ?? "", record: recordName(fields.record) };
}

const SUMMARY_MAX = 300;

/** How each event reads in one line; `who` is the agent's name, `why` the reason. */
const WORDS: Record<NotifyEvent, (who: string, why: string) => string> = {
  parked: (who, why) => `${who} parked (the watchdog gave up healing it): ${why}`,
  restarted: (who, why) => `${who} restarted: ${why}`,
  "limit-hold": (who, why) => `${who} held on a usage limit: ${why}`,
  "limit-resumed": (who, why) => `${who} resumed after its usage limit: ${why}`,
  "phase-advanced": (_w, why) => `phase advanced: ${why}`,
  "sequence-complete": (_w, why) => `sequence complete: ${why}`,
  "on-complete-started": (_w, why) => `on_complete started: ${why}`,
  "on-complete-failed": (who, why) => `on_complete task ${who} failed to start: ${why}`,
  dialog: (who, why) => `${who} needs a human: ${why}`,
  "config-invalid": (_w, why) => `config invalid: ${why}`,
  "detection-drift": (who, why) => `${who}: screen and signal disagree: ${why}`,
  "watchdog-started": (_w, why) => `watchdog started: ${why}`,
  "watchdog-stopped": (_w, why) => `watchdog stopped: ${why}`,
  "watchdog-crashed": (_w, why) => `WATCHDOG CRASHED (the fleet is unsupervised): ${why}`,
  digest: (_w, why) => `digest: ${why}`,
  test: (_w, why) => `test notification: ${why}`,
};

/** One line, bounded: a stack trace in a reason becomes its first line. */
export function oneLine(s: string, max = SUMMARY_MAX): string {
  const first = s.split("\n")[0]!.replace(/\s+/g, " ").trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

export function renderPayload(fleet: string, n: Notification, at: number): NotifyPayload {
  const summary = oneLine(`[${fleet}] ${WORDS[n.event](n.agent ?? "fleet", oneLine(n.reason, 1000))}`);
  return { fleet, agent: n.agent, event: n.event, reason: n.reason, time: new Date(at).toISOString(), summary, record: n.record, text: summary };
}

/** The fleet's name in messages: the session prefix without its trailing separator, else the project dir's name. */
export function fleetName(f: { sessionPrefix: string; projectDir: string }): string {
  return f.sessionPrefix.replace(/[-_]+$/, "") || path.basename(f.projectDir);
}

/** ntfy's Priority header (1-5) per event: what needs a human now is high. */
export function ntfyPriority(e: NotifyEvent): number {
  if (e === "watchdog-crashed") return 5;
  if (e === "parked" || e === "dialog" || e === "config-invalid" || e === "on-complete-failed") return 4;
  if (e === "watchdog-started" || e === "watchdog-stopped" || e === "restarted" || e === "detection-drift") return 2;
  return 3;
}
