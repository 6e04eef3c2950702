// The rate-limit headers a ChatGPT-plan account's Responses replies carry and Codex turns into the
// `rate_limits` of its rollout's token_count records (primary: the 5-hour window, secondary: the
// weekly one). Codex 0.169.0 reads `x-<limit id>-{primary,secondary}-{used-percent,window-minutes,
// reset-at}` with the limit id "codex" (the names are in its binary); without them those windows
// stay null. Opt-in (MockServerOptions.codexRateLimits), so other clients' runs are unchanged.

export interface CodexRateLimits {
  /** Percent of the 5-hour window used on an ordinary reply (a usage limit sends 100). */
  primaryUsedPct: number;
  /** Percent of the weekly window used. */
  secondaryUsedPct: number;
}

/**
 * Headers for one Responses reply. `resetInSeconds` is when the primary window resets (the same
 * reset the usage-limit 429 announces); `exhausted` marks the primary window used up.
 */
export function codexRateLimitHeaders(limits: CodexRateLimits, resetInSeconds: number, exhausted: boolean): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  return {
    "x-codex-primary-used-percent": String(exhausted ? 100 : limits.primaryUsedPct),
    "x-codex-primary-window-minutes": "300",
    "x-codex-primary-reset-at": String(now + resetInSeconds),
    "x-codex-secondary-used-percent": String(limits.secondaryUsedPct),
    "x-codex-secondary-window-minutes": "10080",
    "x-codex-secondary-reset-at": String(now + 6 * 86_400),
  };
}
