// Where the watchdog keeps its state and lock (kept tiny: `status` reads them).
import path from "node:path";
import type { Fleet } from "../config/load.js";
import { readJsonOr } from "../state/files.js";
import { emptyState, type WatchdogState } from "./types.js";

export const watchdogStatePath = (fleet: Fleet): string => path.join(fleet.stateDir, "watchdog.json");
export const watchdogLockPath = (fleet: Fleet): string => path.join(fleet.stateDir, "watchdog.lock");

export function readWatchdogState(fleet: Fleet): WatchdogState {
  const s = readJsonOr<WatchdogState | null>(watchdogStatePath(fleet), null);
  return s && s.version === 1 && s.agents ? { ...emptyState(), ...s } : emptyState();
}
