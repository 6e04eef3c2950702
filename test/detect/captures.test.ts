// Every recorded pane must classify exactly as LABELS.tsv says, with the pane metadata INDEX.md
// recorded (title, current command, dead flag).
import { describe, expect, it } from "vitest";
import { stripAnsi } from "../../src/detect/ansi.js";
import { classify } from "../../src/detect/classify.js";
import { BUILTIN_DETECT } from "../../src/detect/patterns.js";
import { parseResetValue } from "../../src/detect/reset.js";
import { CAPTURE_TIME_ZONE, defaultFixturesDir, expectedState, loadCaptureCases } from "../../src/detect/selftest.js";

const { cases, now, problems } = loadCaptureCases(defaultFixturesDir());

describe("recorded captures", () => {
  it("finds every capture with a label and metadata", () => {
    expect(problems).toEqual([]);
    expect(cases.length).toBe(118);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, cc) => {
    const got = classify(cc.screen, BUILTIN_DETECT[cc.backend], now, { timeZone: CAPTURE_TIME_ZONE });
    expect(got.state).toBe(expectedState(cc.label, cc.screen));
    if (cc.label.state === "limited" && cc.label.reset) {
      expect(got.reset?.at).toBe(parseResetValue(cc.label.reset, now, CAPTURE_TIME_ZONE));
    }
    if (got.line !== undefined && cc.label.state !== "ambiguous" && got.rule.endsWith("_re") && got.rule !== "title_active_re") {
      // The deciding row is a real row of the capture (non-breaking spaces read as spaces).
      expect(stripAnsi(cc.screen.text)).toContain(got.line);
    }
  });
});

describe("screens that only the pane metadata tells apart", () => {
  const byName = new Map(cases.map((c) => [c.name, c]));

  it("ambiguous captures are exited when the pane is dead, working otherwise", () => {
    const ambiguous = cases.filter((c) => c.label.state === "ambiguous");
    expect(ambiguous.length).toBeGreaterThan(0);
    for (const cc of ambiguous) {
      const rules = BUILTIN_DETECT[cc.backend];
      expect(classify({ ...cc.screen, dead: true }, rules, now).state).toBe("exited");
      expect(classify({ ...cc.screen, dead: false }, rules, now).state).toBe("working");
    }
  });

  it("every exited capture is read from the dead flag, the dead-pane row or the shell command", () => {
    for (const cc of cases.filter((c) => c.label.state === "exited")) {
      const got = classify(cc.screen, BUILTIN_DETECT[cc.backend], now);
      expect(["dead", "shell_command"]).toContain(got.rule);
    }
  });

  it("a shell prompt is exited only because the pane command is a shell", () => {
    const cc = byName.get("claude/shell_exit-exited.txt")!;
    expect(cc.screen.command).toBe("bash");
    expect(classify(cc.screen, BUILTIN_DETECT.claude, now).state).toBe("exited");
    expect(classify({ text: cc.screen.text }, BUILTIN_DETECT.claude, now).state).not.toBe("exited");
  });

  it("tmux's dead-pane row alone marks the pane dead", () => {
    const cc = byName.get("codex/exit-6s.txt")!;
    const got = classify({ text: cc.screen.text }, BUILTIN_DETECT.codex, now);
    expect(got).toMatchObject({ state: "exited", dead: true });
  });

  it("codex streaming without an indicator is working only through the title spinner", () => {
    const cc = byName.get("codex/slow-working.txt")!;
    expect(classify(cc.screen, BUILTIN_DETECT.codex, now).rule).toBe("title_active_re");
    expect(classify({ ...cc.screen, title: "h-codex-slow" }, BUILTIN_DETECT.codex, now).state).toBe("idle");
  });

  it("a dead pane whose last screen shows a fatal error is fatal, flagged dead", () => {
    const cc = byName.get("claude/first_run-screen1.txt")!;
    expect(cc.screen.dead).toBe(true);
    expect(classify(cc.screen, BUILTIN_DETECT.claude, now)).toMatchObject({ state: "fatal", dead: true });
  });

  it("a stale working frame above a dead pane is exited, not working", () => {
    const cc = byName.get("claude/crash-killed.txt")!;
    expect(classify(cc.screen, BUILTIN_DETECT.claude, now)).toMatchObject({ state: "exited", rule: "dead", dead: true });
  });
});
