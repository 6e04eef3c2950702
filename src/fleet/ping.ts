// Typing a message into an agent's TUI and making sure it was submitted, without blocking anyone else.
import type { Tmux } from "../tmux/tmux.js";
import { stripAnsi } from "../detect/ansi.js";

export interface PingOptions {
  submitKey: string;
  timeoutMs: number;
  /** Poll interval while waiting for the submitted text to move up from the input line. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type PingResult = { ok: true; tries: number } | { ok: false; reason: string; tries: number };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Non-empty screen lines, whitespace-normalised (TUIs wrap and re-indent long input). */
function lines(screen: string): string[] {
  return stripAnsi(screen)
    .split("\n")
    .map((l) => l.replace(/\s+/g, " ").trim())
    .filter((l) => l !== "");
}

/** A short prefix of the message that identifies it on screen. */
function probeOf(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 24);
}

/**
 * How many lines sit below the last place the probe appears; undefined when it is not on screen.
 * Before submitting, the typed text sits on the input line with only the footer below it. Once
 * submitted, it moves into the transcript and output (or an empty input box) appears below it,
 * or it scrolls away entirely.
 */
export function linesBelow(screen: string, probe: string): number | undefined {
  const ls = lines(screen);
  for (let i = ls.length - 1; i >= 0; i--) if (ls[i]!.includes(probe)) return ls.length - 1 - i;
  return undefined;
}

export async function ping(tmux: Tmux, session: string, text: string, opts: PingOptions): Promise<PingResult> {
  const sleep = opts.sleep ?? defaultSleep;
  const pollMs = opts.pollMs ?? 400;
  const probe = probeOf(text);
  const typed = await tmux.sendText(session, text);
  if (typed.code !== 0) return { ok: false, reason: `send-keys failed: ${typed.stderr.trim()}`, tries: 0 };
  await sleep(Math.min(300, pollMs));
  const typedScreen = await tmux.capture(session);
  const before = typedScreen === undefined ? undefined : linesBelow(typedScreen, probe);
  const deadline = Date.now() + opts.timeoutMs;
  let tries = 0;
  while (tries === 0 || Date.now() < deadline) {
    tries++;
    await tmux.sendKeys(session, [opts.submitKey]);
    await sleep(pollMs);
    const screen = await tmux.capture(session);
    if (screen === undefined) return { ok: false, reason: "session vanished while pinging", tries };
    const below = linesBelow(screen, probe);
    if (below === undefined || before === undefined || below > before) return { ok: true, tries };
    await sleep(pollMs);
  }
  return { ok: false, reason: `text still on the input line after ${tries} submit tries`, tries };
}
