// Human and machine renderings of a verdict, for `agents classify` and the status table. The first
// word is always the state so scripts can `cut -d' ' -f1`.
import type { Classification } from "./types.js";

export interface FormatOptions {
  explain?: boolean;
  json?: boolean;
}

function headline(c: Classification): string {
  if (c.state !== "limited" || !c.reset) return c.dead && c.state !== "exited" ? `${c.state} (pane dead)` : c.state;
  const when = c.reset.at !== undefined ? `until ${new Date(c.reset.at).toISOString()} (${c.reset.text})` : `(reset "${c.reset.text}" not understood)`;
  return `limited ${when}${c.dead ? " (pane dead)" : ""}`;
}

export function formatClassification(c: Classification, opts: FormatOptions = {}): string {
  if (opts.json) {
    const out: Record<string, unknown> = { ...c };
    if (c.reset?.at !== undefined) out.resetIso = new Date(c.reset.at).toISOString();
    return JSON.stringify(out, null, opts.explain ? 2 : undefined);
  }
  const head = headline(c);
  if (!opts.explain) return head;
  const lines = [head, `  rule: ${c.rule}`];
  if (c.line !== undefined) lines.push(`  line${c.lineNo !== undefined ? ` ${c.lineNo + 1}` : ""}: ${c.line}`);
  if (c.reset) lines.push(`  reset: ${c.reset.text}${c.reset.at !== undefined ? ` = ${new Date(c.reset.at).toISOString()}` : " (unparsed)"}`);
  return lines.join("\n");
}
