// The Observer's side of the signal taps: per agent, where its record is and how far it was read.
// A tick costs one stat per tapped agent when nothing changed; the readers themselves are
// incremental (byte offsets), so even a tick that reads costs only what was appended.
import { statSync } from "node:fs";
import type { Agent, Fleet } from "../config/load.js";
import type { PaneInfo } from "../tmux/tmux.js";
import { agentEnv, tapKind, type TapKind } from "../fleet/conversation.js";
import { readClaudeSignals, type ClaudeSignalCursor } from "../signals/claude/index.js";
import { codexHome, findRollout, readCodexSignals, readSessionMeta, type CodexSignalCursor } from "../signals/codex/index.js";
import { readOpencodeSignals, type OpencodeSignalCursor } from "../signals/opencode/index.js";
import type { SignalReading } from "../signals/types.js";
import { claudeSignalFile, opencodeSignalFile } from "../state/paths.js";
import { readSessionId, writeSessionId } from "../state/session-id.js";

/** A Codex agent without a rollout yet (none until its first prompt) is looked for this often. */
export const ROLLOUT_SEARCH_MS = 10_000;
/** Codex stamps its thread a moment after the pane was created (tmux times are whole seconds). */
const START_SLACK_MS = 5_000;

interface TapEntry {
  kind: TapKind;
  /** The pane's creation (epoch s) the entry belongs to: a new launch means a new Codex rollout. */
  paneCreated: number;
  file?: string;
  /** size:mtime:ino at the last read: unchanged means nothing to read. */
  stamp?: string;
  lastSearch?: number;
  claude?: ClaudeSignalCursor;
  codex?: CodexSignalCursor;
  opencode?: OpencodeSignalCursor;
  /** The session id last stored for this agent (opencode names its session only in the record). */
  storedId?: string;
}

function stampOf(file: string): string | undefined {
  try {
    const st = statSync(file);
    return st.isFile() ? `${st.size}:${st.mtimeMs}:${st.ino}` : undefined;
  } catch {
    return undefined;
  }
}

export class SignalReader {
  private taps = new Map<string, TapEntry>();
  /** How many reads (not stats) the last round made: tests check a quiet tick reads nothing. */
  reads = 0;

  /** The agent's reading, or undefined when it has no tap or nothing was recorded yet. */
  read(fleet: Fleet, agent: Agent, pane: PaneInfo, now: number): SignalReading | undefined {
    const kind = tapKind(agent);
    if (!kind) {
      this.taps.delete(agent.name);
      return undefined;
    }
    let e = this.taps.get(agent.name);
    if (!e || e.kind !== kind || (kind === "codex" && e.paneCreated !== pane.created)) {
      e = { kind, paneCreated: pane.created };
      this.taps.set(agent.name, e);
    }
    e.paneCreated = pane.created;
    if (kind === "claude") e.file = claudeSignalFile(fleet, agent.name);
    else if (kind === "opencode") e.file = opencodeSignalFile(fleet, agent.name);
    else if (!e.file) this.findCodex(fleet, agent, e, now);
    if (!e.file) return undefined;
    const stamp = stampOf(e.file);
    // While Claude is limited with no word yet on continuing by itself, its transcript may bring
    // that word without a new line in the signal file: the reader looks there on every call.
    const c = e.claude?.reading;
    const awaitingOffer = kind === "claude" && c?.state === "limited" && c.limit !== undefined && c.limit.autoContinue === undefined;
    if (stamp === undefined || (stamp === e.stamp && !awaitingOffer)) return this.current(e);
    e.stamp = stamp;
    this.reads++;
    if (kind === "claude") e.claude = readClaudeSignals(e.file, e.claude);
    else if (kind === "codex") e.codex = readCodexSignals(e.file, e.codex);
    else {
      e.opencode = readOpencodeSignals(e.file, e.opencode);
      this.storeSession(fleet, agent, e, e.opencode.reading.sessionId);
    }
    return this.current(e);
  }

  /** Keep the id the record names, so the next heal can resume it (once per change). */
  private storeSession(fleet: Fleet, agent: Agent, e: TapEntry, id: string | undefined): void {
    if (!id || id === e.storedId) return;
    e.storedId = id;
    if (readSessionId(fleet, agent.name) === id) return;
    try {
      writeSessionId(fleet, agent.name, id);
    } catch {
      /* log_dir unwritable: only a later resume loses it */
    }
  }

  private current(e: TapEntry): SignalReading | undefined {
    const r = (e.claude ?? e.codex ?? e.opencode)?.reading;
    return r && r.at > 0 ? r : undefined;
  }

  /**
   * The agent's own rollout: a thread created since this launch in its folder, else (a resumed
   * thread, whose rollout is the old file) the stored thread's rollout if it was written since.
   * The thread id found is stored, so the next heal can resume it.
   */
  private findCodex(fleet: Fleet, agent: Agent, e: TapEntry, now: number): void {
    if (e.lastSearch !== undefined && now - e.lastSearch < ROLLOUT_SEARCH_MS) return;
    e.lastSearch = now;
    const home = codexHome(agentEnv(agent));
    const since = e.paneCreated * 1000;
    let file = findRollout(home, since, agent.dir);
    const stored = readSessionId(fleet, agent.name);
    if (!file && stored) {
      const old = findRollout(home, 0, undefined, stored);
      try {
        if (old && statSync(old).mtimeMs >= since - START_SLACK_MS) file = old;
      } catch {
        /* gone meanwhile */
      }
    }
    if (!file) return;
    e.file = file;
    const id = readSessionMeta(file)?.id;
    if (id && id !== stored) {
      try {
        writeSessionId(fleet, agent.name, id);
      } catch {
        /* log_dir unwritable: the id is still in the reading, only a later resume loses it */
      }
    }
  }

  /** Drop agents no longer in the fleet. */
  keep(names: Set<string>): void {
    for (const n of this.taps.keys()) if (!names.has(n)) this.taps.delete(n);
  }
}
