// readCodexSignals, findRollout and codexResumeArgs on real Codex 0.169.0 rollouts laid out the
// way Codex lays them out ($CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread>.jsonl), in temp
// dirs: incremental reads by byte offset (a line half written, a file truncated or replaced), which
// rollout is the agent's, and the argv that resumes a thread.
import { appendFileSync, mkdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { codexHome, codexResumeArgs, findRollout, readCodexSignals, readSessionMeta, resumableThread, type CodexResumeOptions } from "../../src/signals/codex/index.js";
import { tempDir } from "../helpers/tmp.js";

const DIR = fileURLToPath(new URL("../fixtures/signals/codex/", import.meta.url));
const fixture = (name: string) => readFileSync(path.join(DIR, name));

const LIMIT_THREAD = "01a2357a-ff5b-7851-bbcc-3b8fa6a569a0";
const NOHDR_THREAD = "01a23578-c0a1-7af3-85b8-5abbf22b6279";
const ERR_THREAD = "01a2357c-3a47-7523-854a-5e3115e6457f";
// Thread creation times (session_meta.payload.timestamp) of the fixtures.
const LIMIT_CREATED = Date.parse("2026-12-02T06:39:42.965Z");
const ERR_CREATED = Date.parse("2026-12-02T06:41:03.608Z");

/** A CODEX_HOME holding the fixtures under their real names. */
function codexHomeWith(files: Array<[fixture: string, name: string]>, day = "2026/12/02"): string {
  const home = tempDir("codex-home");
  const dir = path.join(home, "sessions", day);
  mkdirSync(dir, { recursive: true });
  for (const [f, name] of files) writeFileSync(path.join(dir, name), fixture(f));
  return home;
}

const LIMIT_NAME = `rollout-2026-12-02T06-39-42-${LIMIT_THREAD}.jsonl`;
const NOHDR_NAME = `rollout-2026-12-02T06-37-15-${NOHDR_THREAD}.jsonl`;
const ERR_NAME = `rollout-2026-12-02T06-41-03-${ERR_THREAD}.jsonl`;

describe("readCodexSignals", () => {
  it("reads incrementally by byte offset; a half-written last line waits for its newline", () => {
    const full = fixture("limit-resumed.jsonl");
    const file = path.join(tempDir("codex-read"), "rollout.jsonl");
    // Cut inside the task_complete line of the usage limit (line 31).
    const cut = full.indexOf("\n", full.indexOf(`"usage_limit_exceeded"`)) - 20;
    writeFileSync(file, full.subarray(0, cut));
    const a = readCodexSignals(file);
    expect(a.reading.state).toBe("working");
    expect(a.reading.transcriptPath).toBe(file);
    expect(a.reading.sessionId).toBe(LIMIT_THREAD);
    expect(full[a.offset - 1]).toBe(0x0a);
    expect(a.offset).toBeLessThan(cut);

    appendFileSync(file, full.subarray(cut, full.indexOf("\n", cut) + 1));
    const b = readCodexSignals(file, a);
    expect(b.reading.state).toBe("limited");
    expect(b.reading.limit?.resetsAt).toBe(1796200814000);

    appendFileSync(file, full.subarray(b.offset));
    const c = readCodexSignals(file, b);
    expect(c.offset).toBe(full.length);
    expect(c.reading.state).toBe("idle");
    // Nothing new: the same reading, the same offset.
    expect(readCodexSignals(file, c)).toEqual(c);
  });

  it("a missing file gives back what was known (or an empty reading)", () => {
    const missing = path.join(tempDir("codex-read"), "none.jsonl");
    expect(readCodexSignals(missing).reading).toEqual({ source: "codex", at: 0, grewAt: 0 });
    const file = path.join(tempDir("codex-read"), "r.jsonl");
    writeFileSync(file, fixture("working.jsonl"));
    const known = readCodexSignals(file);
    expect(readCodexSignals(missing, known)).toBe(known);
  });

  it("a truncated or replaced rollout is read again from its start", () => {
    const dir = tempDir("codex-read");
    const file = path.join(dir, "r.jsonl");
    writeFileSync(file, fixture("limit-resumed.jsonl"));
    const a = readCodexSignals(file);
    expect(a.reading.state).toBe("idle");

    writeFileSync(file, fixture("working.jsonl")); // shorter: truncated and rewritten
    const b = readCodexSignals(file, a);
    expect(b.offset).toBe(fixture("working.jsonl").length);
    expect(b.reading.state).toBe("working");

    const other = path.join(dir, "other.jsonl");
    writeFileSync(other, fixture("errors.jsonl"));
    renameSync(other, file); // replaced: a new inode
    const c = readCodexSignals(file, b);
    expect(c.reading.sessionId).toBe(ERR_THREAD);
    expect(c.reading.state).toBe("limited");
  });
});

describe("findRollout", () => {
  it("picks the newest thread created since the agent's start, in its folder", () => {
    const home = codexHomeWith([
      ["limit-no-rate-headers.jsonl", NOHDR_NAME],
      ["limit-resumed.jsonl", LIMIT_NAME],
      ["errors.jsonl", ERR_NAME],
    ]);
    const day = path.join(home, "sessions", "2026", "12", "02");
    expect(findRollout(home, LIMIT_CREATED - 1000)).toBe(path.join(day, ERR_NAME));
    expect(findRollout(home, LIMIT_CREATED - 1000, "/tmp/agx-codex-wNPI/project")).toBe(path.join(day, LIMIT_NAME));
    expect(findRollout(home, LIMIT_CREATED - 1000, "/tmp/agx-codex-PnOI/project")).toBeUndefined(); // created before the start
    expect(findRollout(home, ERR_CREATED + 60_000)).toBeUndefined(); // nothing created since
    expect(findRollout(home, 0, "/elsewhere")).toBeUndefined();
  });

  it("a file not written since the start is not the agent's, whatever its thread time", () => {
    const home = codexHomeWith([["errors.jsonl", ERR_NAME]]);
    const file = path.join(home, "sessions", "2026", "12", "02", ERR_NAME);
    const old = (ERR_CREATED - 3_600_000) / 1000;
    utimesSync(file, old, old);
    expect(findRollout(home, ERR_CREATED - 1000)).toBeUndefined();
  });

  it("a resumed thread is found by its id in any day folder", () => {
    const home = codexHomeWith([["limit-resumed.jsonl", LIMIT_NAME]], "2026/11/30");
    expect(findRollout(home, Date.now(), undefined, LIMIT_THREAD)).toBe(path.join(home, "sessions", "2026", "11", "30", LIMIT_NAME));
    expect(findRollout(home, 0, undefined, ERR_THREAD)).toBeUndefined();
    expect(resumableThread(home, LIMIT_THREAD)).toBe(true);
    expect(resumableThread(home, ERR_THREAD)).toBe(false);
    expect(resumableThread(home, "../../etc")).toBe(false);
    expect(resumableThread(home, undefined)).toBe(false);
  });

  it("a rollout without its first line yet is skipped; session_meta gives id, cwd and creation", () => {
    const home = codexHomeWith([]);
    const file = path.join(home, "sessions", "2026", "12", "02", ERR_NAME);
    const first = fixture("errors.jsonl").subarray(0, fixture("errors.jsonl").indexOf("\n") + 1);
    writeFileSync(file, first.subarray(0, 4000)); // the 22 KiB first line half written
    expect(readSessionMeta(file)).toBeUndefined();
    expect(findRollout(home, ERR_CREATED - 1000)).toBeUndefined();
    writeFileSync(file, first);
    expect(readSessionMeta(file)).toEqual({ id: ERR_THREAD, cwd: "/tmp/agx-codex-lymi/project", createdAt: ERR_CREATED });
    expect(findRollout(home, ERR_CREATED - 1000)).toBe(file);
  });

  it("codexHome: CODEX_HOME, else ~/.codex", () => {
    expect(codexHome({ CODEX_HOME: "/x/codex", HOME: "/h" })).toBe("/x/codex");
    expect(codexHome({ HOME: "/h" })).toBe("/h/.codex");
  });
});

describe("codexResumeArgs", () => {
  const rows: Array<[CodexResumeOptions, string[]]> = [
    [{}, ["resume", LIMIT_THREAD]],
    [{ model: "gpt-5", flags: ["--no-daemon"], prompt: "go on" }, ["resume", LIMIT_THREAD, "--model", "gpt-5", "--no-daemon", "go on"]],
    [{ flags: ["-c", 'model_reasoning_effort="high"'] }, ["resume", LIMIT_THREAD, "-c", 'model_reasoning_effort="high"']],
    [{ prompt: "-v is not an option here" }, ["resume", LIMIT_THREAD, "--", "-v is not an option here"]],
  ];
  it.each(rows)("%j", (opts, want) => {
    expect(codexResumeArgs(LIMIT_THREAD, opts)).toEqual(want);
  });

  it("refuses anything but a thread id", () => {
    expect(() => codexResumeArgs("--last")).toThrow(/not a Codex thread id/);
    expect(() => codexResumeArgs("")).toThrow();
  });
});
