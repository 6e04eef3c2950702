// Showing and following a transcript as the CLI appends to it (byte offsets, a half-written line,
// a replaced file, a new conversation), on copies of the real records.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { followTranscript, renderer, showTranscript } from "../../src/transcript/follow.js";
import { fifo, timed } from "../helpers/fifo.js";
import { ROOT, tempDir, waitFor } from "../helpers/tmux.js";

const SIGNALS = path.join(ROOT, "test/fixtures/signals");
const CLAUDE = readFileSync(path.join(SIGNALS, "claude/2.1.330/transcript-limit-offer.jsonl"), "utf8");
const CODEX = readFileSync(path.join(SIGNALS, "codex/limit-resumed.jsonl"), "utf8");
const render = (who: "claude" | "codex", text: string) => renderer(who, { utc: true })(text.split("\n"));

describe("showTranscript", () => {
  test("the last N rendered lines; 0 shows nothing but still gives the end to follow from", () => {
    const file = path.join(tempDir("tr"), "t.jsonl");
    writeFileSync(file, CLAUDE);
    const out: string[] = [];
    const cursor = showTranscript(file, { who: "claude", lines: 3, out: (l) => out.push(l), render: { utc: true } });
    expect(out).toEqual(render("claude", CLAUDE).slice(-3));
    expect(cursor?.offset).toBe(Buffer.byteLength(CLAUDE));
    const none: string[] = [];
    expect(showTranscript(file, { who: "claude", lines: 0, out: (l) => none.push(l) })?.offset).toBe(Buffer.byteLength(CLAUDE));
    expect(none).toEqual([]);
  });

  test("a missing file or a FIFO in its place is not read (and never waited on)", () => {
    const dir = tempDir("tr");
    expect(showTranscript(path.join(dir, "none.jsonl"), { who: "codex", lines: 5, out: () => {} })).toBeUndefined();
    const pipe = fifo(path.join(dir, "fifo.jsonl"));
    const r = timed(() => showTranscript(pipe, { who: "codex", lines: 5, out: () => {} }));
    expect(r.value).toBeUndefined();
    expect(r.ms).toBeLessThan(1_000);
  });
});

describe("followTranscript", () => {
  test("prints what is appended, a half-written line once it is whole, until stopped", async () => {
    const file = path.join(tempDir("tr"), "rollout.jsonl");
    const all = CODEX.split("\n");
    const head = all.slice(0, 20).join("\n") + "\n";
    writeFileSync(file, head);
    const out: string[] = [];
    const cursor = showTranscript(file, { who: "codex", lines: 1000, out: (l) => out.push(l), render: { utc: true } })!;
    expect(out).toEqual(render("codex", head));
    const stop = new AbortController();
    const following = followTranscript(file, { who: "codex", lines: 0, out: (l) => out.push(l), render: { utc: true }, cursor, signal: stop.signal, pollMs: 20 });
    const rest = all.slice(20).join("\n");
    // The rest arrives in two writes that split a record in the middle.
    const cut = rest.indexOf("Resume: say hello again.") + 5;
    appendFileSync(file, rest.slice(0, cut));
    await new Promise((r) => setTimeout(r, 100));
    expect(out.some((l) => l.includes("Resume"))).toBe(false);
    appendFileSync(file, rest.slice(cut));
    const want = render("codex", CODEX);
    await waitFor("the whole conversation", () => out.length >= want.length, 5_000, 20);
    stop.abort();
    await following;
    expect(out).toEqual(want);
  });

  test("a file replaced under it is read again from its start; a new conversation is switched to", async () => {
    const dir = tempDir("tr");
    const file = path.join(dir, "a.jsonl");
    writeFileSync(file, CLAUDE);
    const out: string[] = [];
    const cursor = showTranscript(file, { who: "claude", lines: 0, out: (l) => out.push(l) })!;
    const stop = new AbortController();
    let current = file;
    const following = followTranscript(file, {
      who: "claude",
      lines: 0,
      out: (l) => out.push(l),
      render: { utc: true },
      cursor,
      signal: stop.signal,
      pollMs: 20,
      relocate: () => current,
      relocateMs: 20,
    });
    const firstTwo = CLAUDE.split("\n").slice(0, 2).join("\n") + "\n";
    writeFileSync(`${file}.new`, firstTwo);
    renameSync(`${file}.new`, file);
    await waitFor("the replaced file", () => out.some((l) => l.includes("was truncated or replaced")), 5_000, 20);
    await waitFor("its lines", () => out.includes("07:10:30 claude: Hello from the mock. All good."), 5_000, 20);
    const other = path.join(dir, "b.jsonl");
    writeFileSync(other, CODEX.split("\n").slice(0, 1).join("\n") + "\n");
    current = other;
    await waitFor("the switch", () => out.includes(`-- now following ${other}`), 5_000, 20);
    stop.abort();
    await following;
  });
});
