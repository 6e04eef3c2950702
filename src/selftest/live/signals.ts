// What `selftest --live` checks of the signal layer: the CLI is launched with its tap, as `agents
// up` would launch it (prepareConversation), and after each screen check the tap's record is read
// with the same readers the watchdog uses (readClaudeSignals on the hooks/statusLine file,
// findRollout + readCodexSignals on Codex's own rollout, readOpencodeSignals on our plugin's file).
import { existsSync } from "node:fs";
import type { Agent, Fleet } from "../../config/load.js";
import { agentEnv } from "../../fleet/conversation.js";
import { readClaudeSignals, type ClaudeSignalCursor } from "../../signals/claude/index.js";
import { codexHome, findRollout, readCodexSignals, type CodexSignalCursor } from "../../signals/codex/index.js";
import { readOpencodeSignals, type OpencodeSignalCursor } from "../../signals/opencode/index.js";
import type { SignalReading, SignalState } from "../../signals/types.js";
import { claudeSignalFile, opencodeSignalFile } from "../../state/paths.js";
import { readSessionId } from "../../state/session-id.js";
import type { Tally } from "./driver.js";
import type { LiveBackend } from "./profiles.js";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** One line of what a reading says, for a PASS/FAIL detail. */
export function describeReading(r: SignalReading | undefined): string {
  if (!r) return "no record yet";
  const parts = [`state ${r.state ?? "none"}`];
  if (r.sessionId) parts.push(`session ${r.sessionId}`);
  if (r.limit) parts.push(`limit${r.limit.window ? ` (${r.limit.window})` : ""}${r.limit.resetsAt ? ` resets ${iso(r.limit.resetsAt)}` : ""}`);
  if (r.costUsd !== undefined) parts.push(`cost $${r.costUsd.toFixed(4)}`);
  if (r.tokens?.total !== undefined) parts.push(`${r.tokens.total} tokens`);
  return parts.join(", ");
}

/** The tap's record of one live agent, read incrementally as the watchdog reads it. */
export class SignalProbe {
  private claude?: ClaudeSignalCursor;
  private codex?: CodexSignalCursor;
  private opencode?: OpencodeSignalCursor;
  private rollout?: string;
  private readonly file: string | undefined;

  constructor(
    readonly backend: LiveBackend,
    private readonly fleet: Fleet,
    private readonly agent: Agent,
    /** Epoch ms the CLI was started: an older Codex rollout is not this run's. */
    private readonly since: number,
    private readonly tally: Tally,
  ) {
    this.file = backend === "claude" ? claudeSignalFile(fleet, agent.name) : backend === "opencode" ? opencodeSignalFile(fleet, agent.name) : undefined;
  }

  /** What the record says now (undefined while there is none). */
  read(): SignalReading | undefined {
    switch (this.backend) {
      case "claude":
        if (!existsSync(this.file!)) return undefined;
        this.claude = readClaudeSignals(this.file!, this.claude);
        return this.claude.reading;
      case "opencode":
        if (!existsSync(this.file!)) return undefined;
        this.opencode = readOpencodeSignals(this.file!, this.opencode, { timeZone: "UTC" });
        return this.opencode.reading;
      case "codex":
        this.rollout ??= findRollout(codexHome(agentEnv(this.agent)), this.since, this.agent.dir);
        if (!this.rollout) return undefined;
        this.codex = readCodexSignals(this.rollout, this.codex, { timeZone: "UTC" });
        return this.codex.reading;
    }
  }

  /** Poll the record until `ok`, up to `ms`; the last reading either way. */
  async until(ok: (r: SignalReading) => boolean, ms: number): Promise<{ ok: boolean; reading?: SignalReading; waited: number }> {
    const start = Date.now();
    let r: SignalReading | undefined;
    for (;;) {
      r = this.read();
      if (r && ok(r)) return { ok: true, reading: r, waited: Date.now() - start };
      if (Date.now() - start >= ms) return { ok: false, reading: r, waited: Date.now() - start };
      await sleep(500);
    }
  }

  private report(ok: boolean, check: string, detail: string): void {
    this.tally.report(ok, `signals ${check}`, detail);
  }

  /** After the ready step: the tap is in place and has said the kickoff's turn ended. */
  async checkReady(ms = 30_000): Promise<void> {
    const r = await this.until((x) => x.state === "idle", ms);
    const secs = `${(r.waited / 1000).toFixed(1)}s`;
    if (this.backend === "claude") {
      const pinned = readSessionId(this.fleet, this.agent.name);
      const same = pinned !== undefined && r.reading?.sessionId === pinned;
      this.report(same, "session-id", same ? `pinned ${pinned} at launch, the record names it` : `pinned ${pinned ?? "nothing"}, the record says ${r.reading?.sessionId ?? "nothing"}`);
    } else if (this.backend === "codex") {
      this.report(this.rollout !== undefined, "rollout", this.rollout ? `found ${this.rollout} (thread ${r.reading?.sessionId ?? "?"})` : "no rollout of this run in its folder");
    } else {
      const ok = !!r.reading?.sessionId?.startsWith("ses_");
      this.report(ok, "plugin", ok ? `the plugin's events name session ${r.reading!.sessionId}` : `no session in the plugin's events (${describeReading(r.reading)})`);
    }
    this.report(r.ok, "idle", `${r.ok ? "" : "expected idle; "}${describeReading(r.reading)} (${secs})`);
  }

  /** The record agrees with a screen step (working, idle): `what` names the record's event. */
  async checkState(want: SignalState, what: string, ms = 30_000, extra: (r: SignalReading) => boolean = () => true): Promise<void> {
    const r = await this.until((x) => x.state === want && extra(x), ms);
    this.report(r.ok, want, `${r.ok ? what : `expected ${want} (${what})`}: ${describeReading(r.reading)} (${(r.waited / 1000).toFixed(1)}s)`);
  }

  /** A usage limit, and the exact reset the CLI heard, within 10 s of the mock's. */
  async checkLimit(expectedReset: number, ms = 60_000): Promise<void> {
    const r = await this.until((x) => x.state === "limited" && (this.backend === "opencode" || x.limit?.resetsAt !== undefined), ms);
    const secs = `(${(r.waited / 1000).toFixed(1)}s)`;
    this.report(r.ok, "limited", `${r.ok ? "" : "expected limited; "}${describeReading(r.reading)}${r.reading?.limit?.message ? `: ${JSON.stringify(r.reading.limit.message)}` : ""} ${secs}`);
    if (!r.ok) return;
    const at = r.reading!.limit?.resetsAt;
    if (at === undefined) {
      // opencode: a reset is read when the error carries one; the mock's Chat Completions 429 has none.
      this.tally.out(`     ${this.backend}: signals: no reset in the record (the CLI's error carried none)`);
      return;
    }
    const off = Math.round((at - expectedReset) / 1000);
    this.report(Math.abs(off) <= 10, "reset", `resets ${iso(at)}, the mock announced ${iso(expectedReset)} (${off >= 0 ? "+" : ""}${off}s)`);
  }
}
