// When to answer a known start-up dialog. Pure, and shared by the watchdog and the live selftest,
// so both follow one rule: a dialog still being drawn drops keys (Claude then takes Enter as its
// preselected "No, exit"), so answer only once the same dialog has been seen on two readings, and
// give an answer time to land before repeating it.
import type { DialogAnswer } from "../detect/dialogs.js";
import type { DialogMemory } from "../state/watchdog-state.js";
export type { DialogMemory };

export const DIALOG_REANSWER_MS = 10_000;

export interface DialogStep {
  /** What to remember for the next reading (undefined: no known dialog on screen). */
  memory?: DialogMemory;
  /** The answer to send now, if any. */
  answer?: DialogAnswer;
}

export function dialogStep(prev: DialogMemory | undefined, onScreen: DialogAnswer | undefined, now: number): DialogStep {
  if (!onScreen) return {};
  const seen = prev?.option === onScreen.option ? prev.seen + 1 : 1;
  const memory: DialogMemory = { ...prev, option: onScreen.option, seen };
  if (seen < 2) return { memory };
  if (memory.answeredAt !== undefined && now - memory.answeredAt < DIALOG_REANSWER_MS) return { memory };
  memory.answeredAt = now;
  return { memory, answer: onScreen };
}
