// The loop phase index and the files that describe a phase's progress.
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { Fleet } from "../config/load.js";
import { resolvePath } from "../config/paths.js";
import { readTextOr, writeFileAtomic } from "./files.js";
import { onCompleteTriggerFile, phaseIndexFile, sequenceCompleteFile } from "./paths.js";

export type Phase = Fleet["loop"]["phases"][number];

export function readPhaseIndex(fleet: Fleet): number {
  const text = readTextOr(phaseIndexFile(fleet), "")!.trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : 0;
  const max = Math.max(0, fleet.loop.phases.length - 1);
  return Math.min(Math.max(0, n), max);
}

export function writePhaseIndex(fleet: Fleet, index: number): void {
  writeFileAtomic(phaseIndexFile(fleet), `${index}\n`);
}

/** True when the phase index has never been written (a fresh project). */
export function phaseIndexMissing(fleet: Fleet): boolean {
  return !existsSync(phaseIndexFile(fleet));
}

/** The repo whose files and commits drive the loop: the handoff repo, else the project dir. */
export function handoffRepo(fleet: Fleet): string {
  const repo = fleet.loop.handoff?.repo;
  return repo ? resolvePath(fleet.projectDir, repo) : fleet.projectDir;
}

export function stateSubdir(fleet: Fleet): string {
  return fleet.loop.handoff?.state_subdir ?? "machine-docs";
}

/** A state file lives under <repo>/<state_subdir>/ when present there, else at <repo>/<name>. */
export function resolveStateFile(fleet: Fleet, name: string): string {
  const repo = handoffRepo(fleet);
  const inSub = path.join(repo, stateSubdir(fleet), name);
  return existsSync(inSub) ? inSub : path.join(repo, name);
}

/** Lines that sit under the done marker without meaning "done". */
const PLACEHOLDER_RE =
  /^\s*(not yet|not done|not complete|incomplete|pending\b|tbd\b|todo\b|n\/?a\b|written here only|only when|to be (written|filled)|when all|<.*>)/i;

export function isPlaceholder(line: string): boolean {
  return PLACEHOLDER_RE.test(line);
}

/** True when the text has the done marker followed by a real (non-placeholder) line. */
export function statusSaysDone(text: string, marker: string): boolean {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(marker)) continue;
    const body = lines.slice(i + 1).find((l) => l.trim() !== "");
    if (body !== undefined && !isPlaceholder(body)) return true;
  }
  return false;
}

export function phaseDone(fleet: Fleet, phase: Phase | undefined): boolean {
  if (!phase) return false;
  const text = readTextOr(resolveStateFile(fleet, phase.status), undefined);
  return text !== undefined && statusSaysDone(text, fleet.loop.done_marker);
}

export function sequenceComplete(fleet: Fleet): boolean {
  return existsSync(sequenceCompleteFile(fleet));
}

export function markSequenceComplete(fleet: Fleet, now = Date.now()): void {
  writeFileAtomic(sequenceCompleteFile(fleet), `phase sequence complete at ${new Date(now).toISOString()}; loops stopped\n`);
}

export function clearSequenceComplete(fleet: Fleet): void {
  rmSync(sequenceCompleteFile(fleet), { force: true });
}

/** The on_complete trigger file is present (someone asked for on_complete to run). */
export function onCompleteTriggered(fleet: Fleet): boolean {
  const t = onCompleteTriggerFile(fleet);
  return t !== undefined && existsSync(t);
}

export function consumeOnCompleteTrigger(fleet: Fleet): void {
  const t = onCompleteTriggerFile(fleet);
  if (t) rmSync(t, { force: true });
}

/** Files whose change can move the loop: the phase's status file in both places it may live. */
export function phaseWatchPaths(fleet: Fleet, phase: Phase | undefined): string[] {
  if (!phase) return [];
  const repo = handoffRepo(fleet);
  return [path.join(repo, stateSubdir(fleet), phase.status), path.join(repo, phase.status)];
}
