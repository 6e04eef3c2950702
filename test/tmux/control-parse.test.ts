import { describe, expect, it } from "vitest";
import { ControlParser, controlLine, type ControlEvent } from "../../src/tmux/control-parse.js";

// Lines as tmux 3.3a wrote them to a `tmux -C attach -f ignore-size,no-output,read-only` client.
const RECORDED = [
  "%begin 1796202548 272 0",
  "%end 1796202548 272 0",
  "%session-changed $0 p-watchdog+ctl",
  "%begin 1796202548 277 1",
  "attached,focused,control-mode,ignore-size,no-output,read-only,UTF-8 client-10085",
  "%end 1796202548 277 1",
  "%begin 1796202440 281 1",
  "no current client",
  "%error 1796202440 281 1",
  "%sessions-changed",
  "%unlinked-window-close @2",
  "%begin 1796202441 291 1",
  "parse error: unknown command: bogus-cmd",
  "%error 1796202441 291 1",
  "%exit",
].join("\n") + "\n";

function feedAll(p: ControlParser, chunks: string[]): ControlEvent[] {
  return chunks.flatMap((c) => p.feed(c));
}

describe("ControlParser", () => {
  it("reads recorded replies and notifications in order", () => {
    const evs = new ControlParser().feed(RECORDED);
    expect(evs).toEqual([
      { kind: "reply", number: 272, fromClient: false, ok: true, lines: [] },
      { kind: "notify", name: "session-changed", args: ["$0", "p-watchdog+ctl"] },
      { kind: "reply", number: 277, fromClient: true, ok: true, lines: ["attached,focused,control-mode,ignore-size,no-output,read-only,UTF-8 client-10085"] },
      { kind: "reply", number: 281, fromClient: true, ok: false, lines: ["no current client"] },
      { kind: "notify", name: "sessions-changed", args: [] },
      { kind: "notify", name: "unlinked-window-close", args: ["@2"] },
      { kind: "reply", number: 291, fromClient: true, ok: false, lines: ["parse error: unknown command: bogus-cmd"] },
      { kind: "notify", name: "exit", args: [] },
    ]);
  });

  it.each([1, 2, 3, 7, 64])("gives the same events whatever the chunk size (%i)", (size) => {
    const chunks: string[] = [];
    for (let i = 0; i < RECORDED.length; i += size) chunks.push(RECORDED.slice(i, i + size));
    expect(feedAll(new ControlParser(), chunks)).toEqual(new ControlParser().feed(RECORDED));
  });

  it("keeps a captured pane's lines that look like protocol as text", () => {
    const text = ["%begin 1 5 1", "%end 9 9 9", "%sessions-changed", "", "%error 1 4 1", "  tail", "%end 1 5 1", ""].join("\n");
    expect(new ControlParser().feed(text)).toEqual([
      { kind: "reply", number: 5, fromClient: true, ok: true, lines: ["%end 9 9 9", "%sessions-changed", "", "%error 1 4 1", "  tail"] },
    ]);
  });

  it("waits for the end of a line split across chunks, CRLF or not", () => {
    const p = new ControlParser();
    expect(p.feed("%begin 1 2 1\r\nab")).toEqual([]);
    expect(p.feed("c\r\n%end 1 2")).toEqual([]);
    expect(p.feed(" 1\r\n")).toEqual([{ kind: "reply", number: 2, fromClient: true, ok: true, lines: ["abc"] }]);
  });

  it("ignores noise outside a block", () => {
    expect(new ControlParser().feed("hello\n\n%window-add @3\n")).toEqual([{ kind: "notify", name: "window-add", args: ["@3"] }]);
  });
});

describe("controlLine", () => {
  it.each<[string[], string | undefined]>([
    [["list-panes", "-a", "-F", "#{session_name}\t#{pane_title}"], "'list-panes' '-a' '-F' '#{session_name}\t#{pane_title}'"],
    [["capture-pane", "-p", "-t", "=a b;c:"], "'capture-pane' '-p' '-t' '=a b;c:'"],
    [["capture-pane", "-t", "=it's:"], undefined],
    [["display", "a\nb"], undefined],
  ])("%j → %s", (args, line) => {
    expect(controlLine(args)).toBe(line);
  });
});
