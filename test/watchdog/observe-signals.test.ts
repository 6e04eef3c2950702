// The Observer reads each tapped agent's own record beside its screen: Claude's signal file and
// Codex's rollout (real captures from test/fixtures/signals), incrementally, and not at all when
// the file has not changed since the last tick.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Tmux } from "../../src/tmux/tmux.js";
import { Observer } from "../../src/watchdog/observe.js";
import { emptyState } from "../../src/watchdog/types.js";
import { claudeSignalFile, opencodeSignalFile } from "../../src/state/paths.js";
import { readSessionId } from "../../src/state/session-id.js";
import { FakeTmux } from "../helpers/fake-tmux.js";
import { tempDir } from "../helpers/tmp.js";
import { SESSION_ID, fixturePath, phaseText, sessionText } from "../signals/claude-fixtures.js";
import { BASE, T0, fleetFrom } from "./helpers.js";

const CODEX_FIXTURES = new URL("../fixtures/signals/codex/", import.meta.url).pathname;
const THREAD = "01a2357a-ff5b-7851-bbcc-3b8fa6a569a0";
/** session_meta's timestamp in working.jsonl: the thread's creation. */
const THREAD_CREATED = Date.parse("2026-12-02T06:39:42.965Z");

function setup() {
  const codexHome = tempDir("codex-home");
  const fleet = fleetFrom(`${BASE}
[[agent]]
name = "c"
backend = "claude"
watch = "heal"
[[agent]]
name = "x"
backend = "codex"
watch = "heal"
env = { CODEX_HOME = "${codexHome}" }
[[agent]]
name = "o"
backend = "opencode"
watch = "heal"
[[agent]]
name = "d"
watch = "heal"
`);
  let clock = T0;
  const fake = new FakeTmux({ now: () => clock });
  const observer = new Observer(new Tmux({ transport: fake }));
  const created = Math.floor(THREAD_CREATED / 1000) - 1;
  fake.add("t-c", { pid: 11, command: "claude", activity: created, created, text: "> \n" });
  fake.add("t-x", { pid: 12, command: "node", activity: created, created, text: "› \n" });
  fake.add("t-o", { pid: 14, command: "opencode", activity: created, created, text: "> \n" });
  fake.add("t-d", { pid: 13, command: "bash", activity: created, created, text: "demo> \n" });
  const tick = async (at: number) => {
    clock = at;
    const before = observer.signals.reads;
    const snap = await observer.observe(fleet, emptyState(), { now: at, heavy: false, cronDue: new Set() });
    return { snap, reads: observer.signals.reads - before };
  };
  /** A real rollout, in the agent's own folder (session_meta's cwd is where Codex ran). */
  const rollout = (fixture: string): string => {
    const [meta, ...rest] = readFileSync(path.join(CODEX_FIXTURES, fixture), "utf8").split("\n");
    const rec = JSON.parse(meta!);
    rec.payload.cwd = fleet.agents.find((a) => a.name === "x")!.dir;
    const dir = path.join(codexHome, "sessions/2026/12/02");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `rollout-2026-12-02T06-39-42-${THREAD}.jsonl`);
    writeFileSync(file, [JSON.stringify(rec), ...rest].join("\n"));
    return file;
  };
  return { fleet, fake, tick, rollout };
}

describe("Observer signals", () => {
  it("reads Claude's signal file incrementally, and not at all while it is unchanged", async () => {
    const { fleet, tick } = setup();
    const file = claudeSignalFile(fleet, "c");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, sessionText("prompt-reply"));
    const first = await tick(T0);
    expect(first.reads).toBe(1);
    const r = first.snap.signals.get("c")!;
    expect(r).toMatchObject({ source: "claude", sessionId: SESSION_ID, state: "idle" });
    expect(first.snap.signals.has("d")).toBe(false); // demo has no tap

    const quiet = await tick(T0 + 5_000);
    expect(quiet.reads).toBe(0);
    expect(quiet.snap.signals.get("c")).toEqual(r);

    appendFileSync(file, phaseText("tool-use") + phaseText("usage-limit-5h"));
    const limited = await tick(T0 + 10_000);
    expect(limited.reads).toBe(1);
    expect(limited.snap.signals.get("c")!.state).toBe("limited");
    expect(limited.snap.signals.get("c")!.limit?.resetsAt).toBeGreaterThan(0);
  });

  it("while Claude is limited with no word on continuing, the offer landing in its transcript alone is seen", async () => {
    const { fleet, tick } = setup();
    const dir = tempDir("transcript");
    const transcript = path.join(dir, "transcript.jsonl");
    const records = readFileSync(fixturePath("transcript-limit-offer"), "utf8").split("\n");
    const offer = records.findIndex((l) => l.includes("set to continue automatically"));
    const original = JSON.parse(phaseText("start").split("\n")[0]!).transcript_path as string;
    const file = claudeSignalFile(fleet, "c");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, sessionText("usage-limit-5h").split(original).join(transcript));
    writeFileSync(transcript, records.slice(0, offer).join("\n") + "\n");
    const first = await tick(T0);
    expect(first.snap.signals.get("c")!.limit?.autoContinue).toBeUndefined();
    writeFileSync(transcript, records.join("\n"));
    const later = await tick(T0 + 5_000);
    expect(later.snap.signals.get("c")!.limit).toMatchObject({ autoContinue: true });
    // Once known, an unchanged signal file is not read again.
    expect((await tick(T0 + 10_000)).reads).toBe(0);
  });

  it("no signal file yet: no reading, and no error", async () => {
    const { tick } = setup();
    const t = await tick(T0);
    expect(t.snap.signals.size).toBe(0);
  });

  it("finds the Codex agent's rollout, stores its thread id, and follows what Codex appends", async () => {
    const { fleet, tick, rollout } = setup();
    expect((await tick(T0)).snap.signals.has("x")).toBe(false);
    const file = rollout("working.jsonl");
    // Looked for again only after ROLLOUT_SEARCH_MS.
    const found = await tick(T0 + 11_000);
    expect(found.snap.signals.get("x")).toMatchObject({ source: "codex", state: "working", sessionId: THREAD, transcriptPath: file });
    expect(readSessionId(fleet, "x")).toBe(THREAD);
    expect((await tick(T0 + 16_000)).reads).toBe(0);
    // The whole session as it went on: the rest of the turn, then a usage limit.
    const full = readFileSync(path.join(CODEX_FIXTURES, "limit-resumed.jsonl"), "utf8").split("\n");
    const have = readFileSync(file, "utf8").split("\n").length;
    appendFileSync(file, full.slice(have - 1, 31).join("\n") + "\n");
    const later = await tick(T0 + 21_000);
    expect(later.reads).toBe(1);
    expect(later.snap.signals.get("x")!.state).toBe("limited");
  });

  it("reads the opencode plugin's file and stores the session it names", async () => {
    const { fleet, tick } = setup();
    const lines = readFileSync(new URL("../fixtures/signals/opencode/signals.jsonl", import.meta.url), "utf8").split("\n").filter(Boolean);
    // Its records are stamped by the plugin: date this launch's pane before the first of them.
    const file = opencodeSignalFile(fleet, "o");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, lines.slice(0, 10).join("\n") + "\n");
    const t = await tick(T0);
    expect(t.snap.signals.get("o")).toMatchObject({ source: "opencode", sessionId: "ses_dca5b6287ffeT6jr2gGoX34NSG" });
    expect(readSessionId(fleet, "o")).toBe("ses_dca5b6287ffeT6jr2gGoX34NSG");
    expect((await tick(T0 + 5_000)).reads).toBe(0);
  });
});
