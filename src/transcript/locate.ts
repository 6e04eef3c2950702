// Where an agent's CLI keeps its own record, and what its signal tap last said (opencode's too): the few reads
// behind `agents classify <agent>` and `agents logs <agent> --transcript`. Claude: the tap's signal
// file (log_dir/state) names the transcript; else the conversation id pinned at launch finds it
// under the agent's Claude config dir; else the newest transcript there. Codex: its rollout under
// CODEX_HOME (the newest thread since the session started in its folder, else the stored thread).
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Agent, Fleet } from "../config/load.js";
import { agentEnv } from "../fleet/conversation.js";
import { readTextOr } from "../state/files.js";
import { claudeSignalFile, opencodeSignalFile, resumeIdFile } from "../state/paths.js";
import { readSessionId } from "../state/session-id.js";
import { claudeConfigDir, claudeProjectFolders, findTranscript, readClaudeSignals } from "../signals/claude/index.js";
import { codexHome, findRollout, isCodexThreadId, readCodexSignals } from "../signals/codex/index.js";
import { readOpencodeSignals } from "../signals/opencode/index.js";
import type { SignalReading } from "../signals/types.js";

/** Which record format an agent's CLI writes, from its backend's preset (undefined: none we read). */
export type TranscriptSource = "claude" | "codex";

export function sourceOf(agent: Agent): TranscriptSource | undefined {
  const preset = agent.backend.preset ?? agent.backend.name;
  return preset === "claude" || preset === "codex" ? preset : undefined;
}

/** Whose signal tap an agent has a record of: opencode's (our plugin's file) has no conversation to show. */
export type SignalSource = TranscriptSource | "opencode";

export interface AgentRecord {
  source: SignalSource;
  /** The tap's latest reading; undefined when the tap has recorded nothing (yet). */
  reading?: SignalReading;
  /** Where the reading came from (the signal file or the rollout), for messages. */
  signalFile?: string;
  /** The CLI's conversation record, when one was found. */
  transcript?: string;
  /** How the transcript was found, for --explain style notes. */
  how?: string;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The newest `*.jsonl` in any project folder of a Claude config dir (the fallback when no id is known). */
export function newestClaudeTranscript(configDir: string, since = 0): string | undefined {
  let best: { file: string; mtime: number } | undefined;
  for (const folder of claudeProjectFolders(configDir)) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const n of names.filter((x) => x.endsWith(".jsonl"))) {
      const file = path.join(folder, n);
      try {
        const st = statSync(file);
        if (st.isFile() && st.mtimeMs >= since && (!best || st.mtimeMs > best.mtime)) best = { file, mtime: st.mtimeMs };
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return best?.file;
}

function locateClaude(fleet: Fleet, agent: Agent): AgentRecord {
  const signalFile = claudeSignalFile(fleet, agent.name);
  const cursor = readClaudeSignals(signalFile);
  const reading = cursor.reading.at > 0 ? cursor.reading : undefined;
  const out: AgentRecord = { source: "claude", reading, signalFile };
  if (reading?.transcriptPath && isFile(reading.transcriptPath)) return { ...out, transcript: reading.transcriptPath, how: "named by the signal tap" };
  const configDir = claudeConfigDir(agent);
  const id = reading?.sessionId ?? readSessionId(fleet, agent.name);
  const byId = id ? findTranscript(configDir, id) : undefined;
  if (byId) return { ...out, transcript: byId, how: `conversation ${id}` };
  const newest = newestClaudeTranscript(configDir);
  return newest ? { ...out, transcript: newest, how: `newest transcript under ${configDir}` } : out;
}

/**
 * As the watchdog's signal reader finds it (src/watchdog/signal-reader.ts): a thread created since
 * `since` (epoch ms, the session's start; 0 when it is not running) in the agent's folder, else the
 * rollout of the thread stored for resuming (the session-id store, or the older resume-id file).
 */
function locateCodex(fleet: Fleet, agent: Agent, since: number): AgentRecord {
  const home = codexHome(agentEnv(agent));
  let file = findRollout(home, since, agent.dir);
  let how = `newest thread in ${agent.dir} under ${home}`;
  if (!file) {
    const stored = [readSessionId(fleet, agent.name), readTextOr(resumeIdFile(fleet, agent.name), "")!.trim()];
    const threadId = stored.find((id): id is string => !!id && isCodexThreadId(id));
    file = threadId ? findRollout(home, 0, undefined, threadId) : undefined;
    how = `stored thread ${threadId}`;
  }
  if (!file) return { source: "codex" };
  const cursor = readCodexSignals(file);
  const reading = cursor.reading.at > 0 ? cursor.reading : undefined;
  return { source: "codex", reading, signalFile: file, transcript: file, how };
}

/**
 * The agent's record and signal reading, or undefined when its backend has no reader. `since`
 * (epoch ms; 0 when unknown) bounds the Codex rollout search to this run of the agent.
 */
export function locateRecord(fleet: Fleet, agent: Agent, since: number): AgentRecord | undefined {
  const source = sourceOf(agent);
  if (source === "claude") return locateClaude(fleet, agent);
  if (source === "codex") return locateCodex(fleet, agent, since);
  if ((agent.backend.preset ?? agent.backend.name) === "opencode") {
    const signalFile = opencodeSignalFile(fleet, agent.name);
    const reading = readOpencodeSignals(signalFile).reading;
    return { source: "opencode", reading: reading.at > 0 ? reading : undefined, signalFile };
  }
  return undefined;
}
