// Events → readable lines. Pure: the clock's zone is a parameter (tests pin UTC).
//   07:10:29 you: Say hello.
//   07:10:30 claude: Hello from the mock. All good.
//     → tool Read: /project/README.md
//     ← 2 lines
//   07:10:35 !! usage limit: You've hit your 5-hour limit · resets 7:11am (UTC)
import type { Speaker, TranscriptEvent } from "./types.js";

export interface RenderOptions {
  /** Print times in UTC rather than the local zone. */
  utc?: boolean;
}

function clock(at: number | undefined, utc: boolean): string {
  if (at === undefined) return "--:--:--";
  const d = new Date(at);
  const [h, m, s] = utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  return [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
}

/** `head` before the first line of `text`, the rest indented under it. */
function block(head: string, text: string): string[] {
  const lines = text.replace(/\s+$/, "").split("\n");
  const pad = " ".repeat(Math.min(head.length, 10));
  return [`${head}${lines[0] ?? ""}`, ...lines.slice(1).map((l) => (l ? `${pad}${l}` : ""))];
}

export function renderEvent(e: TranscriptEvent, who: Speaker, opts: RenderOptions = {}): string[] {
  const t = clock(e.at, !!opts.utc);
  switch (e.kind) {
    case "session": {
      const facts = [e.version ? `${who} ${e.version}` : who, e.cwd].filter(Boolean).join(", ");
      return [`${t} -- session ${e.id ?? "?"} (${facts})`];
    }
    case "prompt":
      return block(`${t} you: `, e.text);
    case "reply":
      return block(`${t} ${who}: `, e.text);
    case "tool":
      return [`  → tool ${e.name}${e.input ? `: ${e.input}` : ""}`];
    case "result":
      return [e.error !== undefined ? `  ← error (${e.lines} ${e.lines === 1 ? "line" : "lines"}): ${e.error}` : `  ← ${e.lines} ${e.lines === 1 ? "line" : "lines"}`];
    case "limit":
      return block(`${t} !! ${e.label ?? "usage limit"}: `, e.text);
    case "error":
      return block(`${t} !! error: `, e.text);
    case "notice":
      return block(`${t} -- `, e.text);
  }
}

export function renderEvents(events: TranscriptEvent[], who: Speaker, opts: RenderOptions = {}): string[] {
  return events.flatMap((e) => renderEvent(e, who, opts));
}
