// The unified rate-limit headers a subscriber account's Anthropic replies carry, which Claude Code
// turns into the `rate_limits` of its statusLine JSON (five_hour, seven_day: used_percentage and
// resets_at in epoch seconds). Without them `rate_limits` is absent. Opt-in
// (MockServerOptions.claudeRateLimits), so other runs are unchanged. A usage-limit 429 adds its own
// `-unified-status: rejected`, `-unified-reset` and `-representative-claim` over these.

export interface ClaudeRateLimits {
  /** Share of the 5-hour window used on an ordinary reply, 0..1 (a usage limit sends 1). */
  fiveHourUtilization: number;
  /** Share of the weekly window used, 0..1. */
  sevenDayUtilization: number;
}

/**
 * Headers for one Anthropic reply. `resetInSeconds` is when the 5-hour window resets (the same
 * reset the usage-limit 429 announces); `exhausted` names the window a usage limit used up.
 */
export function claudeRateLimitHeaders(
  limits: ClaudeRateLimits,
  resetInSeconds: number,
  exhausted?: "five_hour" | "seven_day",
): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const window = (tag: string, used: number, resetAt: number, full: boolean) => ({
    [`anthropic-ratelimit-unified-${tag}-utilization`]: String(full ? 1 : used),
    [`anthropic-ratelimit-unified-${tag}-reset`]: String(resetAt),
    [`anthropic-ratelimit-unified-${tag}-status`]: full ? "rejected" : "allowed",
  });
  // The limited window resets at the 429's time; the other keeps a reset of its own kind (the
  // 5-hour window within hours, the weekly one days away).
  const weekly = exhausted === "seven_day";
  return {
    ...window("5h", limits.fiveHourUtilization, now + (weekly ? 2 * 3600 : resetInSeconds), exhausted === "five_hour"),
    ...window("7d", limits.sevenDayUtilization, now + (weekly ? resetInSeconds : 6 * 86_400), weekly),
  };
}
