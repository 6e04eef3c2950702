// `status`'s accounts (issue 11 item 4): agents sharing a login, its usage and reset from the
// freshest record of any of them, and whether the watchdog holds it for a usage limit. Pure.
import type { AccountHold, SignalSummary } from "../state/watchdog-state.js";

export interface AccountJson {
  id: string;
  /** Its agents, in config order. */
  agents: string[];
  /** The most-used window of the freshest record that reports rate limits (0-100). */
  usedPct?: number;
  /** ISO time that window resets. */
  resetsAt?: string;
  /** The watchdog holds the account for a usage limit (until its reset, then while it resumes). */
  held: boolean;
  /** ISO end of the hold (the reset + limit_reset_slack). */
  until?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function accountsOf(
  agents: { name: string; account: string }[],
  signals: Record<string, SignalSummary | undefined>,
  holds: Record<string, AccountHold> | undefined,
): AccountJson[] {
  const byId = new Map<string, string[]>();
  for (const a of agents) byId.set(a.account, [...(byId.get(a.account) ?? []), a.name]);
  return [...byId].map(([id, names]) => {
    const out: AccountJson = { id, agents: names, held: false };
    const freshest = names
      .map((n) => signals[n])
      .filter((s): s is SignalSummary => !!s?.rateLimits?.length)
      .sort((a, b) => b.at - a.at)[0];
    const windows = (freshest?.rateLimits ?? []).filter((w) => w.usedPct !== undefined);
    const top = windows.sort((a, b) => b.usedPct! - a.usedPct!)[0];
    if (top) {
      out.usedPct = top.usedPct;
      if (top.resetsAt !== undefined) out.resetsAt = iso(top.resetsAt);
    }
    const hold = holds?.[id];
    if (hold) {
      out.held = true;
      out.until = iso(hold.until);
    }
    return out;
  });
}

/** The `accounts:` line above the table, when any account has something to say. */
export function accountsLine(accounts: AccountJson[]): string | undefined {
  const parts = accounts
    .filter((a) => a.usedPct !== undefined || a.held)
    .map((a) => {
      const used = a.usedPct !== undefined ? ` ${Math.round(a.usedPct)}%${a.resetsAt ? ` (resets ${a.resetsAt})` : ""}` : "";
      return `${a.id}${used}${a.held ? ` HELD until ${a.until}` : ""}`;
    });
  return parts.length ? `accounts: ${parts.join("; ")}` : undefined;
}
