import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dialogAnswer } from "../../src/detect/dialogs.js";
import { defaultFixturesDir } from "../../src/detect/selftest.js";

const capture = (name: string): string => readFileSync(path.join(defaultFixturesDir(), name), "utf8");

describe("dialogAnswer", () => {
  it("Claude folder trust: moves off the preselected 'No, exit' to 'Yes, I trust this folder'", () => {
    expect(dialogAnswer("claude", capture("claude/startup-screen1.txt"))).toEqual({
      keys: ["Down", "Enter"],
      option: "Yes, I trust this folder",
    });
  });

  it("Claude API key: moves up from 'No (recommended)' to 'Yes'", () => {
    expect(dialogAnswer("claude", capture("claude/startup-screen2.txt"))).toEqual({ keys: ["Up", "Enter"], option: "Yes" });
  });

  it("the older numbered Claude trust dialog with the cursor already on Yes needs only Enter", () => {
    const text = " Do you trust the files in this folder?\n\n ❯ 1. Yes, proceed\n   2. No, exit\n\n Enter to confirm · Esc to exit";
    expect(dialogAnswer("claude", text)).toEqual({ keys: ["Enter"], option: "Yes, proceed" });
  });

  it("Claude's auto-mode offer keeps the mode the agent was launched with", () => {
    expect(dialogAnswer("claude", capture("claude/tool_use-mode-dialog.txt"))).toEqual({
      keys: ["Down", "Enter"],
      option: "No, keep manual mode",
    });
  });

  it("Codex folder trust: '1. Trust and continue'", () => {
    expect(dialogAnswer("codex", capture("codex/startup-screen1.txt"))).toEqual({ keys: ["Enter"], option: "Trust and continue" });
  });

  it("Codex update prompt: skips instead of running an install, across wrapped options", () => {
    const text = [
      "  ✨ Update available! 0.128.0 -> 0.144.5",
      "",
      "› 1. Update now (runs `npm",
      "     install -g @openai/codex`)",
      "  2. Skip",
      "  3. Skip until next version",
      "",
      "  Press enter to continue",
    ].join("\n");
    expect(dialogAnswer("codex", text)).toEqual({ keys: ["Down", "Enter"], option: "Skip" });
  });

  it("picks a numbered option by number when no cursor is visible", () => {
    const text = "  Trust this folder?\n\n  1. Trust and continue\n  2. Back";
    expect(dialogAnswer("codex", text)).toEqual({ keys: ["1"], option: "Trust and continue" });
  });

  it("never answers tool approvals", () => {
    expect(dialogAnswer("claude", capture("claude/tool_use-approval.txt"))).toBeUndefined();
    expect(dialogAnswer("codex", capture("codex/tool_use-approval.txt"))).toBeUndefined();
    expect(dialogAnswer("opencode", capture("opencode/tool_use-approval.txt"))).toBeUndefined();
  });

  it("answers only for the backend the dialog belongs to, and nothing on ordinary screens", () => {
    expect(dialogAnswer("codex", capture("claude/startup-screen1.txt"))).toBeUndefined();
    expect(dialogAnswer("claude", capture("claude/ok-idle.txt"))).toBeUndefined();
    expect(dialogAnswer("claude", capture("claude/usage_limit-event.txt"))).toBeUndefined();
  });

  it("reads through ANSI colouring", () => {
    const text = "\x1b[1m Quick safety check\x1b[0m\n\n \x1b[36m❯ No, exit\x1b[0m\n   Yes, I trust this folder\n";
    expect(dialogAnswer("claude", text)?.keys).toEqual(["Down", "Enter"]);
  });
});
