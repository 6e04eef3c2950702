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
import path from "node:path";
import { shellQuote } from "../tmux/tmux.js";

/** Plain text: every {key} with a known key is replaced; unknown braces are left alone. */
export function renderText(text: string, fields: Record<string, string>): string {
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (k in fields ? fields[k]! : m));
}

/**
 * What a slot holds. `value`: any text (a model, a path): must be quoted for where it lands.
 * `name`: only [A-Za-z0-9_-] (a tmux session name, validated by the schema): safe anywhere.
 * `raw`: a shell fragment we built ({prompt}: `"$(cat ...)"`) or the user's own shell text ({bin}):
 * inserted verbatim, so it must stand unquoted at the top level.
 */
export type SlotKind = "value" | "name" | "raw";

/** The variable a slot's value is exported as when it is passed to a nested shell. */
export function slotEnvName(slot: string): string {
  return slot === "id" ? "AGENT_RESUME_ID" : `AGENT_${slot.toUpperCase()}`;
}

/** Slots every agent session also carries in its environment (command.ts exports them). */
const ALWAYS_EXPORTED = new Set(["kickoff", "model", "session"]);

/** Programs whose `-c` argument is a script parsed by a POSIX-style shell. */
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh"]);

/** Quoting contexts: unquoted, '...', "...", $'...', $(...), `...`, ${...}. */
type Ctx = "plain" | "'" | '"' | "$'" | "$(" | "`" | "${";

type Decision =
  /** The value quoted for `ctx`, then escaped for each enclosing level's context (innermost first). */
  | { how: "quote"; ctx: "plain" | "'" | '"' | "$'"; chain: Ctx[] }
  /** A variable reference (`text`) for a nested shell, escaped for each enclosing level's context. */
  | { how: "env"; text: string; chain: Ctx[] }
  /** A name: safe anywhere as it is. */
  | { how: "literal" }
  /** Escaped (`\{model}`): the braces stay as written. */
  | { how: "keep" }
  | { how: "raw" }
  | { how: "refuse"; problem: string };

interface Occurrence {
  name: string;
  kind: SlotKind;
  start: number;
  end: number;
}

type Tok = string | { slot: number };

interface Word {
  /** The word after this level's quote removal: what a nested shell would read as its script. */
  value: Tok[];
  /** Slots in the word, with the context each sits in at this level and its quoted segment. */
  slots: SlotAt[];
  started: boolean;
}

interface SlotAt {
  id: number;
  ctx: Ctx;
  seg: number;
  /** After a $'...' string holding a backslash: sh and bash disagree on where that string ended. */
  unsure: boolean;
}

interface Frame {
  ctx: Ctx;
  /** Quoted frames: the segment id (does it hold text besides slots?). */
  seg: number;
  /** Word frames (plain, $(): the command's finished words and the current one. */
  words?: string[];
  word?: Word;
  /** $(: open parentheses inside it. */
  depth?: number;
}

const QUOTE_NAMES: Record<Ctx, string> = {
  plain: "no quotes",
  "'": "single quotes",
  '"': "double quotes",
  "$'": "$'...' quotes",
  "$(": "$(...)",
  "`": "backquotes",
  "${": "${...}",
};

function wordText(w: Word): string {
  return w.value.map((t) => (typeof t === "string" ? t : "\u0000")).join("");
}

/** Is the next word the script of a nested shell? `prev` are the command's words before it. */
function isShellScript(prev: readonly string[]): boolean {
  const n = prev.length;
  if (n < 2 || !/^-[A-Za-z]*c[A-Za-z]*$/.test(prev[n - 1]!)) return false;
  for (let i = n - 2; i >= 0; i--) {
    if (SHELLS.has(path.posix.basename(prev[i]!))) return true;
    if (!/^[-+]/.test(prev[i]!)) return false;
  }
  return false;
}

/** $'...' escapes, enough to read the script a nested shell gets. */
function ansiC(c: string): string {
  const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", v: "\v" };
  return map[c] ?? (`'"\\?`.includes(c) ? c : `\\${c}`);
}

/**
 * One shell level: decide every slot in `toks`. `level` 0 is the template as tmux's `sh -c` reads
 * it; level n is the script of a nested shell n levels down.
 */
function scanLevel(toks: readonly Tok[], level: number, occ: readonly Occurrence[], out: Map<number, Decision>): void {
  const segHasText: boolean[] = [];
  let unsure = false;
  const stack: Frame[] = [{ ctx: "plain", seg: -1, words: [], word: newWord() }];
  const top = () => stack[stack.length - 1]!;
  /** The innermost frame that splits words (plain or $(). */
  const wordFrame = (): Frame => {
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.words) return stack[i]!;
    return stack[0]!;
  };
  /** Quotes are removed from the word; $( ` ${ stay in it as text (an expansion at this level). */
  const push = (ctx: Ctx, raw: string) => {
    valueChars(raw, ctx === "'" || ctx === '"' || ctx === "$'");
    const f: Frame = { ctx, seg: -1 };
    if (ctx === "'" || ctx === '"' || ctx === "$'") {
      f.seg = segHasText.length;
      segHasText.push(false);
    }
    if (ctx === "$(") {
      f.words = [];
      f.word = newWord();
      f.depth = 0;
    }
    wordFrame().word!.started = true;
    stack.push(f);
  };
  const pop = (raw: string) => {
    const f = stack.pop()!;
    if (f.words) endWord(f);
    valueChars(raw, f.ctx === "'" || f.ctx === '"' || f.ctx === "$'");
  };
  /** Text of the word being read: processed for the innermost word, raw for the enclosing ones. */
  const valueChars = (s: string, syntax = false) => {
    if (!s) return;
    let inner = true;
    for (let i = stack.length - 1; i >= 0; i--) {
      const f = stack[i]!;
      if (!f.words) continue;
      // The innermost word gets quote-removed text; syntax (quotes themselves) is not part of it,
      // but an enclosing word holds the $(...) text raw, as its nested shell would see it.
      if (!(inner && syntax)) f.word!.value.push(...s);
      f.word!.started = true;
      inner = false;
    }
    if (!syntax) for (const f of stack) if (f.seg >= 0) segHasText[f.seg] = true;
  };
  const slot = (id: number) => {
    const f = top();
    const wf = wordFrame();
    wf.word!.value.push({ slot: id });
    // Inside $(...) a slot is unquoted again: that frame is a command of its own.
    wf.word!.slots.push({ id, ctx: f.ctx === "$(" ? "plain" : f.ctx, seg: f.seg, unsure });
    wf.word!.started = true;
    // An enclosing word (a $(...) inside it) sees the command's output here, not the slot.
    let inner = true;
    for (let i = stack.length - 1; i >= 0; i--) {
      const g = stack[i]!;
      if (!g.words) continue;
      if (!inner) g.word!.value.push("x");
      inner = false;
    }
  };
  const endWord = (f: Frame) => {
    const w = f.word!;
    if (w.started) {
      decideWord(w, f.words!, level, occ, out);
      f.words!.push(wordText(w));
    }
    f.word = newWord();
  };
  const endCommand = (f: Frame) => {
    endWord(f);
    f.words!.length = 0;
  };

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const f = top();
    if (typeof t !== "string") {
      slot(t.slot);
      continue;
    }
    const next = toks[i + 1];
    const nextCh = typeof next === "string" ? next : undefined;
    if (f.ctx === "'") {
      if (t === "'") pop("'");
      else valueChars(t);
      continue;
    }
    if (f.ctx === "$'") {
      if (t === "\\" && next !== undefined) {
        unsure = true;
        valueChars(typeof next === "string" ? ansiC(next) : "\\");
        if (typeof next === "string") i++;
      } else if (t === "'") pop("'");
      else valueChars(t);
      continue;
    }
    if (f.ctx === "`") {
      if (t === "\\" && nextCh !== undefined) {
        valueChars(t + nextCh);
        i++;
      } else if (t === "`") pop("`");
      else valueChars(t);
      continue;
    }
    if (f.ctx === "${") {
      if (t === "}") pop("}");
      else valueChars(t);
      continue;
    }
    if (f.ctx === '"') {
      if (t === "\\" && nextCh !== undefined && `$\`"\\\n`.includes(nextCh)) {
        if (nextCh !== "\n") valueChars(nextCh);
        i++;
      } else if (t === '"') pop('"');
      else if (t === "$" && nextCh === "(") {
        push("$(", "$(");
        i++;
      } else if (t === "$" && nextCh === "{") {
        push("${", "${");
        i++;
      } else if (t === "`") push("`", "`");
      else valueChars(t);
      continue;
    }
    // plain or $(...): words and commands.
    if (t === "\\") {
      if (nextCh !== undefined) {
        if (nextCh !== "\n") valueChars(nextCh);
        i++;
      } else if (next !== undefined) {
        // \{slot}: a literal brace, as the shell reads it; the slot is not filled.
        const o = occ[(next as { slot: number }).slot]!;
        valueChars(`{${o.name}}`);
        out.set((next as { slot: number }).slot, { how: "keep" });
        i++;
      }
      continue;
    }
    if (t === "'") push("'", "'");
    else if (t === '"') push('"', '"');
    else if (t === "$" && nextCh === "'") {
      push("$'", "$'");
      i++;
    } else if (t === "$" && nextCh === '"') {
      push('"', '$"');
      i++;
    } else if (t === "$" && nextCh === "(") {
      push("$(", "$(");
      i++;
    } else if (t === "$" && nextCh === "{") {
      push("${", "${");
      i++;
    } else if (t === "`") push("`", "`");
    else if (t === "#" && !f.word!.started) {
      // A comment: nothing in it runs, and a slot in it is left as written.
      while (i + 1 < toks.length && toks[i + 1] !== "\n") {
        const c = toks[++i]!;
        if (typeof c !== "string") out.set(c.slot, { how: "keep" });
      }
    } else if (t === " " || t === "\t") endWord(f);
    else if (t === "\n" || t === ";" || t === "&" || t === "|") endCommand(f);
    else if (t === "<" || t === ">") endWord(f);
    else if (t === "(") {
      if (f.ctx === "$(") f.depth!++;
      endCommand(f);
    } else if (t === ")") {
      if (f.ctx === "$(" && f.depth === 0) pop(")");
      else {
        if (f.ctx === "$(") f.depth!--;
        endCommand(f);
      }
    } else valueChars(t);
  }
  // An unterminated quote or $(: finish what was read, innermost first.
  while (stack.length > 1) pop("");
  endWord(stack[0]!);

  function decideWord(w: Word, prev: readonly string[], lvl: number, occs: readonly Occurrence[], decisions: Map<number, Decision>): void {
    if (w.slots.length === 0) return;
    const nested = isShellScript(prev);
    if (nested && w.slots.some((s) => occs[s.id]!.kind !== "name")) {
      // The word is a script another shell parses: its slots are decided one level down, then
      // escaped for the context each sits in here.
      const inner = new Map<number, Decision>();
      scanLevel(w.value, lvl + 1, occs, inner);
      for (const s of w.slots) {
        if (decisions.has(s.id)) continue;
        if (s.ctx === "`" || s.ctx === "${" || s.unsure) {
          decisions.set(s.id, direct(s, lvl, occs, segHasText));
          continue;
        }
        const d = inner.get(s.id) ?? unplaced(occs[s.id]!);
        if (d.how === "quote" || d.how === "env") d.chain.push(s.ctx);
        decisions.set(s.id, d);
      }
      return;
    }
    for (const s of w.slots) if (!decisions.has(s.id)) decisions.set(s.id, direct(s, lvl, occs, segHasText));
  }
}

/** A slot the scan did not reach a decision for (it should not happen): never filled. */
function unplaced(o: Occurrence): Decision {
  return { how: "refuse", problem: `{${o.name}} sits where its quoting cannot be worked out` };
}

function newWord(): Word {
  return { value: [], slots: [], started: false };
}

/** A slot not in a nested shell's script: decided by the context it sits in at this level. */
function direct(s: SlotAt, level: number, occ: readonly Occurrence[], segHasText: readonly boolean[]): Decision {
  const o = occ[s.id]!;
  const slot = `{${o.name}}`;
  if (o.kind === "name") return { how: "literal" };
  if (s.unsure && s.ctx !== "$'") {
    return { how: "refuse", problem: `${slot} follows a $'...' string with a backslash escape, where sh and bash disagree on what is quoted` };
  }
  const where = QUOTE_NAMES[s.ctx];
  if (o.kind === "raw") {
    return level === 0 && (s.ctx === "plain" || s.ctx === "$(")
      ? { how: "raw" }
      : { how: "refuse", problem: `${slot} sits inside ${level === 0 ? where : `a nested shell's script (${where} there)`}: it is already shell text and must stand unquoted` };
  }
  const env = ALWAYS_EXPORTED.has(o.name) ? ` or use "$${slotEnvName(o.name)}"` : "";
  const fix = `write ${slot} outside quotes (it is quoted for you)${env}`;
  if (s.ctx === "`" || s.ctx === "${") {
    return { how: "refuse", problem: `${slot} sits inside ${where}, where its value cannot be quoted; ${fix}` };
  }
  if (s.ctx === "plain" || s.ctx === "$(") {
    return level === 0 ? { how: "quote", ctx: "plain", chain: [] } : { how: "env", text: `"\${${slotEnvName(o.name)}}"`, chain: [] };
  }
  // bash reads $'...' with backslash escapes, sh (dash) as a `$` and a '...' string: no quoting
  // of a value is right for both.
  if (s.ctx === "$'") return { how: "refuse", problem: `${slot} sits inside $'...' quotes, which sh and bash read differently; ${fix}` };
  // In quotes. Holding nothing but slots, the quoted string is the value and nothing else.
  if (!segHasText[s.seg]) return { how: "quote", ctx: s.ctx, chain: [] };
  if (level > 0 && s.ctx === '"') return { how: "env", text: `\${${slotEnvName(o.name)}}`, chain: [] };
  if (level > 0) {
    return { how: "refuse", problem: `${slot} sits inside ${where} in a nested shell's script, where no value can be passed safely; ${fix}` };
  }
  return { how: "refuse", problem: `${slot} sits inside ${where}: a value spliced there could be parsed by a second shell; ${fix}` };
}

interface Analysis {
  occurrences: Occurrence[];
  decisions: Decision[];
}

/** Every known slot in the template and how it is filled. Pure. */
function analyzeShell(template: string, kinds: Record<string, SlotKind>): Analysis {
  const occurrences: Occurrence[] = [];
  const toks: Tok[] = [];
  const re = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    const kind = kinds[m[1]!];
    if (kind === undefined) continue;
    toks.push(...template.slice(last, m.index));
    toks.push({ slot: occurrences.length });
    occurrences.push({ name: m[1]!, kind, start: m.index, end: m.index + m[0].length });
    last = m.index + m[0].length;
  }
  toks.push(...template.slice(last));
  const out = new Map<number, Decision>();
  scanLevel(toks, 0, occurrences, out);
  return { occurrences, decisions: occurrences.map((o, i) => out.get(i) ?? unplaced(o)) };
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
