// One line for a signal reading (`agents classify <agent>`): what the CLI's own record says it is
// doing, how fresh that is, and a limit's reset. Pure.
import type { SignalReading } from "../signals/types.js";

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

export function formatSignals(r: SignalReading, now: number): string {
  const parts = [`signals (${r.source}): ${r.state ?? "no state"}`];
  if (r.state === "limited" && r.limit) {
    const l = r.limit;
    if (l.resetsAt !== undefined) parts.push(`until ${new Date(l.resetsAt).toISOString()}`);
    if (l.window) parts.push(`(${l.window})`);
    if (l.autoContinue !== undefined) parts.push(l.autoContinue ? "auto-continue on" : "no auto-continue");
    if (l.message) parts.push(`— ${JSON.stringify(l.message)}`);
  }
  const facts: string[] = [];
  if (r.at > 0) facts.push(`record ${new Date(r.at).toISOString()} (${ago(now - r.at)})`);
  if (r.grewAt > 0 && r.grewAt !== r.at) facts.push(`grew ${ago(now - r.grewAt)}`);
  if (r.model) facts.push(`model ${r.model}`);
  if (r.contextPct !== undefined) facts.push(`context ${Math.round(r.contextPct)}%`);
  if (r.costUsd !== undefined) facts.push(`$${r.costUsd.toFixed(2)}`);
  for (const w of r.rateLimits ?? []) {
    if (w.usedPct !== undefined) facts.push(`${w.name} ${Math.round(w.usedPct)}%`);
  }
  if (r.sessionId) facts.push(`session ${r.sessionId}`);
  return facts.length ? `${parts.join(" ")} · ${facts.join(" · ")}` : parts.join(" ");
}
