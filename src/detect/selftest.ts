// `agents selftest`: the built-in patterns against the recorded pane texts shipped with the package,
// plus synthetic checks of the parsers. The fixtures directory holds <backend>/<moment>.txt, and
// INDEX.md (each pane's command, title and dead flag) and LABELS.tsv (the expected verdict), parsed
// here at run time so a new capture needs no code change.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { classify } from "./classify.js";
import { BUILTIN_DETECT, type BuiltinBackend } from "./patterns.js";
import { parseReset, parseResetValue } from "./reset.js";
import { parseWaitingUntil } from "./waiting.js";
import { dialogAnswer } from "./dialogs.js";
import type { Classification, Screen } from "./types.js";

export interface SelftestResult {
  name: string;
  ok: boolean;
  expected: string;
  got: string;
}

/** The fixtures shipped with the package (dist/detect/ and src/detect/ both sit two levels down). */
export function defaultFixturesDir(): string {
  return fileURLToPath(new URL("../../test/fixtures/captures", import.meta.url));
}

export interface CaptureMeta {
  command?: string;
  title?: string;
  dead: boolean;
}

export interface CaptureLabel {
  state: string;
  /** The reset as printed, or undefined for "-". */
  reset?: string;
  evidence: string;
}

/** INDEX.md rows: - `backend/file.txt` — what … [t=…, cmd=X, title="Y", dead=D/status/signal] */
export function parseIndex(md: string): Map<string, CaptureMeta> {
  const out = new Map<string, CaptureMeta>();
  for (const row of md.split("\n")) {
    // The metadata bracket is the one opening with "t="; titles may contain brackets themselves.
    const m = /^- `([^`]+)` — .*?\[(t=.*)\]\s*$/.exec(row);
    if (!m) continue;
    const fields = m[2]!;
    const meta: CaptureMeta = { dead: false };
    const cmd = /(?:^|, )cmd=([^,]*),/.exec(fields);
    if (cmd) meta.command = cmd[1]!.trim();
    const title = /(?:^|, )title="(.*)", dead=/.exec(fields);
    if (title) meta.title = title[1]!;
    // The dead field is "<flag>/<status>/<signal>"; a title that confused the recorder can leak in
    // front of the flag, so only an exact "1" counts.
    const dead = /, dead=([^/]*)\//.exec(fields.slice(fields.lastIndexOf(", dead=")));
    meta.dead = dead?.[1]?.trim() === "1";
    out.set(m[1]!, meta);
  }
  return out;
}

export function parseLabels(tsv: string): Map<string, CaptureLabel> {
  const out = new Map<string, CaptureLabel>();
  for (const row of tsv.split("\n").slice(1)) {
    if (!row.trim()) continue;
    const [file, state, reset, evidence] = row.split("\t");
    if (!file || !state) continue;
    const label: CaptureLabel = { state, evidence: evidence ?? "" };
    if (reset && reset !== "-") label.reset = reset;
    out.set(file, label);
  }
  return out;
}

/** When the captures were taken (INDEX.md header), so relative reset times resolve as they did then. */
export function captureClock(md: string): Date {
  const m = /Captured on (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC/.exec(md);
  return new Date(m ? `${m[1]}T${m[2]}:00Z` : "2026-11-21T18:24:00Z");
}

/** The zone the capture machine printed its times in. */
export const CAPTURE_TIME_ZONE = "UTC";

export interface CaptureCase {
  name: string;
  backend: BuiltinBackend;
  screen: Screen;
  label: CaptureLabel;
}

export function loadCaptureCases(fixturesDir: string): { cases: CaptureCase[]; now: Date; problems: SelftestResult[] } {
  const problems: SelftestResult[] = [];
  const indexPath = path.join(fixturesDir, "INDEX.md");
  const labelsPath = path.join(fixturesDir, "LABELS.tsv");
  if (!existsSync(indexPath) || !existsSync(labelsPath)) {
    problems.push({ name: "fixtures", ok: false, expected: `INDEX.md and LABELS.tsv in ${fixturesDir}`, got: "missing" });
    return { cases: [], now: new Date(), problems };
  }
  const indexMd = readFileSync(indexPath, "utf8");
  const index = parseIndex(indexMd);
  const labels = parseLabels(readFileSync(labelsPath, "utf8"));
  const cases: CaptureCase[] = [];
  const backends = Object.keys(BUILTIN_DETECT) as BuiltinBackend[];
  for (const backend of backends) {
    const dir = path.join(fixturesDir, backend);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".txt")).sort()) {
      const name = `${backend}/${file}`;
      const label = labels.get(name);
      if (!label) {
        problems.push({ name, ok: false, expected: "a row in LABELS.tsv", got: "none" });
        continue;
      }
      const meta = index.get(name) ?? { dead: false };
      const screen: Screen = { text: readFileSync(path.join(dir, file), "utf8"), dead: meta.dead };
      if (meta.title !== undefined) screen.title = meta.title;
      if (meta.command !== undefined) screen.command = meta.command;
      cases.push({ name, backend, screen, label });
    }
  }
  return { cases, now: captureClock(indexMd), problems };
}

/** What a capture should classify as: `ambiguous` screens are told apart by the dead flag alone. */
export function expectedState(label: CaptureLabel, screen: Screen): string {
  if (label.state === "ambiguous") return screen.dead ? "exited" : "working";
  return label.state;
}

function describe(c: Classification): string {
  if (c.state !== "limited" || !c.reset) return c.state;
  return c.reset.at !== undefined ? `limited (reset ${new Date(c.reset.at).toISOString()})` : `limited (reset "${c.reset.text}" unparsed)`;
}

export function checkCapture(cc: CaptureCase, now: Date): SelftestResult {
  const got = classify(cc.screen, BUILTIN_DETECT[cc.backend], now, { timeZone: CAPTURE_TIME_ZONE });
  const state = expectedState(cc.label, cc.screen);
  let expected = state;
  let ok = got.state === state;
  if (ok && state === "limited" && cc.label.reset) {
    const want = parseResetValue(cc.label.reset, now, CAPTURE_TIME_ZONE);
    expected = want !== undefined ? `limited (reset ${new Date(want).toISOString()})` : `limited (reset ${cc.label.reset})`;
    ok = want !== undefined && got.reset?.at === want;
  }
  return { name: cc.name, ok, expected, got: `${describe(got)} [${got.rule}${got.line ? `: ${got.line}` : ""}]` };
}

function synthetic(): SelftestResult[] {
  const now = new Date("2026-11-21T18:24:00Z");
  const out: SelftestResult[] = [];
  const resets: [string, string][] = [
    ["You've hit your weekly limit · resets Nov 24, 1:18am (UTC)", "2026-11-24T01:18:00.000Z"],
    ["resets 8:30pm (Asia/Tokyo)", "2026-11-22T11:30:00.000Z"],
    ["Usage limit reached · limit resets 7:50pm", "2026-11-21T19:50:00.000Z"],
    ["try again at 3:28 PM.", "2026-11-22T15:28:00.000Z"],
    ["or try again at Nov\n24th, 2026 1:30 AM.", "2026-11-24T01:30:00.000Z"],
    ["try again in 3 days 6 hours 57 minutes", "2026-11-25T01:21:00.000Z"],
    ["Claude AI usage limit reached|1749924000", "2025-06-14T18:00:00.000Z"],
  ];
  for (const [text, iso] of resets) {
    const r = parseReset(text, now, "UTC");
    const got = r?.at !== undefined ? new Date(r.at).toISOString() : "unparsed";
    out.push({ name: `reset: ${text.replace(/\n/g, "⏎")}`, ok: got === iso, expected: iso, got });
  }
  const chat = [
    "❯ why does the banner say usage limit?",
    "",
    "● The CLI prints \"You've hit your usage limit\" and \"Usage limit reached · limit resets 3pm\" when the quota runs out.",
    "",
    "✻ Baked for 4s · done 6:20 PM",
    "",
    "────────",
    "❯ ",
    "────────",
    "  ⏵⏵ auto mode on (shift+tab to cycle)",
  ].join("\n");
  const c = classify({ text: chat, title: "✳ Claude Code", command: "claude" }, BUILTIN_DETECT.claude, now);
  out.push({ name: "claude reply discussing usage limits is idle", ok: c.state === "idle", expected: "idle", got: c.state });
  const wait = parseWaitingUntil("working on it\nWAITING-UNTIL: 2026-11-21T19:00:00Z\n", false);
  out.push({
    name: "WAITING-UNTIL marker",
    ok: wait === Date.parse("2026-11-21T19:00:00Z"),
    expected: "2026-11-21T19:00:00.000Z",
    got: wait === undefined ? "none" : new Date(wait).toISOString(),
  });
  const trust = dialogAnswer("claude", " ❯ No, exit\n   Yes, I trust this folder\n\n Enter to confirm · Esc to cancel");
  out.push({
    name: "claude trust dialog is answered with an explicit choice",
    ok: trust?.keys.join(" ") === "Down Enter",
    expected: "Down Enter",
    got: trust ? trust.keys.join(" ") : "no answer",
  });
  return out;
}

/** Every capture in `<fixturesDir>/<backend>/*.txt` against its label, then the synthetic checks. */
export function runSelftest(fixturesDir: string): SelftestResult[] {
  const { cases, now, problems } = loadCaptureCases(fixturesDir);
  return [...problems, ...cases.map((cc) => checkCapture(cc, now)), ...synthetic()];
}
