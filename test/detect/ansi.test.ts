import { describe, expect, it } from "vitest";
import { screenLines, stripAnsi } from "../../src/detect/ansi.js";

describe("stripAnsi", () => {
  it("removes SGR, cursor, OSC title/hyperlink and DCS sequences", () => {
    expect(stripAnsi("\x1b[1;31mred\x1b[0m \x1b[2K\x1b[10;1Hx")).toBe("red x");
    expect(stripAnsi("\x1b]0;◐ Claude Code\x07text\x1b]8;;https://a\x1b\\link\x1b]8;;\x1b\\")).toBe("textlink");
    expect(stripAnsi("\x1bP1;2|abc\x1b\\ok\x1b(B")).toBe("ok");
  });

  it("normalises non-breaking and narrow spaces and line endings", () => {
    expect(stripAnsi("❯\u00a0hello\u202fPM\r\nnext\rline")).toBe("❯ hello PM\nnext\nline");
  });

  it("screenLines trims the padding tmux adds to rows", () => {
    expect(screenLines("a   \n  b  \n")).toEqual(["a", "  b", ""]);
  });
});
