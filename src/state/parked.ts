// Parked markers: one small file per agent the watchdog must leave alone. The marker, not the
// watchdog's own state, is the source of truth, so `agents up/down` can park and unpark an agent
// without touching the watchdog's state file (and while no watchdog runs).
import { readdirSync, rmSync, existsSync } from "node:fs";
import { readJsonOr, writeJsonAtomic } from "./files.js";
import { parkedDir, parkedMarkerFile, type PathFleet } from "./paths.js";

export interface ParkedMarker {
  reason: string;
  /** ISO time it was parked. */
  at?: string;
}

export function park(fleet: PathFleet, agent: string, reason: string, now = Date.now()): void {
  writeJsonAtomic(parkedMarkerFile(fleet, agent), { reason, at: new Date(now).toISOString() } satisfies ParkedMarker);
}

/** Remove an agent's marker; true when there was one. */
export function unpark(fleet: PathFleet, agent: string): boolean {
  const file = parkedMarkerFile(fleet, agent);
  if (!existsSync(file)) return false;
  rmSync(file, { force: true, recursive: true });
  return true;
}

/** Parked agents by name. An unreadable marker still parks (with a generic reason). */
export function readParked(fleet: PathFleet): Map<string, ParkedMarker> {
  const out = new Map<string, ParkedMarker>();
  let files: string[];
  try {
    files = readdirSync(parkedDir(fleet)).filter((f) => f.endsWith(".json"));
  } catch {
    return out;
  }
  for (const f of files) {
    const name = f.slice(0, -".json".length);
    const m = readJsonOr<Partial<ParkedMarker> | null>(parkedMarkerFile(fleet, name), null);
    out.set(name, { reason: typeof m?.reason === "string" ? m.reason : "parked", at: typeof m?.at === "string" ? m.at : undefined });
  }
  return out;
}
