// The tmux control-mode protocol (`tmux -C`), parsed: pure, fed raw chunks as they arrive (a line
// may be split across chunks). The reply to each command is a block `%begin <time> <number>
// <flags>` … `%end|%error <time> <number> <flags>`; everything else that starts with `%` outside a
// block is a notification. Inside a block only the matching %end/%error closes it, so a captured
// pane whose text starts with `%` is text. flags is 1 for commands read from the client's stdin
// (ours) and 0 for the attach command given on its argv.

export type ControlEvent =
  | { kind: "reply"; number: number; fromClient: boolean; ok: boolean; lines: string[] }
  | { kind: "notify"; name: string; args: string[] };

interface Open {
  time: string;
  number: string;
  flags: string;
  lines: string[];
}

const BEGIN_RE = /^%begin (\d+) (\d+) (\d+)$/;

export class ControlParser {
  private rest = "";
  private open: Open | undefined;

  /** Feed one chunk; returns the events whose last line it completed. */
  feed(chunk: string): ControlEvent[] {
    const text = this.rest + chunk;
    const lines = text.split("\n");
    this.rest = lines.pop() ?? "";
    const out: ControlEvent[] = [];
    for (const raw of lines) {
      const ev = this.line(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
      if (ev) out.push(ev);
    }
    return out;
  }

  private line(line: string): ControlEvent | undefined {
    const open = this.open;
    if (open) {
      const tail = ` ${open.time} ${open.number} ${open.flags}`;
      if (line === `%end${tail}` || line === `%error${tail}`) {
        this.open = undefined;
        return { kind: "reply", number: Number(open.number), fromClient: open.flags === "1", ok: line.startsWith("%end"), lines: open.lines };
      }
      open.lines.push(line);
      return undefined;
    }
    const m = BEGIN_RE.exec(line);
    if (m) {
      this.open = { time: m[1]!, number: m[2]!, flags: m[3]!, lines: [] };
      return undefined;
    }
    if (!line.startsWith("%")) return undefined; // not in a block and not a notification: noise
    const [name, ...args] = line.slice(1).split(" ");
    return { kind: "notify", name: name!, args };
  }
}

/**
 * One argv as a control-mode command line: every word single-quoted (tmux's parser then expands
 * nothing: no `#` comment, `~`, `$` or `;`). Undefined when a word cannot travel on one line
 * (a newline) or holds a quote: the caller runs that command as a plain process instead.
 */
export function controlLine(args: string[]): string | undefined {
  if (args.some((a) => /['\n\r]/.test(a))) return undefined;
  return args.map((a) => `'${a}'`).join(" ");
}
