// Small measuring helpers: /proc readings, clocks, statistics, PATH lookup. Linux only.
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Seconds since boot (10 ms resolution): the clock the tmux shim stamps its calls with. */
export const uptime = (): number => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);

export function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function mean(xs: number[]): number | undefined {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

/** The first executable `bin` on a PATH string. */
export function which(bin: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? "").split(":")) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** utime+stime+cutime+cstime in seconds (children only once reaped, which both watchdogs do). */
export function cpuSeconds(pid: number | undefined, clkTck: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clkTck;
  } catch {
    return undefined;
  }
}

/** utime+stime in seconds: the process's own CPU, not its children's (the tmux server's reaped
 * children are the panes' programs and pipe-pane `cat`s, which are not the server's work). */
export function cpuSelfSeconds(pid: number | undefined, clkTck: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / clkTck;
  } catch {
    return undefined;
  }
}

/** Parent pid of every live process. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, "utf8");
      out.set(Number(d), Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/**
 * cpuSeconds of pid plus that of every live descendant: a long-lived child (a `tmux -C` control
 * client, say) reaches the parent's cutime only when it is reaped, so without it such a child's
 * work would not count at all. A descendant that exits between two readings moves into its
 * parent's cutime, so differences stay right.
 */
export function cpuTreeSeconds(pid: number, clkTck: number): number | undefined {
  const own = cpuSeconds(pid, clkTck);
  if (own === undefined) return undefined;
  const pp = parents();
  const kids = new Map<number, number[]>();
  for (const [p, parent] of pp) {
    const list = kids.get(parent);
    if (list) list.push(p);
    else kids.set(parent, [p]);
  }
  let total = own;
  const stack = [...(kids.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    total += cpuSeconds(p, clkTck) ?? 0;
    stack.push(...(kids.get(p) ?? []));
  }
  return total;
}

/** VmRSS in MB. */
export function rssMB(pid: number | undefined): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is still a live process (a zombie counts as gone). */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    return state !== undefined && state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
