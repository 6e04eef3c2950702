// The real signal lines Claude Code 2.1.330 wrote through the tap, captured by
// test/live/claude-signals.e2e.ts (AGENTS_SAVE_SIGNAL_FIXTURES), one file per phase of one session.
import { readFileSync } from "node:fs";

export const VERSION = "2.1.330";
export const PHASES = ["start", "prompt-reply", "tool-use", "usage-limit-5h", "auto-continue", "usage-limit-7d", "resume"] as const;
export type Phase = (typeof PHASES)[number];

export const fixturePath = (name: string): string =>
  new URL(`../fixtures/signals/claude/${VERSION}/${name}.jsonl`, import.meta.url).pathname;

/** A phase's file as written (hook lines are followed by a blank line: their payload ends in \n). */
export const phaseText = (p: Phase): string => readFileSync(fixturePath(p), "utf8");
export const phaseLines = (p: Phase): string[] => phaseText(p).split("\n");

/** Every phase up to and including `last`, in order: one session's signal file at that point. */
export function sessionText(last: Phase = "resume"): string {
  return PHASES.slice(0, PHASES.indexOf(last) + 1).map(phaseText).join("");
}

/** The session id the captured session was pinned to. */
export const SESSION_ID = JSON.parse(phaseLines("start")[0]!).session_id as string;
