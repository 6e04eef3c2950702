// Seconds keys of agents.toml, each with an upper bound (schema.ts and schema-notify.ts use them).
import { z } from "zod";

// Every seconds key has an upper bound. A timer longer than Node's limit (2^31-1 ms, about 24.8
// days) fires at once, so an out-of-range interval would turn a wait into a busy loop; far below
// that, a day is more than any of these waits is meant to be. The few keys that are compared with
// a duration rather than waited on (stall_idle, limit_max_hold, wake.interval) allow 30 days.
const DAY = 86_400;
const MONTH = 30 * DAY;
const atMost = (max: number, label: string) => `must be at most ${max} seconds (${label})`;
export const seconds = z.number().nonnegative().max(DAY, atMost(DAY, "1 day"));
export const positiveSeconds = z.number().positive().max(DAY, atMost(DAY, "1 day"));
/** A duration a clock is compared with, never a single timer: up to 30 days. */
export const longSeconds = z.number().positive().max(MONTH, atMost(MONTH, "30 days"));
