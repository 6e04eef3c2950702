// Where each {slot} of a command template sits, as a POSIX shell would parse the template: in which
// quotes, inside $(...), backquotes or ${...}, and whether the word holding it is the script of a
// nested shell (`bash -lc '...'`), which is then scanned again as that shell would read it. Each
// slot's context is handed to shell-context.ts for the decision. Pure; no shell is run.
import path from "node:path";
import { direct, unplaced, type Ctx, type Decision, type Occurrence, type SlotAt, type SlotKind } from "./shell-context.js";

/** Programs whose `-c` argument is a script parsed by a POSIX-style shell. */
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh"]);

type Tok = string | { slot: number };

interface Word {
  /** The word after this level's quote removal: what a nested shell would read as its script. */
  value: Tok[];
  /** Slots in the word, with the context each sits in at this level and its quoted segment. */
  slots: SlotAt[];
  started: boolean;
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
      else if (substOpener(t, nextCh)) {
        const o = substOpener(t, nextCh)!;
        push(o, o);
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
    } else if (substOpener(t, nextCh)) {
      const o = substOpener(t, nextCh)!;
      push(o, o);
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

function newWord(): Word {
  return { value: [], slots: [], started: false };
}

export interface Analysis {
  occurrences: Occurrence[];
  decisions: Decision[];
}

/** Every known slot in the template and how it is filled. Pure. */
/** `$(` and `${` open a substitution alike in plain text and inside double quotes. */
function substOpener(t: string, nextCh: string | undefined): "$(" | "${" | undefined {
  if (t !== "$") return undefined;
  return nextCh === "(" ? "$(" : nextCh === "{" ? "${" : undefined;
}

export function analyzeShell(template: string, kinds: Record<string, SlotKind>): Analysis {
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
