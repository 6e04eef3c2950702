// The failing replies of the mock model server: what each API answers for a usage limit, a plain
// rate limit, an overload or a bad key, with the headers the real CLIs act on.
import type { ApiKind, Reply, Scenario } from "./types.js";

export interface FailureOptions {
  resetInSeconds: number;
  limitClaim: "five_hour" | "seven_day";
  /** Request sequence number, for the request ids. */
  seq: number;
}

/** The error reply for `scenario` on `api`, or undefined when the scenario answers normally. */
export function failureReply(api: ApiKind, scenario: Scenario, o: FailureOptions): Reply | undefined {
  const resetIn = o.resetInSeconds;
  const resetsAt = Math.floor(Date.now() / 1000) + resetIn;
  const anthropicError = (status: number, type: string, message: string, headers: Record<string, string> = {}): Reply => ({
    status,
    headers: { "request-id": `req_mock${o.seq}`, ...headers },
    body: { type: "error", error: { type, message } },
  });
  const openaiError = (status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): Reply => ({
    status,
    headers: { "x-request-id": `req_mock${o.seq}`, ...headers },
    body: { error: { code: null, param: null, ...error } },
  });
  switch (scenario) {
    case "usage_limit":
      if (api === "anthropic") {
        // Claude Code shows its usage-limit UI only for these headers (and only with a subscriber login).
        const window = o.limitClaim === "seven_day" ? "7d" : "5h";
        return anthropicError(429, "rate_limit_error", "Usage limit reached.", {
          "anthropic-ratelimit-unified-status": "rejected",
          "anthropic-ratelimit-unified-reset": String(resetsAt),
          "anthropic-ratelimit-unified-representative-claim": o.limitClaim,
          [`anthropic-ratelimit-unified-${window}-status`]: "rejected",
          [`anthropic-ratelimit-unified-${window}-reset`]: String(resetsAt),
        });
      }
      if (api === "responses") {
        return openaiError(429, {
          type: "usage_limit_reached",
          message: "The usage limit has been reached",
          plan_type: "plus",
          resets_at: resetsAt,
          resets_in_seconds: resetIn,
        });
      }
      return openaiError(429, { type: "usage_limit_reached", message: "The usage limit has been reached" });
    case "rate_limit":
      // A plain per-minute rate limit: clients retry it, unlike a usage limit.
      if (api === "anthropic") {
        return anthropicError(429, "rate_limit_error", "This request would exceed the rate limit for your organization (mock-org) of 50 output tokens per minute.", {
          "retry-after": "10",
        });
      }
      return openaiError(
        429,
        {
          type: "rate_limit_exceeded",
          code: "rate_limit_exceeded",
          message: "Rate limit reached for mock-model in organization org-mock on tokens per min (TPM): Limit 1000, Used 1000, Requested 100. Please try again in 10s.",
        },
        { "retry-after": "10" },
      );
    case "overloaded":
      if (api === "anthropic") return anthropicError(529, "overloaded_error", "Overloaded");
      return openaiError(529, { type: "server_error", message: "The server is overloaded. Please try again later." });
    case "auth_error":
      if (api === "anthropic") return anthropicError(401, "authentication_error", "invalid x-api-key");
      return openaiError(401, { type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided: x." });
    default:
      return undefined;
  }
}
