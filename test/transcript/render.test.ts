// Readable transcripts from the CLIs' own records: the real Claude Code 2.1.330 transcript and the
// real Codex 0.169.0 rollouts under test/fixtures/signals/, rendered line for line.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseClaudeLines } from "../../src/transcript/claude.js";
import { parseCodexLines } from "../../src/transcript/codex.js";
import { renderer } from "../../src/transcript/follow.js";
import { renderEvents } from "../../src/transcript/render.js";
import { ROOT } from "../helpers/tmux.js";

const SIGNALS = path.join(ROOT, "test/fixtures/signals");
const lines = (rel: string) => readFileSync(path.join(SIGNALS, rel), "utf8").split("\n");
const CLAUDE = "claude/2.1.330/transcript-limit-offer.jsonl";

const SLOW = "Working through it slowly: I read the files, check the tests and write a short summary.";

describe("Claude Code transcript", () => {
  test("prompts, replies, a tool call and its result, the usage limit and the auto-continue offer", () => {
    expect(renderEvents(parseClaudeLines(lines(CLAUDE)), "claude", { utc: true })).toEqual([
      "07:10:29 -- session 94c797e4-2120-4609-92f7-662bd9e61bca (claude 2.1.330, /tmp/agents-live-claude-tap-TRNyzb/project)",
      "07:10:29 you: Say hello.",
      "07:10:30 claude: Hello from the mock. All good.",
      "07:10:32 you: Say hello please.",
      "07:10:32 claude: Hello from the mock. All good.",
      "07:10:33 you: Read the README.",
      "  → tool Read: /tmp/agents-live-claude-tap-TRNyzb/project/README.md",
      "  ← 2 lines",
      "07:10:34 claude: Hello from the mock. All good.",
      "07:10:35 you: Continue with the next task.",
      "07:10:35 !! usage limit: You've hit your 5-hour limit · resets 7:11am (UTC)",
      "07:10:35 -- Usage limit reached · set to continue automatically at 7:11am",
    ]);
  });

  test("the limit is an event of its own kind, with the CLI's words", () => {
    const limit = parseClaudeLines(lines(CLAUDE)).filter((e) => e.kind === "limit");
    expect(limit).toEqual([{ kind: "limit", text: "You've hit your 5-hour limit · resets 7:11am (UTC)", at: Date.parse("2026-12-02T07:10:35.601Z") }]);
  });
});

describe("Codex rollouts", () => {
  test("a usage limit, then the resumed turn appended to the same file", () => {
    expect(renderEvents(parseCodexLines(lines("codex/limit-resumed.jsonl")), "codex", { utc: true })).toEqual([
      "06:39:42 -- session 01a2357a-ff5b-7851-bbcc-3b8fa6a569a0 (codex 0.169.0, /tmp/agx-codex-wNPI/project)",
      "06:39:43 you: Say hello.",
      `06:39:43 codex: ${SLOW}`,
      "06:39:56 you: Summarize this project in one paragraph.",
      `06:40:07 codex: ${SLOW}`,
      "06:40:14 you: Continue with the next task.",
      "06:40:14 !! usage limit: You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at 8:40 AM.",
      "06:40:39 you: Resume: say hello again.",
      `06:40:40 codex: ${SLOW}`,
    ]);
  });

  test("an interrupted turn, an overload (an error, not a limit) and a 429 whose retries are spent (a rate limit)", () => {
    expect(renderEvents(parseCodexLines(lines("codex/errors.jsonl")), "codex", { utc: true })).toEqual([
      "06:41:03 -- session 01a2357c-3a47-7523-854a-5e3115e6457f (codex 0.169.0, /tmp/agx-codex-lymi/project)",
      "06:41:12 you: Say hi.",
      `06:41:12 codex: ${SLOW}`,
      "06:41:33 you: Write a long essay.",
      "06:41:37 -- turn aborted (interrupted)",
      "06:41:43 you: Try again.",
      "06:42:08 !! error: unexpected status 529 <unknown status code>: The server is overloaded. Please try again later., url: http://127.0.0.1:47811/v1/responses, request id: req_mock11",
      "06:42:13 you: Try again please.",
      "06:43:03 !! rate limit: exceeded retry limit, last status: 429 Too Many Requests, request id: req_mock11",
    ]);
  });

  test("the environment context Codex injects as a user message is not shown as a prompt", () => {
    const prompts = parseCodexLines(lines("codex/limit-no-rate-headers.jsonl")).filter((e) => e.kind === "prompt");
    expect(prompts.map((e) => (e.kind === "prompt" ? e.text : ""))).toEqual(["Say hello.", "Summarize this project in one paragraph.", "Continue with the next task."]);
  });

  test("a turn in progress ends with its prompt", () => {
    expect(renderEvents(parseCodexLines(lines("codex/working.jsonl")), "codex", { utc: true }).at(-1)).toBe(
      "06:39:56 you: Summarize this project in one paragraph.",
    );
  });
});

describe("parsing a few lines at a time (as -f does) gives the same rendering", () => {
  test.each([
    ["claude", CLAUDE],
    ["codex", "codex/errors.jsonl"],
  ] as const)("%s: %s", (who, rel) => {
    const all = lines(rel);
    const whole = renderer(who, { utc: true })(all);
    const step = renderer(who, { utc: true });
    const pieces = all.flatMap((l) => step([l]));
    expect(pieces).toEqual(whole);
    // The session header is printed once, not per call.
    expect(pieces.filter((l) => l.includes(" -- session "))).toHaveLength(1);
  });
});
