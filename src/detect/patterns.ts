// Detection patterns of the built-in backends. Claude Code, Codex and opencode wordings come from
// the real pane captures in test/fixtures/captures (every capture is a regression test); Gemini CLI
// has no captures yet, so its patterns come from its public source and docs and are UNTESTED.
//
// Anchors matter more than words: a limit or error counts only in the shape the CLI itself prints
// it ("⎿  You've hit…", "■ …", "● API Error: …"), so an agent that talks about "usage limits" in
// its reply is not mistaken for a limited one. Patterns are matched line by line (and against a
// line joined with the next, for wrapped banners), case-insensitively.
import type { DetectRules } from "./types.js";

export type BuiltinBackend = "claude" | "codex" | "opencode" | "gemini" | "demo";

const alt = (...parts: string[]): string => parts.join("|");

// Network and server failures that Claude Code, Codex and opencode print once their own retries are
// spent. A restart is the fix the watchdog has; while the CLI is still retrying it shows its busy
// indicator, which wins over these.
const NETWORK_FATAL = alt(
  "Connection refused",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "Connection dropped",
  "Connection reset by (?:server|peer)",
  "stream disconnected",
  "Cannot connect to API",
  "Unable to connect to",
);

// The context window is full: the session cannot continue as it is.
const CONTEXT_FATAL = alt(
  "Prompt is too long",
  "context_length_exceeded",
  "exceeds? the context window",
  "context window (?:is )?(?:full|exceeded)",
  "maximum context length",
  "input length and `?max_tokens`? exceed context limit",
);

const claude: DetectRules = {
  // The spinner row reads "✻ Smooshing… (4s · ↓ 3 tokens)" and the footer gains "esc to interrupt".
  active_re: alt("esc to interrupt", "^\\S (?:\\S+ ){0,3}\\S*… \\(\\d+[hms]"),
  // The empty input box ("❯" between two rules) or its footer hints.
  idle_re: alt("^❯(?: |$)", "\\? for shortcuts", "shift\\+tab to cycle", "^\\s*⏸ .* mode on", "^\\s*⏵⏵ "),
  limit_re: alt(
    "^\\s*(?:⎿\\s+)?You(?:'|’)ve hit your (?:[\\w-]+ )*limit",
    "^\\s*(?:⎿\\s+)?You(?:'|’)ve reached your (?:[\\w-]+ )*limit",
    "^\\s*[⚠●]?\\s*Usage limit reached ·",
    "Claude AI usage limit reached",
    "/rate-limit-options",
    "^\\s*(?:[●⎿]\\s*)?(?:API Error: )?Credit balance is too low",
    "^\\s*[●⎿]?\\s*API Error: (?:Request rejected \\(429\\)|429\\b)",
    "^\\s*[●⎿]?\\s*API Error: .*\\brate[_ ]limit",
  ),
  // Claude prints its errors as "● API Error: …" or "⎿  …" rows; a reply that merely mentions
  // ECONNREFUSED starts with "● " and prose, and does not match.
  fatal_re: alt(
    "^\\s*(?:⎿\\s+)?(?:Invalid API key|Not logged in|OAuth token (?:has )?expired|Invalid bearer token)",
    "(?:^|·\\s*)Please run /login",
    "^\\s*[●⎿]?\\s*API Error: (?!Request rejected \\(429\\))",
    "^\\s*Unable to connect to Anthropic services",
    "^\\s*(?:[●⎿]\\s*)?(?:Prompt is too long|Context limit reached)",
  ),
  dialog_re: alt(
    "Quick safety check",
    "Do you trust the files in this folder",
    "Yes, I trust this folder",
    "Do you want to use this API key\\?",
    "^\\s*Do you want to (?:proceed|make this edit|create \\S+|allow)",
    "Make auto mode your default permission mode\\?",
    "running in Bypass Permissions mode",
  ),
  // "✳ Claude Code" is the idle title; any other glyph before the text is the busy spinner.
  title_active_re: "^\\s*[^\\s\\w✳.,;:'\"()\\[\\]{}<>=/\\\\|-]\\s+\\S",
  // A user turn in the transcript: "❯ text" at column 0 (menus indent their "❯ 1." rows).
  // Claude Code 2.1.197 (what npm installs on Node 20) runs /rate-limit-options by itself after a
  // limit, and closes the refused turn with "✻ Churned for 0s": neither is a new turn.
  turn_re: "^❯ +(?!/rate-limit-options\\b)\\S",
  // "✻ Sautéed for 9s · done 5:44 PM": the turn finished, anything above it is history.
  done_re: "^[✻✳✢✶✽·*] \\S+ for (?!0s\\b)\\d+(?:\\.\\d+)?[hms]\\b",
  status_rows: 8,
};

const codex: DetectRules = {
  // "• Working (4s • esc to interrupt)"; while reply text streams there is no indicator at all and
  // only the braille spinner in the pane title tells (title_active_re).
  active_re: alt("esc to interrupt", "^\\s*• (?:Working|Thinking|Reconnecting)\\b.*\\(\\d"),
  idle_re: alt("^› (?!\\d+\\. )", "\\? for shortcuts", "Ask Codex to do anything"),
  limit_re: alt(
    "^\\s*■ You(?:'|’)ve hit your usage limit",
    "^\\s*■ (?:.*\\b)?(?:Quota exceeded|exceeded your current quota|insufficient_quota)",
    "^\\s*■ (?:.*\\b)?(?:exceeded retry limit, last status: 429|429 Too Many Requests|rate limit (?:reached|exceeded))",
    "^\\s*■ (?:.*\\b)?usage_limit_reached",
  ),
  fatal_re: alt(
    "^\\s*■ (?:.*\\b)?(?:401 Unauthorized|403 Forbidden|Incorrect API key|invalid_api_key|Invalid API key)",
    "^\\s*■ (?:.*\\b)?(?:at capacity|high demand|server_error|Internal server error|500 Internal|502 Bad Gateway|503 Service Unavailable)",
    "^\\s*■ (?:.*\\b)?(?:" + NETWORK_FATAL + "|Transport error|error sending request)",
    "^\\s*■ (?:.*\\b)?(?:" + CONTEXT_FATAL + "|ran out of room in the model's context window)",
    "^\\s*■ (?:.*\\b)?(?:Please (?:log|sign) in again|refresh token (?:was )?(?:already used|expired))",
  ),
  dialog_re: alt(
    "Trust this folder\\?",
    "Do you trust the contents of this directory\\?",
    "Would you like to run the following command\\?",
    "Would you like to make the following edits\\?",
    "Would you like to grant these permissions\\?",
    "Skip until next version",
    "Press enter to continue",
  ),
  // Codex draws a braille spinner (U+2800–U+28FF) at the start of the title while a turn runs.
  title_active_re: "^[\\u2801-\\u28ff]",
  turn_re: "^› (?!\\d+\\. )\\S",
  done_re: "^\\s*(?:─ )?Worked for \\d",
  status_rows: 10,
};

const opencode: DetectRules = {
  // Read from the busy footer's structure, which opencode draws only while the session is not idle
  // (its idle footer starts with the cwd): the row opens with the progress glyphs ("⬝⬝■■■■■■", drawn
  // over a retry message's first spaces when that is long: "⬝Rate■limit") or, with animations off,
  // "[⋯]"; then the interrupt hint in either wording ("esc interrupt", "esc again to interrupt" once
  // one Esc armed it), or a retry status whose "[retrying … #N]" tail survives truncation and wrapping.
  active_re: alt("^\\s*(?:[■⬝]|\\[⋯\\])", "\\besc (?:again to )?interrupt\\b", "\\[retrying\\b", "retrying in \\d+s? attempt"),
  // The footer row: "ctrl+p commands", or on the home screen the cwd followed by the version.
  idle_re: alt("ctrl\\+p commands", "Ask anything", "^\\s*[~/]\\S*\\s{2,}.*\\d+\\.\\d+\\.\\d+\\s*$"),
  limit_re: alt(
    "^\\s*┃\\s+(?:.*\\b)?Rate limit reached",
    "^\\s*┃\\s+(?:.*\\b)?(?:The )?usage limit has been reached",
    "^\\s*┃\\s+(?:.*\\b)?You exceeded your current quota",
    "^\\s*┃\\s+(?:.*\\b)?(?:insufficient_quota|Quota exceeded|Too Many Requests)",
  ),
  fatal_re: alt(
    "^\\s*┃\\s+(?:.*\\b)?(?:Incorrect API key|Invalid API key|invalid x-api-key|401 Unauthorized|Unauthorized)",
    "^\\s*┃\\s+(?:.*\\b)?(?:server is overloaded|server had an error|Internal server error|at capacity)",
    "^\\s*┃\\s+(?:.*\\b)?(?:" + NETWORK_FATAL + ")",
    "^\\s*┃\\s+(?:.*\\b)?(?:" + CONTEXT_FATAL + ")",
  ),
  dialog_re: alt("△ Permission required", "Allow once\\s+Allow always\\s+Reject"),
  // The end of an assistant message: "▣  Build · Mock Model · 13.2s" (or "· interrupted").
  done_re: "^\\s*▣\\s.*· (?:\\d+(?:\\.\\d+)?m?s|\\d+m \\d+s|interrupted)\\s*$",
  footer_ui: true,
  status_rows: 4,
};

// UNTESTED: no captures of Gemini CLI yet. Wordings from google-gemini/gemini-cli sources/docs:
// the loading indicator "(esc to cancel, 12s)", the quota errors, the folder-trust dialog and the
// tool confirmations.
const gemini: DetectRules = {
  active_re: alt("esc to cancel, \\d+", "\\(esc to cancel\\)"),
  idle_re: alt("Type your message or @path", "^\\s*[│>]\\s*>\\s"),
  limit_re: alt(
    "Usage limit reached for",
    "You have reached your daily .*quota",
    "You have exhausted your capacity",
    "Quota exceeded for quota metric",
    "RESOURCE_EXHAUSTED",
  ),
  fatal_re: alt(
    "API key not valid",
    "Error authenticating",
    "Please set an Auth method",
    "Failed to login",
    "Invalid API key",
    "UNAUTHENTICATED|PERMISSION_DENIED",
    "model is overloaded",
    NETWORK_FATAL,
    CONTEXT_FATAL,
  ),
  dialog_re: alt(
    "Do you trust this folder\\?",
    "Allow execution of",
    "Apply this change\\?",
    "Do you want to proceed\\?",
    "Waiting for user confirmation",
  ),
  status_rows: 10,
};

// The package's fake agent (demo/agent.sh): "working... 12:00:01" lines while busy, a "demo> "
// prompt when idle. Only the last rows count, since old "working..." lines stay on screen.
const demo: DetectRules = {
  active_re: alt("working\\.\\.\\.", "^demo: message received"),
  idle_re: "^demo>\\s*$",
  limit_re: alt("usage limit", "limit reached", "hit your (?:[\\w-]+ )*limit", "rate limit"),
  fatal_re: alt("^fatal\\b", "^error:", "Invalid API key", "Please run /login"),
  turn_re: "^demo: message received",
  status_rows: 2,
  // The demo agent is itself a bash script, so "bash" in the pane is the agent, not a shell it left.
  shell_commands: [],
};

export const BUILTIN_DETECT: Record<BuiltinBackend, DetectRules> = { claude, codex, opencode, gemini, demo };
