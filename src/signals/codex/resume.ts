// How a launch continues a Codex thread. Codex 0.169.0: `codex resume <id> [PROMPT]` takes the
// same options as a plain start (`--model`, `-c key=value`, `--no-daemon`, ...) and appends to the
// thread's existing rollout; an id with no saved rollout exits 1 at once ("ERROR: No saved session
// found with ID <id>"), so an id is offered only while its rollout exists (resumableThread).
import { findRollout } from "./find.js";

/** Codex thread ids are UUIDs (v7 in 0.169.0); `resume` would take anything else as a name. */
const THREAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isCodexThreadId = (id: string): boolean => THREAD_ID.test(id);

export interface CodexResumeOptions {
  model?: string;
  /** The run's other options, as argv words (the preset's `--no-daemon`, `-c k=v`, ...). */
  flags?: string[];
  /** A prompt to submit once the thread is loaded. */
  prompt?: string;
}

/**
 * Pure: the argv after `codex` that continues `threadId`: `resume <id>` first (it is a subcommand:
 * nothing may come before it), then the options, the prompt last. Words are not shell-quoted.
 */
export function codexResumeArgs(threadId: string, opts: CodexResumeOptions = {}): string[] {
  if (!isCodexThreadId(threadId)) throw new Error(`not a Codex thread id: ${JSON.stringify(threadId)}`);
  const args = ["resume", threadId];
  if (opts.model) args.push("--model", opts.model);
  args.push(...(opts.flags ?? []));
  // A prompt that starts with "-" would be read as an option.
  if (opts.prompt !== undefined) args.push(...(opts.prompt.startsWith("-") ? ["--", opts.prompt] : [opts.prompt]));
  return args;
}

/** True when `threadId` is a thread id whose rollout is under `codexHome` (so resume will find it). */
export function resumableThread(codexHome: string, threadId: string | undefined): threadId is string {
  return !!threadId && isCodexThreadId(threadId) && findRollout(codexHome, 0, undefined, threadId) !== undefined;
}
