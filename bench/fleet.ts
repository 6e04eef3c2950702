// The fleet both watchdogs supervise (N quiet agents, one agents.toml both programs read) and
// what is read back from a run: the shim's log of tmux calls, our tick events, interventions.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BenchWorld } from "./world.js";

// `exec sleep`: after one line the pane runs `sleep` and never prints again. Not a shell loop:
// our classifier reads a bare shell in an agent's pane as "the agent exited" and would restart it.
const AGENT_CMD = (session: string): string => `echo 'quiet agent ${session} ready'; exec sleep 2147483647`;

export interface Fleet {
  n: number;
  prefix: string;
  dir: string;
  serverPid: number;
  /** The agents.toml of one program's run (file name, its log_dir); the quiet fleet's when absent. */
  writeConfig?: (file: string, o: { logDir: string; signal: number; heavy: number }) => string;
}

/** The [defaults] and [watchdog] tables every bench fleet shares (both programs read them unchanged). */
export function configHead(what: string, o: { prefix: string; logDir: string; signal: number; heavy: number }, defaults: string[]): string[] {
  return [
    `# Written by the bench (${what}, read unchanged by this CLI and by agents.py.`,
    "[defaults]",
    `session_prefix = "${o.prefix}"`,
    `log_dir = "${o.logDir}"`,
    ...defaults,
    'watch = "heal+stall"',
    "",
    "[watchdog]",
    `signal_interval = ${o.signal}`,
    `heavy_interval = ${o.heavy}`,
    "",
  ];
}

export function writeConfig(dir: string, file: string, o: { n: number; prefix: string; logDir: string; signal: number; heavy: number }): string {
  const lines = [
    ...configHead("bench/fleet.ts): N quiet agents", o, ['backend = "quiet"', 'model = "quiet-1"']),
    "[backend.quiet]",
    `bin = "echo 'quiet agent {session} ready'; exec sleep 2147483647"`,
    'prompt_delivery = "exec"',
    'active_re = "working\\\\.\\\\.\\\\."',
    "stall_idle = 1000000",
    "",
  ];
  for (let i = 1; i <= o.n; i++) lines.push("[[agent]]", `name = "${agentName(i)}"`, 'kind = "persistent"', "");
  writeFileSync(path.join(dir, file), lines.join("\n"));
  return path.join(dir, file);
}

/** Agent i's name (1-based): a001, a002, ... */
export const agentName = (i: number): string => `a${String(i).padStart(3, "0")}`;

/**
 * Create the N sessions, 20 to a tmux command (a longer one is refused: "command too long");
 * session i runs cmd(session, i), the quiet agent by default, and is named from `names`, else
 * a001...; with `logTo`, its output is piped to that file the way both programs start an agent
 * (`pipe-pane -o`, an exec'd `cat >>`). Returns the private server's pid.
 */
export function startFleet(
  world: BenchWorld,
  dir: string,
  n: number,
  prefix: string,
  cmd: (session: string, i: number) => string = AGENT_CMD,
  names?: string[],
  logTo?: (session: string) => string,
): number {
  for (let first = 1; first <= n; first += 20) {
    const args: string[] = [];
    for (let i = first; i <= Math.min(n, first + 19); i++) {
      const s = `${prefix}${names?.[i - 1] ?? agentName(i)}`;
      if (args.length) args.push(";");
      args.push("new-session", "-d", "-s", s, "-c", dir, "-x", "200", "-y", "50", cmd(s, i));
      if (logTo) args.push(";", "pipe-pane", "-o", "-t", `=${s}:`, `exec cat >> '${logTo(s)}'`);
    }
    const r = world.tmux(args);
    if (r.status !== 0) throw new Error(`could not start the fleet: ${r.stderr.trim()}`);
  }
  const pid = Number(world.tmux(["display-message", "-p", "#{pid}"]).stdout.trim());
  world.noteServer(pid);
  const count = world.tmux(["list-sessions", "-F", "#{session_name}"]).stdout.split("\n").filter((l) => l.startsWith(prefix)).length;
  if (count !== n) throw new Error(`expected ${n} sessions, tmux lists ${count}`);
  return pid;
}

export interface ShimCall {
  /** /proc/uptime seconds. */
  t: number;
  cmd: string;
}

export function readShimLog(file: string): ShimCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [t, ...rest] = l.split(" ");
      return { t: Number(t), cmd: rest.join(" ") };
    })
    .sort((a, b) => a.t - b.t);
}

export interface Burst {
  start: number;
  last: number;
  calls: ShimCall[];
}

/** Split calls into ticks: a watchdog sleeps ~signal_interval between ticks. */
export function bursts(calls: ShimCall[], gapS: number): Burst[] {
  const out: Burst[] = [];
  for (const c of calls) {
    const cur = out[out.length - 1];
    if (cur && c.t - cur.last <= gapS) {
      cur.last = c.t;
      cur.calls.push(c);
    } else out.push({ start: c.t, last: c.t, calls: [c] });
  }
  return out;
}

export interface TickEvent {
  /** Epoch ms. */
  wall: number;
  ms: number;
  captures: number;
  heavy: boolean;
}

export interface EventLine {
  action?: string;
  time?: string;
  ms?: number;
  captures?: number;
  reason?: string;
  level?: number;
  agent?: string;
}

function eventFiles(logDir: string): string[] {
  return readdirSync(logDir).filter((f) => f.endsWith("watchdog.events.jsonl"));
}

/** Every event our watchdog logged (missing dir: none; a partial last line is skipped). */
export function readEvents(logDir: string): EventLine[] {
  const out: EventLine[] = [];
  let files: string[] = [];
  try {
    files = eventFiles(logDir);
  } catch {
    return out;
  }
  for (const f of files) {
    for (const line of readFileSync(path.join(logDir, f), "utf8").split("\n")) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as EventLine);
      } catch {
        /* partial line */
      }
    }
  }
  return out;
}

/** Our tick events (AGENTS_TICK_EVENTS=1), oldest first. */
export function tickEvents(logDir: string): TickEvent[] {
  let files: string[] = [];
  try {
    files = eventFiles(logDir);
  } catch {
    return [];
  }
  const out: TickEvent[] = [];
  for (const f of files) {
    for (const line of readFileSync(path.join(logDir, f), "utf8").split("\n")) {
      if (!line.includes('"tick"')) continue;
      try {
        const e = JSON.parse(line) as EventLine;
        if (e.action !== "tick") continue;
        out.push({ wall: Date.parse(e.time ?? ""), ms: e.ms ?? NaN, captures: e.captures ?? 0, heavy: e.reason === "heavy" });
      } catch {
        /* partial line */
      }
    }
  }
  return out.sort((a, b) => a.wall - b.wall);
}

export interface Interventions {
  count: number;
  sample: string[];
}

/**
 * Restarts, kills or parks a watchdog did: any of them makes the comparison unfair (and means the
 * fake agents are not being read as healthy), so the bench reports them.
 */
export function interventions(ours: boolean, logDir: string, outFile: string): Interventions {
  if (ours) {
    let n = 0;
    const seen: string[] = [];
    for (const f of eventFiles(logDir)) {
      for (const line of readFileSync(path.join(logDir, f), "utf8").split("\n")) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as EventLine;
          if ((e.level ?? 0) >= 40 || /start|restart|kill|park|ping/.test(e.action ?? "")) {
            n++;
            if (seen.length < 3) seen.push(`${e.agent ?? ""} ${e.action}: ${e.reason ?? ""}`);
          }
        } catch {
          /* partial line */
        }
      }
    }
    return { count: n, sample: seen };
  }
  const lines = existsSync(outFile) ? readFileSync(outFile, "utf8").split("\n") : [];
  const hits = lines.filter((l) => /restart|reboot|starting|killing|probe|waking|handoff/.test(l));
  return { count: hits.length, sample: hits.slice(0, 3) };
}
