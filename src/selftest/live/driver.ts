// Drives one agent CLI in a private tmux server for `selftest --live`: start it, read its pane the
// way the watchdog does (readScreen, and dialogStep for start-up dialogs), wait for a state, type
// a prompt, save screens that read wrong, and stop every process it started.
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ScreenRules } from "../../detect/screen.js";
import type { ScreenState } from "../../detect/types.js";
import { ping } from "../../fleet/ping.js";
import { mkdirp } from "../../state/files.js";
import { Tmux, type PaneInfo } from "../../tmux/tmux.js";
import { dialogStep, readScreen, type DialogMemory, type ScreenReading } from "../../watchdog/index.js";

/** One observation of the pane, as the watchdog would make it. */
export interface Reading {
  text: string;
  pane?: PaneInfo;
  c: ScreenReading;
  at: number;
}

export interface StepResult {
  ok: boolean;
  reading?: Reading;
  ms: number;
  note?: string;
}

export interface WaitOptions {
  /** Consecutive polls that must read `want` (default 2). */
  stable?: number;
  /** A further condition (e.g. the mock has seen a request). */
  until?: () => boolean;
}

/** PASS/FAIL lines for one backend, counted. */
export class Tally {
  passed = 0;
  failed = 0;

  constructor(
    readonly backend: string,
    /** Where the lines go; also for notes that are neither PASS nor FAIL. */
    readonly out: (line: string) => void,
  ) {}

  report(ok: boolean, step: string, detail: string): void {
    if (ok) this.passed++;
    else this.failed++;
    this.out(`${ok ? "PASS" : "FAIL"} ${this.backend} ${step}: ${detail}`);
  }
}

export interface DriverOptions {
  out: (line: string) => void;
  /** Print every change of reading while waiting. */
  verbose?: boolean;
  /** The folder for saved screens, created on first use. */
  saveDirOf: () => string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function oneLine(s: string | undefined, max = 100): string {
  const t = (s ?? "").replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function summarize(r: Reading | undefined): string {
  if (!r) return "nothing read";
  const c = r.c;
  const parts = [`${c.state} [${c.rule}]`];
  if (c.line) parts.push(JSON.stringify(oneLine(c.line)));
  if (c.reset) parts.push(`reset ${JSON.stringify(c.reset.text)}${c.reset.at ? ` = ${new Date(c.reset.at).toISOString()}` : ""}`);
  const p = r.pane;
  parts.push(p ? `cmd=${p.command} title=${JSON.stringify(p.title)}${p.dead ? ` dead=${p.deadStatus ?? ""}` : ""}` : "no pane");
  return parts.join(" ");
}

export class CliDriver {
  readonly socket = `agents-live-${randomBytes(5).toString("hex")}`;
  readonly tmux = new Tmux({ socket: this.socket });
  readonly session: string;
  private saved = new Set<string>();

  /** `rules`: the backend as the watchdog would read it (the agent's resolved backend). */
  constructor(
    readonly backend: string,
    private readonly rules: ScreenRules,
    private readonly tally: Tally,
    private readonly opts: DriverOptions,
  ) {
    this.session = `live-${backend}`;
  }

  /** Start the CLI in a 120x40 session; undefined when it started, else why not. */
  async start(cwd: string, command: string): Promise<string | undefined> {
    const created = await this.tmux.newSession({ name: this.session, cwd, command, width: 120, height: 40 });
    if (created.code !== 0) return `tmux new-session failed: ${created.stderr.trim()}`;
    // Keep a crashed CLI's last screen readable instead of losing the session.
    await this.tmux.setWindowOption(this.session, "remain-on-exit", "on");
    return undefined;
  }

  async read(): Promise<Reading | undefined> {
    const text = await this.tmux.capture(this.session);
    const panes = await this.tmux.listPanes();
    const pane = panes.find((p) => p.session === this.session);
    if (text === undefined && !pane) return undefined;
    const at = Date.now();
    return { text: text ?? "", pane, c: readScreen(this.rules, pane ?? {}, text ?? "", at), at };
  }

  save(step: string, r: Reading, why: string): void {
    const hash = createHash("sha1").update(r.text).digest("hex").slice(0, 8);
    if (this.saved.has(hash)) return;
    this.saved.add(hash);
    const dir = this.opts.saveDirOf();
    mkdirp(dir); // a user's AGENTS_LIVE_SAVE_DIR: never Node's recursive mkdir (state/mkdirp.ts)
    const base = path.join(dir, `${this.backend}-${step}-${r.c.state}-${hash}`);
    const { capturedAt: _at, ...classification } = r.c;
    writeFileSync(`${base}.txt`, r.text);
    writeFileSync(
      `${base}.json`,
      JSON.stringify(
        {
          backend: this.backend,
          step,
          why,
          classification,
          command: r.pane?.command,
          title: r.pane?.title,
          dead: r.pane?.dead,
          capturedAt: new Date(r.at).toISOString(),
        },
        null,
        2,
      ) + "\n",
    );
    this.opts.out(`     saved ${why} screen: ${base}.txt`);
  }

  /**
   * Poll until the pane reads as `want` on `stable` consecutive polls. A known start-up dialog is
   * answered when the watchdog's dialog rule says so (and reported: with pre-seeding it should not
   * appear at all).
   */
  async waitFor(step: string, want: ScreenState, timeoutMs: number, opts: WaitOptions = {}): Promise<StepResult> {
    const start = Date.now();
    const stable = opts.stable ?? 2;
    let streak = 0;
    let last: Reading | undefined;
    let lastKey = "";
    let dialog: DialogMemory | undefined;
    const reported = new Set<string>();
    while (Date.now() - start < timeoutMs) {
      const r = await this.read();
      if (!r) return { ok: false, reading: last, ms: Date.now() - start, note: "the session is gone" };
      last = r;
      // State and rule only: progress bars and timers change the decisive line every poll.
      const key = `${r.c.state}/${r.c.rule}`;
      if (this.opts.verbose && key !== lastKey) {
        this.opts.out(`     .. ${((Date.now() - start) / 1000).toFixed(1)}s ${summarize(r)}`);
      }
      lastKey = key;
      // A blank pane is just a CLI still starting, not a screen the patterns missed.
      if (r.c.state === "unknown" && r.text.trim() !== "") this.save(step, r, "unknown");
      const extra = opts.until ? opts.until() : true;
      if (r.c.state === want && extra) {
        if (++streak >= stable) return { ok: true, reading: r, ms: Date.now() - start };
      } else streak = 0;
      const d = dialogStep(dialog, want !== "dialog" ? r.c.dialog : undefined, r.at);
      dialog = d.memory;
      if (d.answer) {
        this.save(step, r, "dialog");
        if (!reported.has(d.answer.option)) {
          reported.add(d.answer.option);
          this.tally.report(false, `${step} dialog`, `a start-up dialog appeared (${summarize(r)}); answering "${d.answer.option}"`);
        }
        await this.answerDialog();
      }
      if (r.pane?.dead || r.c.state === "exited") {
        if (want !== "exited") return { ok: false, reading: r, ms: Date.now() - start, note: "the CLI exited" };
      }
      await sleep(1000);
    }
    return { ok: false, reading: last, ms: Date.now() - start, note: `timed out after ${Math.round(timeoutMs / 1000)}s` };
  }

  /**
   * Move to the wanted option, check on screen that the cursor is there, only then confirm: a lost
   * arrow key would otherwise turn Enter into the preselected answer (Claude's "No, exit").
   */
  async answerDialog(): Promise<boolean> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const answer = (await this.read())?.c.dialog;
      if (!answer) return false;
      const moves = answer.keys.slice(0, -1);
      if (moves.length === 0) {
        await this.tmux.sendKeys(this.session, answer.keys);
        return true;
      }
      for (const k of moves) {
        await this.tmux.sendKeys(this.session, [k]);
        await sleep(150);
      }
      await sleep(400);
    }
    return false;
  }

  /** waitFor, reported as one PASS or FAIL line (the screen saved on a FAIL). */
  async step(name: string, want: ScreenState, timeoutMs: number, opts: WaitOptions = {}): Promise<boolean> {
    const r = await this.waitFor(name, want, timeoutMs, opts);
    const secs = `${(r.ms / 1000).toFixed(1)}s`;
    if (r.ok) this.tally.report(true, name, `${summarize(r.reading)} (${secs})`);
    else {
      this.tally.report(false, name, `expected ${want}, ${r.note ?? ""}; last read: ${summarize(r.reading)}`);
      if (r.reading) this.save(name, r.reading, `expected-${want}`);
    }
    return r.ok;
  }

  /** Type a prompt and submit it the way the watchdog pings an agent. */
  async type(text: string, submitKey: string): Promise<boolean> {
    const res = await ping(this.tmux, this.session, text, { submitKey, timeoutMs: 15_000 });
    if (!res.ok) this.tally.report(false, "type", `could not submit a prompt: ${res.reason}`);
    return res.ok;
  }

  async killServer(): Promise<void> {
    await this.tmux.killServer();
    this.tmux.close();
  }
}

/** Processes we started that outlive their pane (Codex's app-server daemon): found by our private root. */
function strayPids(root: string): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids; // no procfs (macOS): the tmux kill is all we can do
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    let hit = false;
    for (const f of ["cmdline", "environ"]) {
      try {
        // Only our own processes' environ is readable, so this can never match someone else's.
        if (readFileSync(`/proc/${pid}/${f}`, "latin1").includes(root)) hit = true;
      } catch {
        // gone, or not ours
      }
      if (hit) break;
    }
    if (hit) pids.push(pid);
  }
  return pids;
}

/** SIGTERM every stray of `root`, then SIGKILL whatever is left after 2 s. */
export async function killStrays(root: string, out: (line: string) => void, verbose: boolean): Promise<void> {
  let pids = strayPids(root);
  if (!pids.length) return;
  if (verbose) out(`     stopping leftover processes ${pids.join(", ")}`);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    pids = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    if (!pids.length) return;
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
