// Which conversation a start continues, and which signal tap it runs with (issue 11). The tap of
// a preset is chosen by the backend's preset (a user backend with `preset = "claude"` gets it too)
// unless `signals = false`; the conversation id lives in the state dir's session-id store.
import type { Agent, Fleet } from "../config/load.js";
import { claudeTap } from "../signals/claude/index.js";
import { codexHome, resumableThread } from "../signals/codex/index.js";
import { isOpencodeSessionId, opencodeTap } from "../signals/opencode/index.js";
import { opencodeSignalFile } from "../state/paths.js";
import { readResumeId } from "../state/kickoff.js";
import { readSessionId } from "../state/session-id.js";

export type TapKind = "claude" | "codex" | "opencode";

/**
 * A start that resumed a conversation and died within this long failed to resume (opencode and
 * Claude exit at once on a conversation they cannot load; a broken one can crash them the same
 * way). Resuming it again would only crash-loop: the next start is a new conversation.
 */
export const RESUME_FAIL_MS = 20_000;

/**
 * Pure: did the start `last` (what the watchdog's runtime keeps) resume and die at once, seen
 * dead at `now`? The watchdog notices a death at its next tick, up to `tickMs` later than it
 * happened, so a death seen within RESUME_FAIL_MS + tickMs of the start counts.
 */
export function resumeDiedAtOnce(last: { at: number; resume: boolean } | undefined, now: number, tickMs: number): boolean {
  return !!last?.resume && now >= last.at && now - last.at <= RESUME_FAIL_MS + tickMs;
}

/** The signal tap this agent runs with, if any. Only argv launches can carry the tap's flags. */
export function tapKind(agent: Agent): TapKind | undefined {
  const b = agent.backend;
  if (!b.signals || b.prompt_delivery !== "arg") return undefined;
  const preset = b.preset ?? b.name;
  return preset === "claude" || preset === "codex" || preset === "opencode" ? preset : undefined;
}

/** The agent's environment as its session sees it (its own env over the supervisor's). */
export function agentEnv(agent: Agent): Record<string, string | undefined> {
  return { ...process.env, ...agent.env };
}

export interface Conversation {
  /** Words to add after the binary (the Claude tap's `--session-id`/`--resume` and `--settings`). */
  tapArgs: string[];
  /** An id for the backend's resume_flag (codex `resume <id>`, or the legacy `<agent>.id`). */
  resumeId?: string;
  /** Whether buildLaunch should use resumeId. */
  resume: boolean;
  /** What the launch will run: "resumed <id>", "new <id>", "fresh". */
  note: string;
  /** Trouble that left the launch untapped, for the start's log. */
  problem?: string;
  /** Extra environment for the session (opencode's plugin config). */
  env?: Record<string, string>;
  /** The CLI ignores a prompt argument on this start (opencode with --session): type it instead. */
  typePrompt?: boolean;
}

/**
 * Decide how one start treats the conversation. `resume` is the caller's wish (a heal after a
 * crash, `resume = true`); it is honoured only when the id's record still exists, because both
 * CLIs exit at once on an id they do not know.
 */
export function prepareConversation(fleet: Fleet, agent: Agent, resume: boolean): Conversation {
  const kind = tapKind(agent);
  if (kind === "claude") {
    // The tap owns the id: it passes `--resume` itself, so resume_flag must not be added again.
    const tap = claudeTap(agent, { fleet, resume });
    return { tapArgs: tap.args, resume: false, note: `${tap.resumed ? "resumed" : "new"} ${tap.sessionId}`, problem: tap.problem };
  }
  if (kind === "codex" || (agent.backend.preset ?? agent.backend.name) === "codex") {
    // The thread id is learnt from the rollout after start (observe stores it), never chosen here.
    const stored = readSessionId(fleet, agent.name);
    if (resume && agent.backend.supports_resume && resumableThread(codexHome(agentEnv(agent)), stored)) {
      return { tapArgs: [], resumeId: stored, resume: true, note: `resumed ${stored}` };
    }
    return { tapArgs: [], resume: false, note: "fresh" };
  }
  if (kind === "opencode") {
    // The session id comes from the plugin's record (observe stores it). opencode exits at once on
    // an unknown id, but keeps its sessions in its own database: a stored id is trusted as is.
    const stored = readSessionId(fleet, agent.name);
    const resumeId = resume && agent.backend.supports_resume && stored && isOpencodeSessionId(stored) ? stored : undefined;
    const tap = opencodeTap({ signalFile: opencodeSignalFile(fleet, agent.name), configContent: agentEnv(agent).OPENCODE_CONFIG_CONTENT, resumeId });
    return { tapArgs: tap.args, env: tap.env, resume: false, note: resumeId ? `resumed ${resumeId}` : "tapped", typePrompt: resumeId !== undefined };
  }
  const legacy = readResumeId(fleet, agent.name);
  return { tapArgs: [], resumeId: legacy, resume, note: resume && legacy ? `resumed ${legacy}` : "fresh" };
}
