import { describe, expect, it } from "vitest";
import { classify, compileRules } from "../../src/detect/classify.js";
import { BUILTIN_DETECT } from "../../src/detect/patterns.js";
import type { DetectRules } from "../../src/detect/types.js";

const now = new Date("2026-11-21T18:24:00Z");
const RULE = "─".repeat(40);

/** A Claude Code screen: transcript rows, then the input box and footer at the bottom of a 40-row pane. */
function claudeScreen(transcript: string[], opts: { input?: string; footer?: string[] } = {}): string {
  const bottom = [RULE, `❯ ${opts.input ?? ""}`, RULE, ...(opts.footer ?? ["  ⏵⏵ auto mode on (shift+tab to cycle)"])];
  const rows = ["", " ▐▛███▛█   Claude Code v2.1.330", "", ...transcript];
  while (rows.length + bottom.length < 40) rows.push("");
  return [...rows, ...bottom].join("\n");
}

function codexScreen(transcript: string[]): string {
  const bottom = ["› Ask Codex to do anything", "", "  model default · /tmp/x", "  ← for agents · ? for shortcuts"];
  const rows = ["", "  >_ OpenAI Codex (v0.169.0)", "", ...transcript];
  while (rows.length + bottom.length < 40) rows.push("");
  return [...rows, ...bottom].join("\n");
}

describe("stale text is not the current state", () => {
  it("a Claude reply that discusses usage limits, followed by a finished-turn row, is idle", () => {
    const text = claudeScreen([
      "❯ why does the banner say usage limit?",
      "",
      "● The CLI prints \"You've hit your weekly limit · resets Nov 24, 1:18am\" and then",
      "  Usage limit reached · limit resets 7:50pm when the quota runs out.",
      "",
      "✻ Baked for 4s · done 6:20 PM",
    ]);
    expect(classify({ text, title: "✳ Claude Code", command: "claude" }, BUILTIN_DETECT.claude, now).state).toBe("idle");
  });

  it("a Claude reply mentioning errors in prose is idle even without a finished-turn row", () => {
    const text = claudeScreen([
      "❯ what failed in CI?",
      "",
      "● The job failed with ECONNREFUSED and later 'Connection refused'; the usage limit was",
      "  not involved. Please run /login is unrelated advice from the docs.",
    ]);
    expect(classify({ text, command: "claude" }, BUILTIN_DETECT.claude, now).state).toBe("idle");
  });

  it("a limit from an earlier turn is history once a new user turn has started", () => {
    const text = claudeScreen([
      "❯ first task",
      "  ⎿  You've hit your 5-hour limit · resets 3pm (UTC)",
      "",
      "❯ continue",
      "",
      "● Done.",
    ]);
    expect(classify({ text, command: "claude" }, BUILTIN_DETECT.claude, now).state).toBe("idle");
  });

  it("the error of the current turn counts although it is above the input box", () => {
    const text = claudeScreen(["❯ continue", "", "● API Error: Connection refused (ECONNREFUSED)"], {
      input: "Resend your message to try again",
    });
    expect(classify({ text, command: "claude" }, BUILTIN_DETECT.claude, now)).toMatchObject({
      state: "fatal",
      rule: "fatal_re",
      line: "● API Error: Connection refused (ECONNREFUSED)",
    });
  });

  it("a draft in Claude's input box is not a user turn", () => {
    const text = claudeScreen(["❯ go", "  ⎿  You've hit your weekly limit · resets Nov 24, 1:18am (UTC)"], {
      input: "please continue",
    });
    const c = classify({ text, command: "claude" }, BUILTIN_DETECT.claude, now, { timeZone: "UTC" });
    expect(c.state).toBe("limited");
    expect(c.reset?.at).toBe(Date.parse("2026-11-24T01:18:00Z"));
  });

  it("a Codex reply quoting the usage-limit banner is idle", () => {
    const text = codexScreen([
      "› what does codex print when the quota is gone?",
      "",
      "• It prints: ■ You’ve hit your usage limit … try again at 7:15 PM.",
      "",
      "  Worked for 3s • 18:20",
    ]);
    expect(classify({ text, title: "x", command: "node" }, BUILTIN_DETECT.codex, now).state).toBe("idle");
  });

  it("a Codex error followed by a finished later turn is history", () => {
    const text = codexScreen([
      "› one",
      "■ stream disconnected before completion: Transport error",
      "› two",
      "• fine",
      "  Worked for 2s • 18:21",
    ]);
    expect(classify({ text, command: "node" }, BUILTIN_DETECT.codex, now).state).toBe("idle");
  });

  it("a numbered Codex menu row is not mistaken for a user turn", () => {
    const text = codexScreen([
      "› go",
      "■ You’ve hit your usage limit. Upgrade to Pro, visit the settings or try again at 7:15 PM.",
      "",
      "  Approaching rate limits",
      "› 1. Switch to a smaller model",
      "  2. Keep current model",
    ]);
    const c = classify({ text, command: "node" }, BUILTIN_DETECT.codex, now, { timeZone: "UTC" });
    expect(c.state).toBe("limited");
    expect(c.reset?.at).toBe(Date.parse("2026-11-21T19:15:00Z"));
  });

  it("the most recent of a limit and an error wins", () => {
    const text = claudeScreen([
      "❯ go",
      "  ⎿  You've hit your 5-hour limit · resets 3pm (UTC)",
      "● API Error: Connection dropped (ECONNRESET).",
    ]);
    expect(classify({ text }, BUILTIN_DETECT.claude, now).state).toBe("fatal");
  });

  it("busy wins over limit words in the live retry line", () => {
    const text = claudeScreen(["❯ go", "", "✻ 429 rate limit exceeded · retrying in 5s · attempt 9/10"], {
      footer: ["  ⏵⏵ auto mode on (shift+tab to cycle) · esc to interrupt"],
    });
    expect(classify({ text }, BUILTIN_DETECT.claude, now).state).toBe("working");
  });

  it("'esc to interrupt' quoted in the transcript, far above the status rows, is not activity", () => {
    const text = claudeScreen(["❯ how do I stop you?", "", "● Press Esc: the footer says esc to interrupt while I work.", "", "✻ Mulled for 2s · done 6:00 PM"]);
    expect(classify({ text }, BUILTIN_DETECT.claude, now).state).toBe("idle");
  });
});

describe("pane metadata", () => {
  it("Claude's title spinner means working; the ✳ title does not", () => {
    const text = claudeScreen(["❯ go", "", "● streaming"]);
    expect(classify({ text, title: "◐ Claude Code" }, BUILTIN_DETECT.claude, now).state).toBe("working");
    expect(classify({ text, title: "⠂ Claude Code" }, BUILTIN_DETECT.claude, now).state).toBe("working");
    expect(classify({ text, title: "✳ Claude Code" }, BUILTIN_DETECT.claude, now).state).toBe("idle");
  });

  it("Codex's braille title spinner means working", () => {
    const text = codexScreen(["› go", "", "• Still"]);
    expect(classify({ text, title: "⠋ h-codex" }, BUILTIN_DETECT.codex, now).rule).toBe("title_active_re");
    expect(classify({ text, title: "h-codex" }, BUILTIN_DETECT.codex, now).state).toBe("idle");
  });

  it("a dead pane that printed a limit banner is limited, flagged dead, with the epoch reset", () => {
    const c = classify({ text: "Claude AI usage limit reached|1749924000\n", dead: true }, BUILTIN_DETECT.claude, now);
    expect(c).toMatchObject({ state: "limited", dead: true, reset: { at: 1749924000_000 } });
  });

  it("a shell in the pane that still shows the agent's UI is not exited", () => {
    const text = claudeScreen([]);
    expect(classify({ text, command: "bash" }, BUILTIN_DETECT.claude, now).state).toBe("idle");
    expect(classify({ text: "$ claude\n$", command: "/bin/bash" }, BUILTIN_DETECT.claude, now).state).toBe("exited");
    expect(classify({ text: "$", command: "-zsh" }, BUILTIN_DETECT.claude, now).state).toBe("exited");
  });

  it("shell_commands can be overridden", () => {
    const rules: DetectRules = { ...BUILTIN_DETECT.claude, shell_commands: ["nu"] };
    expect(classify({ text: "$", command: "bash" }, rules, now).state).toBe("unknown");
    expect(classify({ text: "$", command: "nu" }, rules, now).state).toBe("exited");
  });

  it("ANSI colours and OSC sequences do not change the verdict", () => {
    const text = claudeScreen(["❯ go", "", "\x1b[31m● API Error: \x1b[1mConnection refused\x1b[0m", "\x1b]8;;https://x\x07link\x1b]8;;\x07"]);
    expect(classify({ text }, BUILTIN_DETECT.claude, now).state).toBe("fatal");
  });
});

describe("rules", () => {
  it("a user's limit_re merged over a preset replaces the preset's, and the rest still applies", () => {
    const user: DetectRules = { ...BUILTIN_DETECT.claude, limit_re: "QUOTA-GONE until (\\S+)" };
    const custom = claudeScreen(["❯ go", "  ⎿  QUOTA-GONE until tomorrow · resets 9pm (UTC)"]);
    const c = classify({ text: custom }, user, now);
    expect(c).toMatchObject({ state: "limited", rule: "limit_re" });
    expect(c.reset?.at).toBe(Date.parse("2026-11-21T21:00:00Z"));
    const builtinWording = claudeScreen(["❯ go", "  ⎿  You've hit your weekly limit · resets Nov 24, 1:18am (UTC)"]);
    expect(classify({ text: builtinWording }, user, now).state).toBe("idle");
    expect(classify({ text: builtinWording }, BUILTIN_DETECT.claude, now).state).toBe("limited");
    // Other preset fields keep working under the override.
    const working = claudeScreen(["❯ go"], { footer: ["  esc to interrupt"] });
    expect(classify({ text: working }, user, now).state).toBe("working");
  });

  it("without idle_re, not-active means idle (the reference program's model)", () => {
    const rules: DetectRules = { active_re: "esc to interrupt|Running tool", limit_re: "usage limit|limit reached" };
    expect(classify({ text: "● done\n❯ " }, rules, now)).toMatchObject({ state: "idle", rule: "not active_re" });
    expect(classify({ text: "x\nesc to interrupt" }, rules, now).state).toBe("working");
    expect(classify({ text: "Usage limit reached, resets 3pm" }, rules, now, { timeZone: "UTC" })).toMatchObject({
      state: "limited",
      reset: { text: "3pm", at: Date.parse("2026-11-22T15:00:00Z") },
    });
  });

  it("with an idle_re that does not match, or no rules at all, the state is unknown", () => {
    expect(classify({ text: "splash" }, { active_re: "busy", idle_re: "^> $" }, now).state).toBe("unknown");
    expect(classify({ text: "anything" }, {}, now)).toMatchObject({ state: "unknown", rule: "default" });
  });

  it("footer_ui without status_rows reads activity from the bottom 12 rows only", () => {
    const rows = ["esc interrupt", ...Array.from({ length: 15 }, (_, i) => `line ${i}`)];
    const rules: DetectRules = { active_re: "esc interrupt", footer_ui: true };
    expect(classify({ text: rows.join("\n") }, rules, now).state).toBe("idle");
    expect(classify({ text: rows.join("\n") }, { active_re: "esc interrupt" }, now).state).toBe("working");
  });

  it("compiles once per rules object and once per content", () => {
    const a: DetectRules = { active_re: "x" };
    expect(compileRules(a)).toBe(compileRules(a));
    expect(compileRules({ active_re: "x" })).toBe(compileRules(a));
    expect(compileRules({ active_re: "y" })).not.toBe(compileRules(a));
  });

  it("an invalid regex names its field", () => {
    expect(() => compileRules({ fatal_re: "(" })).toThrow(/fatal_re/);
  });

  it("every built-in preset compiles", () => {
    for (const rules of Object.values(BUILTIN_DETECT)) expect(() => compileRules(rules)).not.toThrow();
  });
});

describe("the demo backend", () => {
  const rules = BUILTIN_DETECT.demo;
  it("is working while it prints working lines and idle at its prompt", () => {
    const working = "demo agent ready (model=default)\nworking... 12:00:01\nworking... 12:00:03\n";
    expect(classify({ text: working, command: "bash" }, rules, now).state).toBe("working");
    const idle = `${working}/quiet\ndemo> `;
    expect(classify({ text: idle, command: "bash" }, rules, now).state).toBe("idle");
  });

  it("reads a limit banner typed through /limit", () => {
    const text = "working... 12:00:01\n/limit You've hit your usage limit · resets 7pm (UTC)\nYou've hit your usage limit · resets 7pm (UTC)\n";
    const c = classify({ text, command: "bash" }, rules, now);
    expect(c.state).toBe("limited");
    expect(c.reset?.at).toBe(Date.parse("2026-11-21T19:00:00Z"));
  });
});
