#!/usr/bin/env node
// `npm run bench`: this project's watchdog and `status` against the reference agents.py, side by
// side in one run, on N quiet fake agents in a private tmux server.
//
//   node bench/bench.mjs [--quick] [--n 50 | --n 10,50] [--rss-n 50] [--long-ticks 2000]
//                        [--reference PATH] [--no-reference] [--keep]
//
// How each number is taken (see bench/README.md for the long form):
//   - watchdog CPU: utime+stime+cutime+cstime of the watchdog process from /proc/<pid>/stat over a
//     fixed window (signal_interval = 1, heavy_interval = 5), divided by the ticks in the window.
//     No shim is on PATH during this window, so the numbers carry no measuring overhead.
//   - tmux spawns per tick: in a separate window of the same process, PATH's `tmux` is a small
//     /bin/sh shim that appends "<uptime> <subcommand>" to a file and execs the real tmux. A tick
//     is a burst of calls (the watchdogs sleep ~1 s between ticks).
//   - tick wall time: ours from its own `tick` events (AGENTS_TICK_EVENTS=1, field `ms`); the
//     reference has none, so: (median gap between burst starts) - signal_interval, because it
//     sleeps exactly signal_interval after each tick; minus the shim's own measured latency.
//   - status: wall time of the whole CLI process, median of several alternating runs.
//   - RSS: VmRSS from /proc/<pid>/status during a long run at a fast interval.
// Everything runs under a private TMUX_TMPDIR (TMUX/TMUX_PANE unset); the server, the watchdogs
// and the temp dir are removed at the end, also on failure or Ctrl-C.
import { spawn, spawnSync } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(REPO, "bin", "agents");
const ENTRY = path.join(REPO, "dist", "entry.js");

// ── options ────────────────────────────────────────────────────────────────────────────────────
function parseOptions(argv) {
  const o = { quick: false, ns: undefined, rssN: undefined, reference: undefined, noReference: false, keep: false, longTicks: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--n" || a.startsWith("--n=")) o.ns = val().split(",").map((s) => Number(s.trim()));
    else if (a === "--rss-n" || a.startsWith("--rss-n=")) o.rssN = Number(val());
    else if (a === "--reference" || a.startsWith("--reference=")) o.reference = val();
    else if (a === "--no-reference") o.noReference = true;
    else if (a === "--keep") o.keep = true;
    else if (a === "--long-ticks" || a.startsWith("--long-ticks=")) o.longTicks = Number(val());
    else if (a === "-h" || a === "--help") {
      console.log("usage: node bench/bench.mjs [--quick] [--n 50|10,50] [--rss-n N] [--long-ticks N] [--reference PATH] [--no-reference] [--keep]");
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  o.ns ??= o.quick ? [10, 50] : [10, 50, 100];
  if (o.ns.some((n) => !Number.isInteger(n) || n < 1 || n > 500)) throw new Error("--n takes integers 1..500");
  o.rssN ??= o.ns.includes(50) ? 50 : o.ns[o.ns.length - 1];
  const t = o.quick
    ? { warmupS: 2, countS: 8, cpuS: 10, statusRuns: 5, longTicks: 1000, refLongS: 20 }
    : { warmupS: 3, countS: 15, cpuS: 20, statusRuns: 7, longTicks: 2000, refLongS: 60 };
  if (o.longTicks !== undefined && (!Number.isInteger(o.longTicks) || o.longTicks < 100)) throw new Error("--long-ticks takes an integer >= 100");
  return { ...o, ...t, longTicks: o.longTicks ?? t.longTicks, signal: 1, heavy: 5, fastSignal: 0.05 };
}

// ── small helpers ──────────────────────────────────────────────────────────────────────────────
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const uptime = () => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
const median = (xs) => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

function which(bin, pathVar) {
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

let CLK_TCK = 100;
/** utime+stime+cutime+cstime in seconds (children only once reaped, which both watchdogs do). */
function cpuSeconds(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
  } catch {
    return undefined;
  }
}
function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ── the private tmux world ─────────────────────────────────────────────────────────────────────
const ROOT = mkdtempSync(path.join(os.tmpdir(), "agents-bench-"));
const TMUX_DIR = path.join(ROOT, "tmux");
const SHIM_DIR = path.join(ROOT, "bin");
mkdirSync(TMUX_DIR, { recursive: true, mode: 0o700 });
mkdirSync(SHIM_DIR, { recursive: true });

const baseEnv = { ...process.env, TMUX_TMPDIR: TMUX_DIR };
for (const k of ["TMUX", "TMUX_PANE", "AGENTS_TMUX_SOCKET", "AGENTS_TICK_EVENTS", "AGENTS_BENCH_TMUX_LOG"]) delete baseEnv[k];
const REAL_TMUX = which("tmux", process.env.PATH);
const childEnv = { ...baseEnv, PATH: `${SHIM_DIR}:${process.env.PATH}` };

const children = new Set();
let cleanedUp = false;

/** Every tmux call the bench itself makes: the real binary, always with the private TMUX_TMPDIR. */
function tmux(args) {
  return spawnSync(REAL_TMUX, args, { env: baseEnv, encoding: "utf8" });
}

function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }
  if (REAL_TMUX) tmux(["kill-server"]);
  if (!OPTS?.keep) rmSync(ROOT, { recursive: true, force: true });
  else console.error(`kept ${ROOT}`);
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping watchdogs and the private tmux server`);
    cleanup();
    process.exit(130);
  });
}

/** PATH's `tmux` for the watchdogs: either the counting shim or the real binary (swapped atomically;
 * both programs resolve `tmux` through PATH on every spawn). */
const SHIM_SCRIPT = path.join(ROOT, "tmux-shim.sh");
function setTmuxMode(mode) {
  const tmp = path.join(SHIM_DIR, `.tmux-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(mode === "shim" ? SHIM_SCRIPT : REAL_TMUX, tmp);
  renameSync(tmp, path.join(SHIM_DIR, "tmux"));
}

function readShimLog(file) {
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

/** Split calls into ticks: a watchdog sleeps ~signal_interval between ticks. */
function bursts(calls, gapS) {
  const out = [];
  for (const c of calls) {
    const cur = out[out.length - 1];
    if (cur && c.t - cur.last <= gapS) {
      cur.last = c.t;
      cur.calls.push(c);
    } else out.push({ start: c.t, last: c.t, calls: [c] });
  }
  return out;
}

// ── fleet ──────────────────────────────────────────────────────────────────────────────────────
// `exec sleep`: after one line the pane runs `sleep` and never prints again. Not a shell loop:
// our classifier reads a bare shell in an agent's pane as "the agent exited" and would restart it.
const AGENT_CMD = (session) => `echo 'quiet agent ${session} ready'; exec sleep 2147483647`;

function writeConfig(dir, file, { n, prefix, logDir, signal, heavy }) {
  const lines = [
    "# Written by bench/bench.mjs: N quiet agents, read unchanged by this CLI and by agents.py.",
    "[defaults]",
    `session_prefix = "${prefix}"`,
    `log_dir = "${logDir}"`,
    'backend = "quiet"',
    'model = "quiet-1"',
    'watch = "heal+stall"',
    "",
    "[watchdog]",
    `signal_interval = ${signal}`,
    `heavy_interval = ${heavy}`,
    "",
    "[backend.quiet]",
    `bin = "echo 'quiet agent {session} ready'; exec sleep 2147483647"`,
    'prompt_delivery = "exec"',
    'active_re = "working\\\\.\\\\.\\\\."',
    "stall_idle = 1000000",
    "",
  ];
  for (let i = 1; i <= n; i++) lines.push("[[agent]]", `name = "a${String(i).padStart(3, "0")}"`, 'kind = "persistent"', "");
  writeFileSync(path.join(dir, file), lines.join("\n"));
  return path.join(dir, file);
}

function startFleet(dir, n, prefix) {
  const args = [];
  for (let i = 1; i <= n; i++) {
    const s = `${prefix}a${String(i).padStart(3, "0")}`;
    if (args.length) args.push(";");
    args.push("new-session", "-d", "-s", s, "-c", dir, "-x", "200", "-y", "50", AGENT_CMD(s));
  }
  const r = tmux(args);
  if (r.status !== 0) throw new Error(`could not start the fleet: ${r.stderr.trim()}`);
  const count = tmux(["list-sessions", "-F", "#{session_name}"]).stdout.split("\n").filter((l) => l.startsWith(prefix)).length;
  if (count !== n) throw new Error(`expected ${n} sessions, tmux lists ${count}`);
  return Number(tmux(["display-message", "-p", "#{pid}"]).stdout.trim());
}

// ── one watchdog under measurement ─────────────────────────────────────────────────────────────
function spawnWatchdog(prog, config, env, outFile) {
  const fd = openSync(outFile, "a");
  // Ours as `agents up` starts it: through bin/agents. --trace-gc has to reach node itself, so that
  // run starts entry.js directly with the environment bin/agents would have given it.
  const [cmd, args] =
    prog.id !== "ours"
      ? [PY, [prog.script, "watchdog", "--config", config]]
      : prog.traceGc
        ? [process.execPath, ["--trace-gc", ENTRY, "watchdog", "--config", config]]
        : [CLI, ["watchdog", "--config", config]];
  if (prog.id === "ours" && prog.traceGc && env.NODE_EXTRA_CA_CERTS) {
    env = { ...env, AGENTS_SAVED_NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS };
    delete env.NODE_EXTRA_CA_CERTS;
  }
  const child = spawn(cmd, args, { cwd: path.dirname(config), env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  children.add(child);
  child.exited = new Promise((r) => child.on("exit", (code, sig) => r({ code, sig })));
  child.exited.then(() => children.delete(child));
  child.outFile = outFile;
  return child;
}

async function stopWatchdog(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const done = await Promise.race([child.exited, sleep(10_000).then(() => undefined)]);
  if (!done) {
    child.kill("SIGKILL");
    await child.exited;
  }
}

function assertAlive(child, what) {
  if (child.exitCode !== null || child.signalCode !== null) {
    let out = "";
    try {
      out = readFileSync(child.outFile, "utf8").trim().split("\n").slice(-8).join("\n");
    } catch {
      /* none */
    }
    throw new Error(`${what} exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${out}`);
  }
}

/** Our tick events: [{ wall (ms epoch), ms, captures, heavy }]. */
function tickEvents(logDir) {
  let files = [];
  try {
    files = readdirSync(logDir).filter((f) => f.endsWith("watchdog.events.jsonl"));
  } catch {
    return [];
  }
  const out = [];
  for (const f of files) {
    for (const line of readFileSync(path.join(logDir, f), "utf8").split("\n")) {
      if (!line.includes('"tick"')) continue;
      try {
        const e = JSON.parse(line);
        if (e.action !== "tick") continue;
        out.push({ wall: Date.parse(e.time), ms: e.ms, captures: e.captures ?? 0, heavy: e.reason === "heavy" });
      } catch {
        /* partial line */
      }
    }
  }
  return out.sort((a, b) => a.wall - b.wall);
}

/** Restarts, kills or parks a watchdog did: any of them makes the comparison unfair (and means the
 * fake agents are not being read as healthy), so the bench reports them. */
function interventions(prog, logDir, outFile) {
  if (prog.id === "ours") {
    let n = 0;
    const seen = [];
    for (const f of readdirSync(logDir).filter((x) => x.endsWith("watchdog.events.jsonl"))) {
      for (const line of readFileSync(path.join(logDir, f), "utf8").split("\n")) {
        if (!line) continue;
        try {
          const e = JSON.parse(line);
          if (e.level >= 40 || /start|restart|kill|park|ping/.test(e.action ?? "")) {
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

async function waitFor(pred, timeoutMs, child, what) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return;
    assertAlive(child, what);
    await sleep(100);
  }
  throw new Error(`${what}: timed out after ${timeoutMs} ms`);
}

/**
 * One watchdog run at signal_interval = 1: warm-up, a counting window (shim on PATH), then a CPU
 * window (real tmux on PATH).
 */
async function measureWatchdog(prog, fleet, O, shimLatencyS) {
  const tag = `${prog.id}-n${fleet.n}`;
  const shimLog = path.join(ROOT, `${tag}.tmux-calls`);
  const logDir = path.join(fleet.dir, `.state-${prog.id}`);
  const config = writeConfig(fleet.dir, `agents-${prog.id}.toml`, {
    n: fleet.n,
    prefix: fleet.prefix,
    logDir: `.state-${prog.id}`,
    signal: O.signal,
    heavy: O.heavy,
  });
  setTmuxMode("shim");
  const env = { ...childEnv, AGENTS_BENCH_TMUX_LOG: shimLog, ...(prog.id === "ours" ? { AGENTS_TICK_EVENTS: "1" } : {}) };
  const child = spawnWatchdog(prog, config, env, path.join(ROOT, `${tag}.out`));
  try {
    // Started = its first tick is visible (ours: a tick event; the reference: a tmux call).
    await waitFor(() => (prog.id === "ours" ? tickEvents(logDir).length > 0 : readShimLog(shimLog).length > 0), 60_000, child, `${prog.name} watchdog (N=${fleet.n})`);
    await sleep(O.warmupS * 1000);

    // Window A: count tmux spawns.
    const a0 = uptime();
    await sleep(O.countS * 1000);
    setTmuxMode("real");
    await sleep(1500); // calls already on their way through the shim land in the log
    assertAlive(child, prog.name);
    const all = bursts(readShimLog(shimLog), 0.4 * O.signal);
    // Whole ticks that started inside window A (the swap may cut the last one short).
    const ticksA = all.filter((b, i) => b.start >= a0 && i < all.length - 1 && b.start < a0 + O.countS);
    const sizes = ticksA.map((b) => b.calls.length);
    const byCmd = {};
    for (const b of ticksA) for (const c of b.calls) byCmd[c.cmd.split(" ")[0]] = (byCmd[c.cmd.split(" ")[0]] ?? 0) + 1;
    for (const k of Object.keys(byCmd)) byCmd[k] = +(byCmd[k] / ticksA.length).toFixed(2);
    const periods = ticksA.slice(1).map((b, i) => b.start - ticksA[i].start);
    const spans = ticksA.map((b) => b.last - b.start);

    // Window B: CPU, no shim anywhere.
    const cpu0 = cpuSeconds(child.pid);
    const srv0 = cpuSeconds(fleet.serverPid);
    const u0 = uptime();
    const w0 = Date.now();
    await sleep(O.cpuS * 1000);
    const cpu1 = cpuSeconds(child.pid);
    const srv1 = cpuSeconds(fleet.serverPid);
    const u1 = uptime();
    const w1 = Date.now();
    const rss = rssMB(child.pid);
    assertAlive(child, prog.name);

    const wallS = u1 - u0;
    const r = {
      spawnsPerTick: mean(sizes),
      spawnsPerTickMedian: median(sizes),
      spawnsPerTickMax: sizes.length ? Math.max(...sizes) : undefined,
      spawnsPerSecond: readShimLog(shimLog).filter((c) => c.t >= a0 && c.t < a0 + O.countS).length / O.countS,
      spawnsByCommandPerTick: byCmd,
      ticksCounted: ticksA.length,
      cpuWindowS: wallS,
      cpuS: cpu1 - cpu0,
      cpuPctCore: ((cpu1 - cpu0) / wallS) * 100,
      serverCpuS: srv1 - srv0,
      rssMB: rss,
    };
    if (prog.id === "ours") {
      const ev = tickEvents(logDir);
      const inB = ev.filter((e) => e.wall >= w0 && e.wall < w1);
      r.ticksInCpuWindow = inB.length;
      r.tickMsMedian = median(inB.map((e) => e.ms));
      r.tickMsMedianSignal = median(inB.filter((e) => !e.heavy).map((e) => e.ms));
      r.tickMsMedianHeavy = median(inB.filter((e) => e.heavy).map((e) => e.ms));
      r.tickMsMax = inB.length ? Math.max(...inB.map((e) => e.ms)) : undefined;
      r.capturesPerTick = mean(ev.filter((e) => e.wall >= w0 - (u0 - a0) * 1000 && e.wall < w1).map((e) => e.captures));
      r.tickSource = "tick events (ms), CPU window";
    } else {
      const period = median(periods);
      r.tickPeriodS = period;
      r.ticksInCpuWindow = period ? wallS / period : undefined;
      r.tickMsRaw = period !== undefined ? (period - O.signal) * 1000 : undefined;
      r.tickMsMedian = r.tickMsRaw !== undefined ? Math.max(0, r.tickMsRaw - (r.spawnsPerTick ?? 0) * shimLatencyS * 1000) : undefined;
      r.burstSpanMsMedian = median(spans) * 1000;
      r.tickSource = "median gap between tick bursts - signal_interval, minus shim latency x spawns";
    }
    r.interventions = interventions(prog, logDir, child.outFile);
    if (r.interventions.count) console.log(`\n  WARNING: ${prog.name} acted on the fleet ${r.interventions.count}x (${r.interventions.sample.join(" | ")}); the comparison is off`);
    r.cpuMsPerTick = r.ticksInCpuWindow ? (r.cpuS / r.ticksInCpuWindow) * 1000 : undefined;
    r.serverCpuMsPerTick = r.ticksInCpuWindow ? (r.serverCpuS / r.ticksInCpuWindow) * 1000 : undefined;
    return r;
  } finally {
    await stopWatchdog(child);
    setTmuxMode("real");
  }
}

/** `status` wall time: alternate the programs so load noise hits both alike. */
function measureStatus(progs, fleet, O) {
  const config = path.join(fleet.dir, "agents-ours.toml");
  const times = Object.fromEntries(progs.map((p) => [p.id, []]));
  const argv = (p) => (p.id === "ours" ? [CLI, ["status", "--config", config]] : [PY, [p.script, "status", "--config", config]]);
  setTmuxMode("real");
  for (let i = 0; i < O.statusRuns + 1; i++) {
    for (const p of i % 2 ? [...progs].reverse() : progs) {
      const [cmd, args] = argv(p);
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { env: childEnv, cwd: fleet.dir, encoding: "utf8" });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${p.name} status failed (${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 400)}`);
      const running = (r.stdout.match(/running|RUNNING/g) ?? []).length;
      if (running < fleet.n) throw new Error(`${p.name} status shows ${running} running rows, expected ${fleet.n}`);
      if (i > 0) times[p.id].push(ms); // the first round warms the page cache
    }
  }
  const out = {};
  for (const p of progs) {
    const shimLog = path.join(ROOT, `status-${p.id}-n${fleet.n}.tmux-calls`);
    setTmuxMode("shim");
    const [cmd, args] = argv(p);
    spawnSync(cmd, args, { env: { ...childEnv, AGENTS_BENCH_TMUX_LOG: shimLog }, cwd: fleet.dir });
    setTmuxMode("real");
    out[p.id] = { msMedian: median(times[p.id]), runs: times[p.id].map((t) => +t.toFixed(1)), spawns: readShimLog(shimLog).length };
  }
  return out;
}

/** RSS over a long run at a fast interval. */
async function measureLongRun(prog, fleet, O, refSpawnsPerTick) {
  const tag = `${prog.id}-long-n${fleet.n}`;
  const logDir = path.join(fleet.dir, `.state-${prog.id}-fast`);
  const config = writeConfig(fleet.dir, `agents-${prog.id}-fast.toml`, {
    n: fleet.n,
    prefix: fleet.prefix,
    logDir: `.state-${prog.id}-fast`,
    signal: O.fastSignal,
    heavy: O.heavy,
  });
  const shimLog = path.join(ROOT, `${tag}.tmux-calls`);
  // Ours counts its own ticks; the reference's are counted through the shim.
  setTmuxMode(prog.id === "ours" ? "real" : "shim");
  const env = { ...childEnv, AGENTS_BENCH_TMUX_LOG: shimLog, ...(prog.id === "ours" ? { AGENTS_TICK_EVENTS: "1" } : {}) };
  const child = spawnWatchdog({ ...prog, traceGc: prog.id === "ours" }, config, env, path.join(ROOT, `${tag}.out`));
  const samples = [];
  const t0 = Date.now();
  try {
    if (prog.id === "ours") {
      // V8 grows its heap reservation over the first ~1,000 ticks before major GCs settle it, so
      // warm-up is a quarter of the run; the live heap after each major GC (--trace-gc) is the
      // leak signal that does not depend on when the allocator returns pages.
      const warmAt = Math.round(O.longTicks / 4);
      const deadline = t0 + O.longTicks * O.fastSignal * 1000 * 6 + 60_000;
      let ticks = 0;
      let lastSize = 0;
      let buf = "";
      const file = () => readdirSync(logDir).find((f) => f.endsWith("watchdog.events.jsonl"));
      while (ticks < O.longTicks) {
        assertAlive(child, `${prog.name} long run`);
        if (Date.now() > deadline) throw new Error(`${prog.name} long run: only ${ticks} ticks before the deadline`);
        await sleep(250);
        let f;
        try {
          f = file();
        } catch {
          continue;
        }
        if (!f) continue;
        const text = readFileSync(path.join(logDir, f), "utf8");
        buf = text.slice(lastSize);
        lastSize = text.length;
        ticks += (buf.match(/"action":"tick"/g) ?? []).length;
        samples.push({ tick: ticks, s: (Date.now() - t0) / 1000, rssMB: rssMB(child.pid) });
      }
      const warm = samples.find((s) => s.tick >= warmAt) ?? samples[0];
      const end = samples[samples.length - 1];
      const tail = samples.filter((s) => s.tick >= warmAt);
      // "  387 ms: Mark-Compact 18.9 (56.4) -> 12.0 (52.1) MB": ms since node started (about t0),
      // and the third number is the live heap after the collection.
      const majorsAt = readFileSync(child.outFile, "utf8")
        .split("\n")
        .map((l) => /(\d+) ms: Mark-Compact [\d.]+ \([\d.]+\) ->\s*([\d.]+)\s*\(/.exec(l))
        .filter(Boolean)
        .map((m) => ({ tick: (samples.find((x) => x.s * 1000 >= Number(m[1])) ?? end).tick, mb: Number(m[2]) }));
      const majors = majorsAt.map((g) => g.mb);
      return {
        ticks: end.tick,
        seconds: end.s,
        majorGcs: majors.length,
        liveHeapAfterMajorGcMB: majors,
        liveHeapAfterWarmMB: majorsAt.filter((g) => g.tick >= warmAt).map((g) => g.mb),
        rssWarmMB: warm.rssMB,
        rssWarmTick: warm.tick,
        rssEndMB: end.rssMB,
        rssMaxAfterWarmMB: Math.max(...tail.map((s) => s.rssMB)),
        // A dozen points across the whole run, so "flat" can be seen, not just inferred from two.
        rssByTick: samples
          .filter((_, i) => i % Math.max(1, Math.floor(samples.length / 12)) === 0 || i === samples.length - 1)
          .map((s) => [s.tick, +s.rssMB.toFixed(1)]),
      };
    }
    const warmS = Math.min(5, O.refLongS / 4);
    await sleep(warmS * 1000);
    assertAlive(child, `${prog.name} long run`);
    const warm = { s: (Date.now() - t0) / 1000, rssMB: rssMB(child.pid) };
    const rest = O.refLongS - warmS;
    for (let i = 0; i < rest; i++) {
      await sleep(1000);
      assertAlive(child, `${prog.name} long run`);
      samples.push({ s: (Date.now() - t0) / 1000, rssMB: rssMB(child.pid) });
    }
    const end = samples[samples.length - 1];
    const calls = readShimLog(shimLog).length;
    return {
      ticks: refSpawnsPerTick ? Math.round(calls / refSpawnsPerTick) : undefined,
      ticksNote: `int(${O.fastSignal}) = 0 s sleep; ticks = ${calls} tmux calls / ${refSpawnsPerTick} calls per signal tick`,
      seconds: end.s,
      rssWarmMB: warm.rssMB,
      rssWarmS: warm.s,
      rssEndMB: end.rssMB,
      rssMaxAfterWarmMB: Math.max(...samples.map((s) => s.rssMB)),
    };
  } finally {
    await stopWatchdog(child);
    setTmuxMode("real");
  }
}

/** Latency one shim hop adds to a tmux call (to take it back out of the reference's tick time). */
function shimLatency() {
  const shimLog = path.join(ROOT, "calibrate.tmux-calls");
  const env = { ...childEnv, AGENTS_BENCH_TMUX_LOG: shimLog };
  const one = (bin) => {
    const t0 = process.hrtime.bigint();
    spawnSync(bin, ["display-message", "-p", "#{pid}"], { env });
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const shim = [];
  const real = [];
  for (let i = 0; i < 60; i++) {
    shim.push(one(SHIM_SCRIPT));
    real.push(one(REAL_TMUX));
  }
  return Math.max(0, median(shim) - median(real));
}

// ── output ─────────────────────────────────────────────────────────────────────────────────────
function fmt(v, digits = 1) {
  if (v === undefined || v === null || Number.isNaN(v)) return "-";
  if (typeof v === "string") return v;
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toFixed(digits);
}
function ratio(a, b) {
  if (a === undefined || b === undefined || b === 0 || a === null || b === null) return "-";
  const r = a / b;
  return r < 1 && r > 0 ? `${r.toFixed(3)} (1/${(1 / r).toFixed(r < 0.1 ? 0 : 1)})` : r.toFixed(2);
}

function printTable(rows) {
  const head = ["metric", "N", "ours", "reference", "ours/ref"];
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join("  ");
  console.log(line(head));
  console.log(w.map((x) => "-".repeat(x)).join("  "));
  let prev;
  for (const r of rows) {
    if (prev !== undefined && prev !== r[0]) console.log("");
    console.log(line(r));
    prev = r[0];
  }
}

// ── main ───────────────────────────────────────────────────────────────────────────────────────
let OPTS;
let PY;
async function main() {
  OPTS = parseOptions(process.argv.slice(2));
  const O = OPTS;
  if (process.platform !== "linux" || !existsSync("/proc/self/stat")) throw new Error("the bench reads /proc: Linux only");
  if (!REAL_TMUX) throw new Error("tmux not found on PATH");
  if (!existsSync(ENTRY)) throw new Error("dist/ is missing: run `npm run build` (npm run bench does)");
  CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  writeFileSync(
    SHIM_SCRIPT,
    `#!/bin/sh\n# Counts tmux calls for bench/bench.mjs: "<uptime s> <args...>" per call, then the real tmux.\nread up _ < /proc/uptime\necho "$up $1 $2" >> "\${AGENTS_BENCH_TMUX_LOG:-/dev/null}"\nexec '${REAL_TMUX}' "$@"\n`,
    { mode: 0o755 },
  );
  setTmuxMode("real");

  const progs = [{ id: "ours", name: "agents (this)" }];
  const notes = [];
  const refPath = path.resolve(O.reference ?? process.env.AGENTS_REFERENCE ?? path.join(REPO, "..", "shared", "reference", "agents.py"));
  PY = which("python3", process.env.PATH);
  if (O.noReference) notes.push("reference skipped (--no-reference)");
  else if (!PY) notes.push("reference skipped: python3 not found");
  else if (!existsSync(refPath)) notes.push(`reference skipped: ${refPath} not found (pass --reference PATH)`);
  else if (spawnSync(PY, ["-c", "import tomllib"]).status !== 0) notes.push("reference skipped: python3 has no tomllib (needs 3.11+)");
  else {
    // The interpreter itself, not a launcher in front of it: a pyenv shim on PATH is a bash script
    // that adds ~70 ms to every reference start, which would flatter our `status` ratio.
    const exe = spawnSync(PY, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim();
    if (exe && exe !== PY && existsSync(exe)) {
      notes.push(`reference runs with ${exe} (python3 on PATH, ${PY}, resolves to it)`);
      PY = exe;
    }
    progs.push({ id: "ref", name: "agents.py (reference)", script: refPath });
  }
  for (const n of notes) console.log(`note: ${n}`);

  const meta = {
    date: new Date().toISOString(),
    quick: O.quick,
    node: process.version,
    python: PY ? spawnSync(PY, ["--version"], { encoding: "utf8" }).stdout.trim() : undefined,
    tmux: spawnSync(REAL_TMUX, ["-V"], { encoding: "utf8" }).stdout.trim(),
    cpus: os.cpus().length,
    loadavgStart: os.loadavg().map((x) => +x.toFixed(2)),
    commit: spawnSync("git", ["-C", REPO, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim() || undefined,
    reference: progs.find((p) => p.id === "ref")?.script,
    windows: { warmupS: O.warmupS, countS: O.countS, cpuS: O.cpuS, signal: O.signal, heavy: O.heavy, statusRuns: O.statusRuns, longTicks: O.longTicks, refLongS: O.refLongS, fastSignal: O.fastSignal },
    notes,
  };
  const t0 = Date.now();
  const estS = O.ns.length * progs.length * (O.warmupS + O.countS + O.cpuS + 5) + O.longTicks * O.fastSignal * 1.3 + (progs.length > 1 ? O.refLongS : 0) + 30;
  console.log(`bench: N = ${O.ns.join(", ")}; ${progs.map((p) => p.name).join(" vs ")}; about ${Math.round(estS / 60)} min. Private tmux dir ${TMUX_DIR}`);

  const results = {};
  let long;
  let shimLatencyS = 0;
  for (const [idx, n] of O.ns.entries()) {
    const prefix = `bn${n}-`;
    const dir = path.join(ROOT, `fleet-${n}`);
    mkdirSync(dir, { recursive: true });
    const serverPid = startFleet(dir, n, prefix);
    const fleet = { n, prefix, dir, serverPid };
    if (idx === 0) {
      shimLatencyS = shimLatency();
      meta.shimLatencyMs = +(shimLatencyS * 1000).toFixed(2);
    }
    results[n] = {};
    // Alternate who goes first so a burst of load elsewhere does not always land on one side.
    const order = idx % 2 ? [...progs].reverse() : progs;
    for (const p of order) {
      process.stdout.write(`  N=${n}: ${p.name} watchdog ... `);
      let r;
      for (let attempt = 1; ; attempt++) {
        try {
          r = await measureWatchdog(p, fleet, O, shimLatencyS);
          break;
        } catch (err) {
          // The reference can die of its own defects (e.g. a tmux reply it cannot decode): note it,
          // retry once on a fresh process, and keep the rest of the run.
          if (p.id !== "ref") throw err;
          const first = String(err.message).split("\n");
          const why = `${first[0]} ... ${first[first.length - 1]}`;
          notes.push(`N=${n}: reference watchdog attempt ${attempt} failed: ${why}`);
          console.log(`\n  reference failed (attempt ${attempt}): ${why}`);
          if (attempt >= 2) break;
          process.stdout.write(`  N=${n}: ${p.name} watchdog (retry) ... `);
        }
      }
      if (!r) continue;
      results[n][p.id] = r;
      console.log(`${fmt(r.cpuMsPerTick)} ms CPU/tick, ${fmt(r.spawnsPerTick)} tmux/tick, tick ${fmt(r.tickMsMedian)} ms`);
    }
    process.stdout.write(`  N=${n}: status x${O.statusRuns} ... `);
    const st = measureStatus(progs, fleet, O);
    for (const p of progs) (results[n][p.id] ??= {}).status = st[p.id];
    console.log(progs.map((p) => `${p.id} ${fmt(st[p.id].msMedian)} ms`).join(", "));
    if (n === O.rssN) {
      long = { n };
      for (const p of progs) {
        process.stdout.write(`  N=${n}: ${p.name} long run (${p.id === "ours" ? `${O.longTicks} ticks at ${O.fastSignal}s` : `${O.refLongS}s at int(${O.fastSignal})=0s`}) ... `);
        long[p.id] = await measureLongRun(p, fleet, O, results[n].ref?.spawnsPerTickMedian);
        console.log(`RSS ${fmt(long[p.id].rssWarmMB)} -> ${fmt(long[p.id].rssEndMB)} MB over ${long[p.id].ticks ?? "?"} ticks`);
      }
    }
    tmux(["kill-server"]);
    await sleep(300);
  }
  meta.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
  meta.elapsedS = Math.round((Date.now() - t0) / 1000);

  // ── table ──
  const rows = [];
  const add = (label, get, digits = 1) => {
    for (const n of O.ns) {
      const o = get(results[n].ours, n);
      const r = results[n].ref ? get(results[n].ref, n) : undefined;
      rows.push([label, n, fmt(o, digits), results[n].ref ? fmt(r, digits) : "skipped", ratio(o, r)]);
    }
  };
  add("watchdog CPU ms per tick", (r) => r.cpuMsPerTick, 2);
  add("watchdog CPU % of one core", (r) => r.cpuPctCore, 2);
  add("tmux spawns per tick (mean)", (r) => r.spawnsPerTick, 2);
  add("tmux spawns per tick (median)", (r) => r.spawnsPerTickMedian, 0);
  add("tmux spawns per tick (max)", (r) => r.spawnsPerTickMax, 0);
  add("pane captures per tick (ours, mean)", (r) => r.capturesPerTick, 2);
  add("tick wall ms (median)", (r) => r.tickMsMedian, 1);
  add("tmux server CPU ms per tick", (r) => r.serverCpuMsPerTick, 2);
  add("status wall ms (median)", (r) => r.status?.msMedian, 0);
  add("status tmux spawns", (r) => r.status?.spawns, 0);
  add("watchdog RSS MB (end of CPU window)", (r) => r.rssMB, 1);
  add("restarts/kills/pings done (must be 0)", (r) => r.interventions?.count, 0);
  if (long) {
    const L = (id, k) => long[id]?.[k];
    const hasRef = !!long.ref;
    rows.push([`long run: ticks`, long.n, fmt(L("ours", "ticks"), 0), hasRef ? fmt(L("ref", "ticks"), 0) : "skipped", "-"]);
    rows.push([`long run: RSS MB after warm-up`, long.n, fmt(L("ours", "rssWarmMB")), hasRef ? fmt(L("ref", "rssWarmMB")) : "skipped", ratio(L("ours", "rssWarmMB"), L("ref", "rssWarmMB"))]);
    rows.push([`long run: RSS MB at end`, long.n, fmt(L("ours", "rssEndMB")), hasRef ? fmt(L("ref", "rssEndMB")) : "skipped", ratio(L("ours", "rssEndMB"), L("ref", "rssEndMB"))]);
    const heap = long.ours?.liveHeapAfterMajorGcMB ?? [];
    rows.push([`long run: live heap MB after major GCs (ours)`, long.n, heap.length ? `${Math.min(...heap)}..${Math.max(...heap)}` : "-", "-", "-"]);
    rows.push([`long run: RSS MB max after warm-up`, long.n, fmt(L("ours", "rssMaxAfterWarmMB")), hasRef ? fmt(L("ref", "rssMaxAfterWarmMB")) : "skipped", "-"]);
  }
  console.log("");
  printTable(rows);
  if (long?.ours?.rssByTick) console.log(`\nlong run, ours: RSS MB by tick: ${long.ours.rssByTick.map(([t, mb]) => `${t}:${mb}`).join(" ")}`);

  // ── goals (issue 5) ──
  const goals = [];
  const g = (name, pass, detail) => goals.push({ goal: name, pass, detail });
  const r50 = results[50];
  if (r50?.ref) {
    const c = r50.ours.cpuMsPerTick / r50.ref.cpuMsPerTick;
    const cs = r50.ours.cpuPctCore / r50.ref.cpuPctCore;
    g("watchdog CPU at N=50 <= 1/10 of the reference", c <= 0.1 && cs <= 0.1, `per tick ${ratio(r50.ours.cpuMsPerTick, r50.ref.cpuMsPerTick)}, per second ${ratio(r50.ours.cpuPctCore, r50.ref.cpuPctCore)}`);
    g("status at N=50 <= 1/3 of the reference's wall time", r50.ours.status.msMedian / r50.ref.status.msMedian <= 1 / 3, `${fmt(r50.ours.status.msMedian, 0)} ms vs ${fmt(r50.ref.status.msMedian, 0)} ms: ${ratio(r50.ours.status.msMedian, r50.ref.status.msMedian)}`);
  } else g("N=50 comparisons", undefined, "need N=50 and the reference in the run");
  const spawnOk = O.ns.every((n) => results[n].ours.spawnsPerTick <= 2 + (results[n].ours.capturesPerTick ?? 0) + 0.05);
  g("tmux spawns per tick independent of N (<= 2 + captures)", spawnOk, O.ns.map((n) => `N=${n}: ${fmt(results[n].ours.spawnsPerTick, 2)} spawns, ${fmt(results[n].ours.capturesPerTick, 2)} captures`).join("; "));
  if (long?.ours) {
    // Two signals, both must hold: RSS (what the user sees) and the live heap after each major GC
    // past warm-up (a leak grows it, whatever the allocator does with freed pages).
    const L = long.ours;
    const rssOk = L.rssEndMB - L.rssWarmMB <= Math.max(3, 0.1 * L.rssWarmMB);
    const heap = L.liveHeapAfterWarmMB;
    const heapOk = heap.length < 2 ? undefined : heap[heap.length - 1] - heap[0] <= Math.max(1, 0.1 * heap[0]);
    const heapText = heap.length < 2 ? `fewer than 2 major GCs after warm-up (longer run: --long-ticks)` : `live heap after major GCs ${heap[0]} -> ${heap[heap.length - 1]} MB over ${heap.length} GCs`;
    g(
      "RSS flat over the long run",
      rssOk && heapOk !== false,
      `${fmt(L.rssWarmMB)} MB at tick ${L.rssWarmTick} -> ${fmt(L.rssEndMB)} MB at tick ${L.ticks} (max ${fmt(L.rssMaxAfterWarmMB)}); ${heapText}`,
    );
  }
  console.log("\ngoals (issue 5):");
  for (const x of goals) console.log(`  ${x.pass === undefined ? "n/a " : x.pass ? "PASS" : "MISS"}  ${x.goal}: ${x.detail}`);
  console.log(`\nload average ${meta.loadavgStart.join(" ")} -> ${meta.loadavgEnd.join(" ")} on ${meta.cpus} CPUs; shim latency ${meta.shimLatencyMs} ms/call; ${meta.elapsedS} s`);
  for (const n of notes) console.log(`note: ${n}`);

  const outDir = path.join(REPO, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "latest.json"), JSON.stringify({ meta, results, long, goals, table: rows }, null, 2) + "\n");
  console.log(`results: ${path.relative(process.cwd(), path.join(outDir, "latest.json"))}`);
}

main()
  .then(() => {
    cleanup();
    process.exit(0);
  })
  .catch((err) => {
    console.error(`\nbench failed: ${err.message}`);
    cleanup();
    process.exit(1);
  });
