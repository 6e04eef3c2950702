import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfigText, type Fleet } from "../../src/config/load.js";
import type { PaneInfo } from "../../src/tmux/tmux.js";
import type { AgentStatus, ScreenReading, SignalReading, Snapshot, WatchdogState } from "../../src/watchdog/types.js";
import { emptyState } from "../../src/watchdog/types.js";
import { tempDir } from "../helpers/tmp.js";

export const T0 = Date.parse("2026-11-21T12:00:00Z");

/** A fleet from TOML in a fresh temp project with the prompt files it names (removed after the file). */
export function fleetFrom(toml: string): Fleet {
  const dir = tempDir("decide");
  mkdirSync(path.join(dir, "prompts"));
  for (const f of ["builder", "adversary", "kickoff", "wake"]) writeFileSync(path.join(dir, "prompts", `${f}.md`), `${f}\n`);
  const file = path.join(dir, "agents.toml");
  writeFileSync(file, toml);
  return loadConfigText(file, toml);
}

export const BASE = `
[defaults]
session_prefix = "t-"
log_dir = ".state"
backend = "demo"
`;

export function pane(session: string, over: Partial<PaneInfo> = {}): PaneInfo {
  return { session, pid: 100, command: "bash", dead: false, activity: T0 / 1000, created: T0 / 1000 - 100, title: "", ...over };
}

export function reading(state: ScreenReading["state"], over: Partial<ScreenReading> = {}): ScreenReading {
  return { state, rule: "test", capturedAt: T0, ...over };
}

export interface SnapSpec {
  now?: number;
  heavy?: boolean;
  panes?: PaneInfo[];
  screens?: Record<string, ScreenReading>;
  phase?: Partial<Snapshot["phase"]>;
  git?: Snapshot["git"];
  cronDue?: string[];
  parked?: Record<string, string>;
  logMtimes?: Record<string, number>;
  /** By session. */
  hashes?: Record<string, string>;
  /** By agent name. */
  signals?: Record<string, SignalReading>;
}

export function snap(s: SnapSpec = {}): Snapshot {
  return {
    now: s.now ?? T0,
    heavy: s.heavy ?? false,
    panes: new Map((s.panes ?? []).map((p) => [p.session, p])),
    screens: new Map(Object.entries(s.screens ?? {})),
    screenHashes: new Map(Object.entries(s.hashes ?? {})),
    signals: new Map(Object.entries(s.signals ?? {})),
    logMtimes: new Map(Object.entries(s.logMtimes ?? {})),
    phase: { index: 0, done: false, sequenceComplete: false, triggerPresent: false, ...s.phase },
    git: s.git,
    cronDue: new Set(s.cronDue ?? []),
    parkedMarkers: new Map(Object.entries(s.parked ?? {})),
  };
}

/** The status a fresh runtime starts with (tests only care about the fields they set). */
export const UNKNOWN: AgentStatus = { state: "unknown", reason: "test", since: 0 };

export function stateWith(agents: WatchdogState["agents"] = {}): WatchdogState {
  return { ...emptyState(), agents };
}
