// One pane's screen → one reading: the classifier's verdict plus what the rules need beyond it
// (a WAITING-UNTIL deadline, the keys that answer a known start-up dialog). Pure: the watchdog,
// the live selftest and `classify` all read screens through this.
import type { Classification } from "./types.js";
import type { DetectRules } from "./types.js";
import { classify } from "./classify.js";
import { parseWaitingUntil } from "./waiting.js";
import { dialogAnswer, type DialogAnswer } from "./dialogs.js";

export interface ScreenReading extends Classification {
  /** WAITING-UNTIL marker on screen (epoch ms). */
  waitingUntil?: number;
  /** When the pane text was captured (epoch ms). */
  capturedAt: number;
  /** For a dialog the backend knows how to answer: the keys that choose "proceed". */
  dialog?: DialogAnswer;
}

/** What readScreen needs of a backend: its detection rules and which CLI's dialogs it knows. */
export interface ScreenRules extends DetectRules {
  /** Built-in preset (dialog answers are per CLI); falls back to `name`. */
  preset?: string;
  name: string;
}

export interface PaneFacts {
  title?: string;
  command?: string;
  dead?: boolean;
}

export function readScreen(rules: ScreenRules, pane: PaneFacts, text: string, now: number): ScreenReading {
  const c = classify({ text, title: pane.title, command: pane.command, dead: pane.dead }, rules, new Date(now));
  const reading: ScreenReading = { ...c, capturedAt: now };
  const waiting = parseWaitingUntil(text, !!rules.footer_ui);
  if (waiting !== undefined) reading.waitingUntil = waiting;
  if (c.state === "dialog") {
    const answer = dialogAnswer(rules.preset ?? rules.name, text);
    if (answer) reading.dialog = answer;
  }
  return reading;
}
