// [notify] and an agent's own notify table: sinks, event names (a stable contract), dedup, digest.
import { z } from "zod";
import { seconds } from "./schema-units.js";

/**
 * Notification events (src/notify/): stable names scripts and docs rely on. `digest` is sent on the
 * digest schedule and `test` by `agents notify test`, whatever `events` says.
 */
export const NOTIFY_EVENTS = [
  "parked",
  "restarted",
  "limit-hold",
  "limit-resumed",
  "phase-advanced",
  "sequence-complete",
  "on-complete-started",
  "on-complete-failed",
  "dialog",
  "config-invalid",
  "detection-drift",
  "watchdog-started",
  "watchdog-stopped",
  "watchdog-crashed",
  "digest",
  "test",
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
/** Left out of the default `events`: a crash loop restarts every few seconds (its `parked` says it once). */
export const CHATTY_NOTIFY_EVENTS: readonly NotifyEvent[] = ["restarted", "detection-drift"];
export const DEFAULT_NOTIFY_EVENTS: NotifyEvent[] = NOTIFY_EVENTS.filter((e) => !CHATTY_NOTIFY_EVENTS.includes(e));

const notifyEvent = z.string().superRefine((e, ctx) => {
  if (!(NOTIFY_EVENTS as readonly string[]).includes(e)) {
    ctx.addIssue({ code: "custom", message: `unknown event "${e}" (valid: ${NOTIFY_EVENTS.join(", ")})` });
  }
}) as unknown as z.ZodType<NotifyEvent, string>;
const httpUrl = z.string().superRefine((u, ctx) => {
  let ok = false;
  try {
    const p = new URL(u).protocol;
    ok = p === "http:" || p === "https:";
  } catch {
    /* not a URL */
  }
  // The value itself may hold a secret (a token in the path): never echo it.
  if (!ok) ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
});

/** [notify]: where events go. No sink set means nothing is sent (and nothing is started). */
export const notifySchema = z.strictObject({
  webhook: z.union([httpUrl, z.array(httpUrl)]).transform((w) => (Array.isArray(w) ? w : [w])).default(() => []),
  command: z.string().min(1, "must not be empty").optional(),
  ntfy: httpUrl.optional(),
  desktop: z.boolean().default(false),
  events: z.array(notifyEvent).default(() => [...DEFAULT_NOTIFY_EVENTS]),
  /** One sink kind's own choice of events, instead of `events` (e.g. the phone only hears `parked`). */
  webhook_events: z.array(notifyEvent).optional(),
  ntfy_events: z.array(notifyEvent).optional(),
  command_events: z.array(notifyEvent).optional(),
  desktop_events: z.array(notifyEvent).optional(),
  /** The same agent+event is sent at most once per this many seconds. */
  dedup_window: seconds.default(600),
  /** A cron expression: a summary of the period since the last digest (restarts, holds, phases, cost). */
  digest: z.string().optional(),
});
export type NotifySettings = z.output<typeof notifySchema>;
/** An agent's own [agent.notify]: off, or its own event list instead of [notify].events. */
export const agentNotifySchema = z.strictObject({
  enabled: z.boolean().default(true),
  events: z.array(notifyEvent).optional(),
});

