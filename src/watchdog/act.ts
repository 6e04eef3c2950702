// Carry out decided actions and log each with its reason. Structural actions (kill, start, phase)
// run in order; pings run in the background so one slow TUI never stalls the tick for the rest.
import type { Fleet } from "../config/load.js";
import type { Tmux } from "../tmux/tmux.js";
import type { EventLog } from "../log.js";
import { startAgent } from "../fleet/launch.js";
import { ping } from "../fleet/ping.js";
import { readTextOr } from "../state/files.js";
import { park } from "../state/parked.js";
import { saveRecord } from "./forensics.js";
import { clearSequenceComplete, consumeOnCompleteTrigger, markSequenceComplete, writePhaseIndex } from "../state/phase.js";
import type { Action } from "./types.js";
import type { Observer } from "./observe.js";

export interface Actor {
  fleet: Fleet;
  tmux: Tmux;
  log: EventLog;
  observer?: Observer;
  inFlight: Set<Promise<void>>;
  pinging: Set<string>;
}

function wakeText(fleet: Fleet, agentName: string): string | undefined {
  const agent = fleet.agents.find((a) => a.name === agentName);
  if (!agent?.wake) return undefined;
  // A regular file only: a FIFO in its place reads as no wake text instead of hanging the watchdog.
  const text = readTextOr(agent.wake.promptFile, undefined);
  return text?.split(/\s+/).filter(Boolean).join(" ") || undefined;
}

function doPing(actor: Actor, action: Extract<Action, { type: "ping" }>): void {
  const { fleet, log } = actor;
  const agent = fleet.agents.find((a) => a.name === action.agent);
  if (!agent) return;
  if (actor.pinging.has(agent.name)) {
    log.event("info", { agent: agent.name, action: "ping-skipped", reason: "a ping to this agent is still in flight", purpose: action.purpose });
    return;
  }
  const text = action.purpose === "wake" ? wakeText(fleet, agent.name) : action.text;
  if (!text) {
    log.event("warn", { agent: agent.name, action: "ping-skipped", reason: "wake prompt file missing or empty" });
    return;
  }
  actor.pinging.add(agent.name);
  const p = (async () => {
    try {
      if (action.purpose === "nudge" && agent.backend.nudge_keys.length) {
        await actor.tmux.sendKeys(agent.session, agent.backend.nudge_keys);
        await new Promise((r) => setTimeout(r, 300));
      }
      const res = await ping(actor.tmux, agent.session, text, {
        submitKey: agent.backend.submit_key,
        timeoutMs: fleet.watchdog.ping_timeout * 1000,
      });
      log.event(res.ok ? "info" : "warn", {
        agent: agent.name,
        action: res.ok ? "pinged" : "ping-unconfirmed",
        reason: res.ok ? action.reason : `${action.reason}; ${res.reason}`,
        purpose: action.purpose,
        tries: res.tries,
      });
    } catch (err) {
      // In the background nobody awaits this: an error must become an event, not a stray rejection.
      log.event("error", { agent: agent.name, action: "ping-failed", reason: `${action.reason}; ${(err as Error).message}`, purpose: action.purpose });
    } finally {
      actor.pinging.delete(agent.name);
    }
  })();
  actor.inFlight.add(p);
  void p.finally(() => actor.inFlight.delete(p));
}

/** The event's `record` field: the record's file name (or "not saved: ..."), none when nothing was kept. */
const recordField = (record: string | undefined): { record?: string } => (record !== undefined ? { record } : {});

export async function act(actor: Actor, actions: Action[]): Promise<void> {
  const { fleet, tmux, log } = actor;
  const byName = new Map(fleet.agents.map((a) => [a.name, a]));
  // A kill and a start of the same agent in one batch share the record taken before the kill.
  const recorded = new Map<string, string | undefined>();
  for (const action of actions) {
    try {
      switch (action.type) {
        case "note": {
          const fields: Record<string, unknown> = {};
          if (action.evidence) fields.evidence = action.evidence;
          const a = action.agent !== undefined ? byName.get(action.agent) : undefined;
          if (action.saveScreen && a) {
            const record = await saveRecord(fleet, tmux, a, { event: action.event, action: "note", reason: action.reason, evidence: action.evidence });
            if (record !== undefined) fields.record = record;
          }
          log.event(action.level, { agent: action.agent, action: action.event, reason: action.reason, ...fields });
          break;
        }
        case "kill": {
          const a = byName.get(action.agent);
          if (!a) break;
          const record = await saveRecord(fleet, tmux, a, { event: "killed", action: "kill", reason: action.reason });
          recorded.set(a.name, record);
          const killed = await tmux.killSession(a.session);
          actor.observer?.forget(a.session);
          log.event("info", { agent: a.name, action: killed ? "killed" : "kill-skipped", reason: killed ? action.reason : `${action.reason}; no such session`, ...recordField(record) });
          break;
        }
        case "start": {
          const a = byName.get(action.agent);
          if (!a) break;
          // A restart replaces the session (force kills it inside startAgent): keep its screen first.
          const record = recorded.has(a.name)
            ? recorded.get(a.name)
            : action.restart
              ? await saveRecord(fleet, tmux, a, { event: "restarted", action: "start", reason: action.reason })
              : undefined;
          actor.observer?.forget(a.session);
          const r = await startAgent({ fleet, tmux, say: (l) => log.event("warn", { agent: a.name, action: "launch", reason: l }) }, a, { force: action.force, phase: action.phase, resume: action.resume });
          // A restart that found the session already back (someone ran `up`) restarted nothing.
          log.event(action.restart && r.started ? "warn" : "info", {
            agent: a.name,
            action: !r.started ? "start-skipped" : action.restart ? "restarted" : "started",
            reason: action.reason,
            detail: r.detail,
            ...recordField(record),
          });
          const d = r.delivered.catch(() => undefined);
          actor.inFlight.add(d);
          void d.finally(() => actor.inFlight.delete(d));
          break;
        }
        case "keys": {
          const a = byName.get(action.agent);
          if (!a) break;
          await tmux.sendKeys(a.session, action.keys);
          log.event("info", { agent: a.name, action: action.event ?? "answered-dialog", reason: action.reason, keys: action.keys });
          break;
        }
        case "ping":
          doPing(actor, action);
          break;
        case "park": {
          const a = byName.get(action.agent);
          const record = a ? await saveRecord(fleet, tmux, a, { event: "parked", action: "park", reason: action.reason }) : undefined;
          park(fleet, action.agent, action.reason);
          log.event("error", { agent: action.agent, action: "parked", reason: `${action.reason} (run \`agents up ${action.agent}\` to retry)`, ...recordField(record) });
          break;
        }
        case "set-phase":
          writePhaseIndex(fleet, action.index);
          log.event("info", { action: "phase-advanced", reason: action.reason, index: action.index, phase: fleet.loop.phases[action.index]?.id });
          break;
        case "mark-complete":
          markSequenceComplete(fleet);
          log.event("info", { action: "sequence-complete", reason: action.reason });
          break;
        case "clear-complete":
          clearSequenceComplete(fleet);
          log.event("info", { action: "sequence-resumed", reason: action.reason });
          break;
        case "consume-trigger": {
          consumeOnCompleteTrigger(fleet);
          log.event("info", { action: "on-complete-triggered", reason: action.reason });
          break;
        }
      }
    } catch (err) {
      log.event("error", { agent: "agent" in action ? action.agent : undefined, action: `${action.type}-failed`, reason: (err as Error).message });
    }
  }
}
