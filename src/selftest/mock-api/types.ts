// What the mock model server speaks and what it records: the scenarios a test can switch to, the
// wire protocols it recognises, and the shape of one reply.
import type { ClaudeRateLimits } from "./claude-limits.js";
import type { CodexRateLimits } from "./codex-limits.js";

export const SCENARIOS = ["ok", "slow", "usage_limit", "rate_limit", "overloaded", "auth_error", "hang", "tool_use"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Which wire protocol a request spoke. */
export type ApiKind = "anthropic" | "responses" | "chat" | "other";

export interface MockServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  scenario?: Scenario;
  /** The assistant reply, streamed a word at a time. */
  replyText?: string;
  /** Delay between tokens in the "ok" scenario. */
  tokenMs?: number;
  /** Delay between tokens in the "slow" scenario. */
  slowTokenMs?: number;
  /** Seconds until a usage/rate limit resets, as the 429 announces it. */
  resetInSeconds?: number;
  /** Claude's `anthropic-ratelimit-unified-representative-claim` on a usage limit. */
  limitClaim?: "five_hour" | "seven_day";
  /** Send Codex's x-codex-primary/secondary rate-limit headers on Responses replies (off by default). */
  codexRateLimits?: CodexRateLimits;
  /** Send Claude's unified per-window rate-limit headers on Anthropic replies (off by default). */
  claudeRateLimits?: ClaudeRateLimits;
  /** Called for every request (after it is counted), e.g. for a verbose log. */
  onRequest?: (r: MockRequest) => void;
}

export interface MockRequest {
  method: string;
  path: string;
  api: ApiKind;
  scenario: Scenario;
  at: number;
  /** Whether the client asked for a stream. */
  stream: boolean;
}

/** A whole (non-streamed) JSON reply. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}
