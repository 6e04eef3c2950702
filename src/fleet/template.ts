// Filling {slots} in prompt templates (plain text) and in command templates (shell text).
//
// A command template is shell text that a shell parses once. A value spliced into it is quoted for
// the context its slot sits in, so that one parse yields exactly the value. That is not enough when
// the quoted text goes on to a second shell (`bash -lc '... {model} ...'`): the second parse would
// run a `$(...)` from the value. So each slot is classified by where it sits (analyzeShell):
//   - unquoted, or a quoted string holding nothing but slots (`'{model}'`): the value, quoted;
//   - inside the script word of a recognised nested shell (`bash -c '...'`, `sh -lc "..."`): a
//     reference to an environment variable ("${AGENT_MODEL}") that the nested shell expands once,
//     the variable being exported with the session;
//   - anywhere else in quotes (text around it), in backquotes or in ${...}: refused, because a
//     second shell we cannot see may parse it. templateProblems says so when the config loads.
//
// The work is split by job: shell-scan.ts finds where each slot sits, shell-context.ts decides what
// that context allows, and this module fills the slots (and says what was refused).
import { shellQuote } from "../tmux/tmux.js";
import { analyzeShell } from "./shell-scan.js";
import { slotEnvName, type Ctx, type SlotKind } from "./shell-context.js";

export { slotEnvName, type SlotKind } from "./shell-context.js";

/** Plain text: every {key} with a known key is replaced; unknown braces are left alone. */
export function renderText(text: string, fields: Record<string, string>): string {
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (k in fields ? fields[k]! : m));
}

/**
 * Why the template cannot be filled safely: one line per slot (`{model} sits inside single
 * quotes: ...`), each once; empty when it can. `kinds` names the slots the template may use.
 */
export function templateProblems(template: string, kinds: Record<string, SlotKind>): string[] {
  const problems = analyzeShell(template, kinds).decisions.flatMap((d) => (d.how === "refuse" ? [d.problem] : []));
  return [...new Set(problems)];
}

export interface RenderedShell {
  text: string;
  /** Variables the text reads (slots passed to a nested shell): export them with the command. */
  env: Record<string, string>;
}

/**
 * Shell text: each slot filled as analyzeShell decides, so a value with spaces or quotes can never
 * split into extra words or run as code, in this shell or a nested one. `kinds` defaults every
 * slot to "value". Throws on a template templateProblems refuses (the loader refuses it first).
 */
export function renderShell(template: string, values: Record<string, string>, kinds: Record<string, SlotKind> = {}): RenderedShell {
  const all: Record<string, SlotKind> = {};
  // A "name" that is not one after all is treated as any other value.
  for (const [k, v] of Object.entries(values)) all[k] = kinds[k] === "name" && !/^[A-Za-z0-9_-]*$/.test(v) ? "value" : (kinds[k] ?? "value");
  const { occurrences, decisions } = analyzeShell(template, all);
  const env: Record<string, string> = {};
  let text = "";
  let last = 0;
  occurrences.forEach((o, i) => {
    const d = decisions[i]!;
    const value = values[o.name]!;
    let piece: string;
    if (d.how === "refuse") throw new Error(`command template ${JSON.stringify(template)}: ${d.problem}`);
    if (d.how === "keep") piece = template.slice(o.start, o.end);
    else if (d.how === "literal") piece = value;
    else if (d.how === "raw") piece = value;
    else if (d.how === "quote") piece = d.chain.reduce((s, c) => escapeFor(s, c), quoteFor(value, d.ctx));
    else {
      env[slotEnvName(o.name)] = value;
      piece = d.chain.reduce((s, c) => escapeFor(s, c), d.text);
    }
    text += template.slice(last, o.start) + piece;
    last = o.end;
  });
  return { text: text + template.slice(last), env };
}

/** A value as it must be written to read back as itself inside `quote`. */
function quoteFor(value: string, quote: "plain" | "'" | '"' | "$'"): string {
  if (quote === "'") return value.replace(/'/g, `'\\''`);
  if (quote === '"') return value.replace(/[\\"$`]/g, (c) => `\\${c}`);
  if (quote === "$'") return value.replace(/[\\']/g, (c) => `\\${c}`);
  return shellQuote(value);
}

/** Shell text that must reach the next shell down unchanged, written inside context `ctx`. */
function escapeFor(text: string, ctx: Ctx): string {
  if (ctx === "'" || ctx === '"' || ctx === "$'") return quoteFor(text, ctx);
  return shellQuote(text);
}
