// A conversation as `agents logs <agent> --transcript` shows it: the few kinds of event both CLIs'
// records hold, whatever their format. Parsers (claude.ts, codex.ts) make them; render.ts prints them.

interface At {
  /** Epoch ms of the record, when it has a timestamp. */
  at?: number;
}

export type TranscriptEvent = At &
  (
    | { kind: "session"; id?: string; cwd?: string; version?: string }
    | { kind: "prompt"; text: string }
    | { kind: "reply"; text: string }
    | { kind: "tool"; name: string; input: string }
    | { kind: "result"; lines: number; error?: string }
    /** `label`: what kind of limit, when the record says ("rate limit"); else a usage limit. */
    | { kind: "limit"; text: string; label?: string }
    | { kind: "error"; text: string }
    | { kind: "notice"; text: string }
  );

/** Who speaks for the agent in the rendering: the CLI's name. */
export type Speaker = "claude" | "codex";

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export function timeOf(v: unknown): number | undefined {
  const ms = typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** A tool's input in a few words: the command, the file or the pattern, else its first string. */
export function shortInput(input: unknown, max = 100): string {
  const o = obj(input);
  let s: string | undefined;
  if (o) {
    const cmd = o.command;
    s = Array.isArray(cmd) ? cmd.map(String).join(" ") : undefined;
    for (const key of ["command", "cmd", "file_path", "path", "pattern", "url", "query", "description", "prompt"]) {
      s ??= str(o[key]);
    }
    s ??= Object.values(o).map(str).find((x) => x !== undefined);
  } else {
    s = str(input);
  }
  const one = (s ?? "").replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** How many lines a tool result has (a trailing newline does not start one). */
export function lineCount(text: string): number {
  if (!text) return 0;
  return text.replace(/\n$/, "").split("\n").length;
}
