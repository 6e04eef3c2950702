// Pane text arrives from `tmux capture-pane`, with -e it carries SGR colours and sometimes OSC
// titles/hyperlinks. The classifier reasons about plain characters only.

// CSI (ESC [ ... final), OSC (ESC ] ... BEL | ST), DCS/SOS/PM/APC strings (ESC P|X|^|_ ... ST),
// 8-bit CSI (0x9b), then any remaining two-byte escape.
const ESCAPES =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][\s\S]*?(?:\x07|\x1b\\)|\x1b[PX^_][\s\S]*?\x1b\\|\x1b[@-Z\\-_]|\x1b[ -/][@-~]/g;

// Claude Code writes U+00A0 after its prompt glyphs, and Node's Intl time formatting (which CLIs use
// for "done 5:44 PM") emits U+202F; both must read as ordinary spaces for the patterns to match.
const ODD_SPACES = /[\u00a0\u2007\u202f\u2000-\u200a\u3000]/g;
// Control characters other than tab and newline carry no text; a lone CR would hide what follows.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Plain text: escapes removed, CRLF folded, odd spaces made ordinary, other controls dropped. */
export function stripAnsi(text: string): string {
  return text
    .replace(ESCAPES, "")
    .replace(/\r\n?/g, "\n")
    .replace(ODD_SPACES, " ")
    .replace(CONTROLS, "");
}

/** stripAnsi, then split into lines with trailing spaces removed (capture-pane pads rows). */
export function screenLines(text: string): string[] {
  return stripAnsi(text)
    .split("\n")
    .map((l) => l.trimEnd());
}
