// Delivering one payload to one sink: the only code here that talks to the network or runs a
// command. Every delivery is bounded by SEND_TIMEOUT_MS; errors come back redacted, never thrown.
import { onPath } from "../proc/on-path.js";
import { runBounded } from "../proc/run.js";
import { ntfyPriority, oneLine, type NotifyPayload } from "./events.js";
import { redactText, type SinkSpec } from "./policy.js";

export const SEND_TIMEOUT_MS = 10_000;

export type SendResult = { ok: true; skipped?: string } | { ok: false; error: string };

/** HTTP headers carry Latin-1 only (fetch throws otherwise): ntfy's title keeps what it can. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, "?");

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { method: "POST", body, headers, signal: AbortSignal.timeout(timeoutMs) });
  // Drain the body so the connection is released; its text may echo the request, so it is not kept.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
}


export interface SendOptions {
  timeoutMs?: number;
  /** Where a command sink runs: the project dir, so relative paths in it mean the same everywhere. */
  cwd?: string;
}

export async function send(sink: SinkSpec, p: NotifyPayload, opts: SendOptions = {}): Promise<SendResult> {
  const timeoutMs = opts.timeoutMs ?? SEND_TIMEOUT_MS;
  try {
    switch (sink.kind) {
      case "webhook":
        await post(sink.target, JSON.stringify(p), { "content-type": "application/json" }, timeoutMs);
        return { ok: true };
      case "ntfy":
        await post(sink.target, p.summary, {
          Title: headerSafe(`${p.fleet}: ${p.event}${p.agent ? ` (${p.agent})` : ""}`),
          Priority: String(ntfyPriority(p.event)),
          Tags: ntfyPriority(p.event) >= 4 ? `warning,${p.event}` : p.event,
        }, timeoutMs);
        return { ok: true };
      case "command": {
        // Its own process group: a hung command is killed whole at the timeout (proc/run.ts).
        const r = await runBounded("sh", ["-c", sink.target], { input: JSON.stringify(p) + "\n", timeoutMs, cwd: opts.cwd });
        if (r.code === 0) return { ok: true };
        const why = r.timedOut ? `timed out after ${timeoutMs / 1000}s` : r.error ?? `exit ${r.code}`;
        const tail = r.stderr.trim().split("\n").pop();
        return { ok: false, error: redactText(tail ? `${why}: ${oneLine(tail, 200)}` : why, [sink.target]) };
      }
      case "desktop": {
        if (!onPath("notify-send", process.env.PATH)) return { ok: true, skipped: "notify-send not found on PATH" };
        const r = await runBounded("notify-send", ["--app-name=agents", `${p.fleet}: ${p.event}`, p.summary], { timeoutMs });
        return r.code === 0 ? { ok: true } : { ok: false, error: oneLine(r.error ?? (r.stderr || `exit ${r.code}`), 200) };
      }
    }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === "TimeoutError" ? `timed out after ${timeoutMs / 1000}s` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : e.cause?.message ? ` (${e.cause.message})` : ""}`;
    return { ok: false, error: redactText(oneLine(why, 300), [sink.target]) };
  }
}
