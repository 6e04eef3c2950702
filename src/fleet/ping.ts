// Typing a message into an agent's TUI and making sure it was submitted, without blocking anyone else.
import type { Tmux } from "../tmux/tmux.js";
import { stripAnsi } from "../detect/ansi.js";

export interface PingOptions {
  submitKey: string;
  timeoutMs: number;
  /** Poll interval while waiting for the text to leave the input line. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type PingResult = { ok: true; tries: number } | { ok: false; reason: string; tries: number };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The bottom rows where a TUI keeps its input line. */
function inputRegion(screen: string): string {
  const lines = stripAnsi(screen)
    .split("\n")
    .filter((l) => l.trim() !== "");
  return lines.slice(-6).join("\n");
}

/** A short, whitespace-normalised prefix: TUIs wrap and re-indent long input. */
function probeOf(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 24);
}

function contains(region: string, probe: string): boolean {
  return probe !== "" && region.replace(/\s+/g, " ").includes(probe);
}

export async function ping(tmux: Tmux, session: string, text: string, opts: PingOptions): Promise<PingResult> {
  const sleep = opts.sleep ?? defaultSleep;
  const pollMs = opts.pollMs ?? 400;
  const probe = probeOf(text);
  const typed = await tmux.sendText(session, text);
  if (typed.code !== 0) return { ok: false, reason: `send-keys failed: ${typed.stderr.trim()}`, tries: 0 };
  await sleep(Math.min(300, pollMs));
  const deadline = Date.now() + opts.timeoutMs;
  let tries = 0;
  while (tries === 0 || Date.now() < deadline) {
    tries++;
    await tmux.sendKeys(session, [opts.submitKey]);
    await sleep(pollMs);
    const screen = await tmux.capture(session);
    if (screen === undefined) return { ok: false, reason: "session vanished while pinging", tries };
    if (!contains(inputRegion(screen), probe)) return { ok: true, tries };
    await sleep(pollMs);
  }
  return { ok: false, reason: `text still on the input line after ${tries} submit tries`, tries };
}
