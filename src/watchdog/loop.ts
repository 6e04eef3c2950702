// The watchdog process: timers, config reload (keeping the last good config), the fleet lock,
// file watches, and a clean stop on SIGTERM/SIGINT. Each tick is observe → decide → act.
import { statSync } from "node:fs";
import path from "node:path";
import chokidar, { type FSWatcher } from "chokidar";
import cron, { type ScheduledTask } from "node-cron";
import { loadConfig } from "../config/load.js";
import { ConditionReport, createEventLog, type EventLog } from "../log.js";
import { ensureRuntimeDir, fallbackEventsFile, watchdogEventsFile } from "../state/paths.js";
import { loadWatchdogState, writeWatchdogState } from "../state/watchdog-state.js";
import { phaseWatchPaths, readPhaseIndex } from "../state/phase.js";
import { watchdogLock } from "../state/lock.js";
import { UserError } from "../errors.js";
import { decide } from "./decide.js";
import { Observer } from "./observe.js";
import { GitReader } from "./git-reader.js";
import { act, type Actor } from "./act.js";
import { LogRotator } from "./log-rotator.js";
import type { Deadline } from "./types.js";
import { onHangup } from "./hangup.js";
import { watchdogTmux } from "./control-session.js";
import { ChangeFeed } from "./change-feed.js";
import { Waker } from "./wake.js";
import { stateKey, stateWriteDue } from "./state-writes.js";
import { handoffRefPaths } from "./handoff-refs.js";
import { sessionLogFile } from "../state/paths.js";
import { Notifier } from "../notify/notifier.js";

export interface WatchdogOptions {
  /** Run one tick (heavy) and exit: for tests and `--once`. */
  once?: boolean;
  /** Log what would be done without doing it. */
  dryRun?: boolean;
  echo?: (line: string) => void;
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Node's timers overflow past 2^31-1 ms (and then fire at once): never ask for more. */
const MAX_TIMER_MS = 2_147_483_647;
/** A deadline is acted on a moment after it passes, so the rule that set it sees it as due. */
const DEADLINE_MARGIN_MS = 20;

/** How long a tick may run before the loop says it overran: a signal interval, at least 30 s. */
export const tickOverrunMs = (signalIntervalS: number): number => Math.max(signalIntervalS, 30) * 1000;

/** Sleep until the next signal tick or the earliest deadline decide knows, whichever is first. */
export function sleepMs(untilSignalTick: number, deadline: Deadline | undefined, now: number): number {
  let wait = untilSignalTick;
  if (deadline) wait = Math.min(wait, deadline.at - now + DEADLINE_MARGIN_MS);
  return Math.min(Math.max(0, wait), MAX_TIMER_MS);
}

export async function runWatchdog(configPath: string, opts: WatchdogOptions = {}): Promise<number> {
  let fleet = loadConfig(configPath);
  let configMtime = mtimeOf(fleet.configPath);
  // Per-tick reads over one control-mode client (control-session.ts); sessions coming or going
  // (a pane died, a session was killed) wake the loop at once.
  const { tmux } = watchdogTmux(fleet, {
    onTopology: () => poke(),
    onSwitch: (mode, reason) => log.event(mode === "control" ? "info" : "warn", { action: mode === "control" ? "tmux-control" : "tmux-spawn", reason }),
  }, !opts.once);
  // Panes' writes to their session logs (change-feed.ts): one that settles wakes the loop to read it.
  const feed = new ChangeFeed({ onSettled: () => poke() });
  let feedFleet: typeof fleet | undefined;
  let feedLogs = new Map<string, string>();
  let feedRules = new Map<string, (typeof fleet)["agents"][number]["backend"]>();
  // In the runtime dir, not log_dir: deleting log_dir must not let a second watchdog start.
  const lock = watchdogLock(fleet);
  lock.acquire();
  // Notifications observe the events log ([notify]; src/notify/), from the last good config.
  const notifier = new Notifier({ fleet: () => fleet });
  // A full or read-only log_dir must not stop the watchdog: events then go to the runtime dir.
  const log: EventLog = createEventLog(watchdogEventsFile(fleet), opts.echo, {
    fallback: () => (ensureRuntimeDir(fleet), fallbackEventsFile(fleet)),
    onEvent: notifier.observe,
    // Capped like the session logs; the sink takes the limits at start (a reload does not change them).
    maxBytes: fleet.logMaxBytes,
    keep: fleet.logKeep,
  });
  notifier.start(log);
  const stateWrites = new ConditionReport(log, { failed: "state-write-failed", recovered: "state-write-recovered" });
  let lastStateWrite: { key: string; at: number } | undefined;
  const lockChecks = new ConditionReport(log, { failed: "lock-check-failed", recovered: "lock-check-recovered" });
  let exitCode = 0;
  const loaded = loadWatchdogState(fleet);
  let state = loaded.state;
  state.detachedSince = undefined; // a fresh start runs where `up` put it
  if (loaded.corrupt) {
    log.event("error", {
      action: "state-corrupt",
      reason: `${loaded.corrupt.file}: ${loaded.corrupt.problem}; kept as ${loaded.corrupt.keptAs}, starting from an empty state`,
    });
  }
  const startedAt = Date.now();
  // The handoff repo is read in the background; news from it wakes the loop (poke is set below).
  const gitReader = new GitReader({ event: (level, action, reason) => log.event(level, { action, reason }), onNews: () => poke() });
  const observer = new Observer(tmux, gitReader, feed);
  const actor: Actor = { fleet, tmux, log, observer, inFlight: new Set(), pinging: new Set() };
  const cronDue = new Set<string>();
  let cronTasks: ScheduledTask[] = [];
  let watcher: FSWatcher | undefined;
  let stopping = false;
  let heavyRequested = true;
  let lastConfigError: string | undefined;
  const traceTicks = process.env.AGENTS_TICK_EVENTS === "1";

  /** The handoff refs moved: the next tick reads the repo at once. */
  let gitDue = false;
  const waker = new Waker(() => stopping);
  const poke = waker.poke;

  const scheduleCrons = () => {
    for (const t of cronTasks) void t.destroy();
    cronTasks = fleet.agents
      .filter((a) => a.enabled && a.wake?.cron)
      .map((a) => cron.schedule(a.wake!.cron!, () => {
        cronDue.add(a.name);
        poke();
      }));
  };

  /** Watch what should wake the watchdog early: the config, and the current phase's status file. */
  let phaseIndex = readPhaseIndex(fleet);
  let watchedKey = "";
  const watchFiles = async () => {
    const refs = new Set(fleet.loop.handoff && fleet.agents.some((a) => a.enabled && a.kind === "loop") ? await handoffRefPaths(fleet) : []);
    const paths = [fleet.configPath, ...phaseWatchPaths(fleet, fleet.loop.phases[phaseIndex]), ...refs];
    const key = paths.join("\0");
    if (key === watchedKey) return;
    watchedKey = key;
    await watcher?.close();
    watcher = chokidar.watch(paths, { ignoreInitial: true, awaitWriteFinish: false });
    watcher.on("all", (_event, file) => {
      const f = path.resolve(file);
      if (refs.has(f)) gitDue = true;
      else if (f !== fleet.configPath) heavyRequested = true;
      poke();
    });
  };

  const reload = () => {
    const m = mtimeOf(fleet.configPath);
    if (m === configMtime && !lastConfigError) return;
    configMtime = m;
    try {
      const next = loadConfig(fleet.configPath);
      fleet = next;
      actor.fleet = next;
      scheduleCrons();
      notifier.reconfigure();
      if (lastConfigError) log.event("info", { action: "config-recovered", reason: "config is valid again; using it" });
      else log.event("info", { action: "config-reloaded", reason: "config file changed" });
      lastConfigError = undefined;
      void watchFiles();
    } catch (err) {
      const msg = err instanceof UserError ? err.lines.join("; ") : (err as Error).message;
      if (msg !== lastConfigError) {
        log.event("error", { action: "config-invalid", reason: `${msg} — keeping the last good config` });
      }
      lastConfigError = msg;
    }
  };

  const onSignal = (sig: string) => {
    if (!stopping) log.event("info", { action: "stopping", reason: `${sig} received; finishing the current tick` });
    stopping = true;
    poke();
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  // Inside tmux, SIGHUP may mean the server died (survive it) or our session was killed (stop).
  const insideTmux = !!process.env.TMUX;
  process.on("SIGHUP", () => {
    void (async () => {
      await new Promise((r) => setTimeout(r, 200)); // let a dying server finish going away
      const verdict = onHangup(insideTmux, await tmux.listPanes());
      if (verdict === "stop") return onSignal("SIGHUP");
      if (state.detachedSince === undefined) {
        state.detachedSince = Date.now();
        log.event("error", {
          action: "tmux-server-lost",
          reason: `the tmux server running the watchdog's session died; supervising on outside tmux (pid ${process.pid}) and bringing the fleet back`,
        });
      }
      heavyRequested = true;
      poke();
    })();
  });
  // Errors from watchers and timers outside the tick are logged, never fatal.
  process.on("uncaughtException", (err) => log.event("error", { action: "uncaught-exception", reason: err.stack ?? String(err) }));
  process.on("unhandledRejection", (err) => log.event("error", { action: "unhandled-rejection", reason: String((err as Error)?.stack ?? err) }));

  scheduleCrons();
  await watchFiles();
  log.event("info", {
    action: "watchdog-up",
    reason: `signal ${fleet.watchdog.signal_interval}s, heavy ${fleet.watchdog.heavy_interval}s, watching ${fleet.agents
      .filter((a) => a.enabled && a.watch !== "none")
      .map((a) => a.name)
      .join(", ") || "nothing"}`,
    pid: process.pid,
  });
  // Session logs are capped on their own timer: a flood fills one far inside any signal tick.
  const logRotator = opts.once ? undefined : new LogRotator({ fleet: () => fleet, tmux, log, dryRun: opts.dryRun });
  logRotator?.start();

  let lastHeavy = 0;
  let deadline: Deadline | undefined;
  let crashed: unknown;
  try {
    while (!stopping) {
      const tickStart = Date.now();
      let heavy = false;
      // Every wait in a tick is bounded; a tick that still runs this long is said so while it runs.
      const overrunMs = tickOverrunMs(fleet.watchdog.signal_interval);
      const overrun = setTimeout(() => log.event("warn", { action: "tick-overrun", reason: `tick still running after ${overrunMs / 1000}s`, heavy }), overrunMs);
      // A deadline that needs healing (a restart backoff ending) makes this tick a heavy one.
      if (deadline?.heavy && tickStart >= deadline.at) heavyRequested = true;
      try {
        reload();
        heavy = heavyRequested || tickStart - lastHeavy >= fleet.watchdog.heavy_interval * 1000;
        heavyRequested = false;
        if (heavy) lastHeavy = tickStart;
        const now = Date.now();
        if (!opts.once) {
          // Rebuilt only when the config is (the feed knows the same maps cost nothing).
          if (feedFleet !== fleet) {
            feedFleet = fleet;
            const on = fleet.agents.filter((a) => a.enabled);
            feedLogs = new Map(on.map((a) => [a.session, sessionLogFile(fleet, a.session)]));
            feedRules = new Map(on.map((a) => [a.session, a.backend]));
          }
          const watchError = feed.track(fleet.logDir, feedLogs, feedRules);
          if (watchError) log.event("warn", { action: "log-watch-failed", reason: `${watchError}; panes are read on tmux's activity alone` });
        }
        const gitNow = gitDue;
        gitDue = false;
        const snap = await observer.observe(fleet, state, { now, heavy, cronDue: new Set(cronDue), awaitGit: opts.once, gitNow });
        // observe makes a tick heavy when an agent newly died, vanished or shows a fatal screen.
        if (snap.heavy && !heavy) {
          heavy = true;
          lastHeavy = tickStart;
        }
        const decision = decide(fleet, snap, state);
        deadline = decision.deadline;
        for (const a of decision.actions) if (a.type === "ping" && a.purpose === "wake") cronDue.delete(a.agent);
        if (opts.dryRun) {
          for (const a of decision.actions) log.event("info", { agent: "agent" in a ? a.agent : undefined, action: `would-${a.type}`, reason: a.reason });
        } else {
          await act(actor, decision.actions);
        }
        state = decision.state;
        const nextIndex = decision.actions.reduce((i, a) => (a.type === "set-phase" ? a.index : i), snap.phase.index);
        if (nextIndex !== phaseIndex) {
          phaseIndex = nextIndex;
          await watchFiles();
        }
      } catch (err) {
        // A supervisor that dies of one bad tick leaves the fleet unwatched all night: log it, go on.
        log.event("error", { action: "tick-failed", reason: (err as Error).stack ?? String(err) });
      }
      clearTimeout(overrun);
      const tickMs = Date.now() - tickStart;
      Object.assign(state, { heartbeat: Date.now(), pid: process.pid, startedAt, configError: lastConfigError, lastTickMs: tickMs });
      // A full or read-only log_dir fails this every tick: retried each tick, reported once per errno.
      try {
        const key = stateKey(state);
        if (stateWriteDue(key, lastStateWrite, Date.now())) {
          writeWatchdogState(fleet, state);
          lastStateWrite = { key, at: Date.now() };
        }
        stateWrites.ok("writing the watchdog state");
      } catch (err) {
        stateWrites.failed(err, "writing the watchdog state");
      }
      // Still ours? A vanished lock is recreated; another live watchdog holding it means we stop.
      const held = lock.check();
      if (held.state === "lost") {
        log.event("error", { action: "lock-lost", reason: `another watchdog (pid ${held.holder.pid}, since ${held.holder.since}) holds the lock; stopping so only one supervises`, holder: held.holder.pid });
        stopping = true;
        exitCode = 1;
      } else if (held.state === "recreated") {
        log.event("warn", { action: "lock-recreated", reason: held.reason });
      }
      if (held.state === "unverifiable") lockChecks.failed(held.error, "checking the watchdog lock");
      else lockChecks.ok("checking the watchdog lock");
      if (traceTicks) {
        log.event("info", { action: "tick", reason: heavy ? "heavy" : "signal", ms: tickMs, captures: observer.lastCaptures, deferred: observer.lastDeferred, next: deadline?.reason });
      }
      if (opts.once) break;
      const wait = sleepMs(fleet.watchdog.signal_interval * 1000 - (Date.now() - tickStart), deadline, Date.now());
      await waker.sleep(wait, tickStart);
    }
  } catch (err) {
    // Something escaped the tick's own catch: say so (notified, bounded below) before dying of it.
    crashed = err;
    exitCode = 1; // the last-resort exit below must not report a crash as success
    log.event("error", { action: "watchdog-crashed", reason: (err as Error)?.stack ?? String(err) });
    throw err;
  } finally {
    await logRotator?.stop();
    await observer.close();
    await Promise.allSettled([...actor.inFlight]);
    for (const t of cronTasks) void t.destroy();
    await watcher?.close();
    feed.close();
    tmux.close();
    lock.release();
    log.event("info", {
      action: "watchdog-down",
      reason: crashed !== undefined ? `crashed: ${(crashed as Error)?.message ?? String(crashed)}` : exitCode ? "lock lost" : stopping ? "stopped by signal" : "single tick done",
      ...(crashed !== undefined ? { crashed: true } : {}),
    });
    await notifier.stop();
    log.flush();
    // Everything is released; a stray handle (a dying pane's stream) must not keep us alive.
    setTimeout(() => process.exit(exitCode), 1000).unref();
  }
  return exitCode;
}
