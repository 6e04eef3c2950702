// Start-up dialogs the watchdog may answer on the user's behalf, and how. The answer always CHOOSES
// the wanted option explicitly: recent Claude Code preselects "No, exit" on the folder-trust
// dialog and "No (recommended)" on the API-key one, so a blind Enter would quit or lock the agent
// out. Keys are computed from where the menu's cursor is on screen: arrows to the option, Enter.
//
// Tool-use approvals ("Do you want to proceed?", "Would you like to run the following command?",
// opencode's "Permission required") are never answered here: approving a command is the user's
// decision, made once through the CLI's permission flags, not the watchdog's.
import { screenLines } from "./ansi.js";

export interface DialogAnswer {
  /** tmux send-keys key names, sent one by one. */
  keys: string[];
  /** The option being chosen, as printed. */
  option: string;
}

interface KnownDialog {
  backends: readonly string[];
  /** The dialog is on screen. */
  detect: RegExp;
  /** The option to choose (matched against the option text without cursor or number). */
  choose: RegExp;
}

const KNOWN: readonly KnownDialog[] = [
  {
    backends: ["claude"],
    detect: /Quick safety check|Do you trust the files in this folder|Yes, I trust this folder/i,
    choose: /^Yes, (?:I trust this folder|proceed)\b/i,
  },
  {
    backends: ["claude"],
    detect: /Do you want to use this API key\?/i,
    choose: /^Yes$/i,
  },
  // Onboarding offer to change the default permission mode: keep the mode the user launched with.
  {
    backends: ["claude"],
    detect: /Make auto mode your default permission mode\?/i,
    choose: /^No, keep\b/i,
  },
  {
    backends: ["codex"],
    detect: /Trust this folder\?|Do you trust the contents of this directory\?/i,
    choose: /^(?:Trust and continue|Yes, continue)\b/i,
  },
  // "Update now" would run a global npm install from inside an unattended fleet; skip this once.
  {
    backends: ["codex"],
    detect: /Skip until next version/i,
    choose: /^Skip$/i,
  },
  // UNTESTED (no Gemini CLI captures): its folder-trust dialog.
  {
    backends: ["gemini"],
    detect: /Do you trust this folder\?/i,
    choose: /^Trust folder\b/i,
  },
];

const CURSOR = /^\s*[❯›▸➤>●◉]\s*/;
const NUMBERED = /^\s*(?:[❯›▸➤>●◉○]\s*)?(\d+)\.\s+/;

function optionText(line: string): string {
  // Columns after a wide gap are descriptions ("Switch to x      Fast and affordable…").
  return line.replace(CURSOR, "").replace(/^\s*(?:[○◯]\s*)?\d+\.\s+/, "").trim().replace(/\s{2,}.*$/, "");
}

/**
 * For a known start-up dialog of `backend`, the keys that choose its proceed option; undefined for
 * anything else (approvals, unknown dialogs, or a menu whose cursor cannot be located).
 */
export function dialogAnswer(backend: string, text: string): DialogAnswer | undefined {
  const lines = screenLines(text);
  const screen = lines.join("\n");
  for (const d of KNOWN) {
    if (!d.backends.includes(backend) || !d.detect.test(screen)) continue;
    const target = lines.findIndex((l) => l.trim() !== "" && d.choose.test(optionText(l)));
    if (target < 0) continue;
    // The menu is the run of non-blank rows around the target option.
    let start = target;
    while (start > 0 && lines[start - 1]!.trim() !== "") start--;
    let end = target;
    while (end + 1 < lines.length && lines[end + 1]!.trim() !== "") end++;
    const block: number[] = [];
    for (let i = start; i <= end; i++) block.push(i);
    const numbered = block.filter((i) => NUMBERED.test(lines[i]!));
    // Numbered menus may wrap an option over several rows; only the numbered rows are options.
    const options = numbered.length > 0 ? numbered : block;
    const ti = options.indexOf(target);
    const ci = options.findIndex((i) => CURSOR.test(lines[i]!));
    const option = optionText(lines[target]!);
    if (ti >= 0 && ci >= 0) {
      const delta = ti - ci;
      const moves: string[] = Array.from({ length: Math.abs(delta) }, () => (delta > 0 ? "Down" : "Up"));
      return { keys: [...moves, "Enter"], option };
    }
    // No visible cursor: a numbered option can still be picked by its number.
    const num = NUMBERED.exec(lines[target]!);
    if (num) return { keys: [num[1]!], option };
  }
  return undefined;
}
