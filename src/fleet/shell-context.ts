// What a {slot} in a command template may become, given the quoting context it sits in (found by
// shell-scan.ts): quoted for that context, passed to a nested shell as an environment variable,
// left alone, or refused with the reason a user reads when the config loads. The policy only;
// template.ts does the splicing.

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

/** Quoting contexts: unquoted, '...', "...", $'...', $(...), `...`, ${...}. */
export type Ctx = "plain" | "'" | '"' | "$'" | "$(" | "`" | "${";

/** How one occurrence is filled (see template.ts renderShell). */
export type Decision =
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

/** One known {slot} in the template: its name, what it holds, and where its braces are. */
export interface Occurrence {
  name: string;
  kind: SlotKind;
  start: number;
  end: number;
}

/** Where an occurrence sits at one shell level: its context and, in quotes, its quoted segment. */
export interface SlotAt {
  id: number;
  ctx: Ctx;
  seg: number;
  /** After a $'...' string holding a backslash: sh and bash disagree on where that string ended. */
  unsure: boolean;
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

/** A slot the scan did not reach a decision for (it should not happen): never filled. */
export function unplaced(o: Occurrence): Decision {
  return { how: "refuse", problem: `{${o.name}} sits where its quoting cannot be worked out` };
}

/** A slot not in a nested shell's script: decided by the context it sits in at this level. */
export function direct(s: SlotAt, level: number, occ: readonly Occurrence[], segHasText: readonly boolean[]): Decision {
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
