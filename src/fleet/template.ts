// Filling {slots} in prompt templates (plain text) and in command templates (shell text).
import { shellQuote } from "../tmux/tmux.js";

/** Plain text: every {key} with a known key is replaced; unknown braces are left alone. */
export function renderText(text: string, fields: Record<string, string>): string {
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (k in fields ? fields[k]! : m));
}

/**
 * Shell text: each slot is quoted for the quoting context it sits in, so a value with spaces or
 * quotes can never split into extra words or run as code. Slots in `raw` are inserted verbatim
 * (they are shell fragments we built ourselves).
 */
export function renderShell(
  template: string,
  fields: Record<string, string>,
  raw: Record<string, string> = {},
): string {
  let out = "";
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === "{") {
      const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(template.slice(i));
      if (m && (m[1]! in fields || m[1]! in raw)) {
        const key = m[1]!;
        out += key in raw ? raw[key]! : quoteFor(fields[key]!, quote);
        i += m[0].length - 1;
        continue;
      }
    }
    if (quote === null) {
      if (ch === "\\") {
        out += ch + (template[i + 1] ?? "");
        i++;
        continue;
      }
      if (ch === "'" || ch === '"') quote = ch;
    } else if (quote === '"' && ch === "\\") {
      out += ch + (template[i + 1] ?? "");
      i++;
      continue;
    } else if (ch === quote) {
      quote = null;
    }
    out += ch;
  }
  return out;
}

function quoteFor(value: string, quote: "'" | '"' | null): string {
  if (quote === "'") return value.replace(/'/g, `'\\''`);
  if (quote === '"') return value.replace(/[\\"$`]/g, (c) => `\\${c}`);
  return shellQuote(value);
}
