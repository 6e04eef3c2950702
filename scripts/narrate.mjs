#!/usr/bin/env node
// A [notify] command sink for the demo fleet (demo/fleet.toml): the event JSON on stdin (README
// "Notifications"), one human line appended to the file named by the first argument, e.g.
//   09:41:07  builder crashed (its session is gone) → restarted; forensic record builder-restarted-….json
// Dependency-free (node only). A line that cannot be written is a non-zero exit: the watchdog logs
// a failed delivery and retries it.
import { appendFileSync, readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node scripts/narrate.mjs <narration file>  (the event JSON on stdin)");
  process.exit(2);
}

/** HH:MM:SS in local time, as the operator's clock shows it. */
function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "--:--:--" : d.toTimeString().slice(0, 8);
}

/** Why an agent was restarted, from the watchdog's reason, in the story's words. */
function restartCause(reason) {
  let m;
  if (reason === "session missing") return "crashed (its session is gone)";
  if ((m = /^pane exited \(status (\d+)\)/.exec(reason))) return `crashed (exit ${m[1]})`;
  if ((m = /^pane exited \(signal (\w+)\)/.exec(reason))) return `was killed (${m[1]})`;
  if ((m = /^fatal: (.*)/.exec(reason))) return `showed a fatal error (${m[1]})`;
  if (/WAITING-UNTIL|quiet|idle/i.test(reason)) return `stalled (${reason})`;
  return `needed a restart (${reason})`;
}

/** A hold's reason ("usage limit; banner says reset T; holding until U", or an account's) in short. */
function limitHold(who, reason) {
  const until = /until (\S+?)\.?$/.exec(reason)?.[1];
  const reset = /says reset (.+?)(?:;| and )/.exec(reason)?.[1];
  const also = /holding (.+) too until/.exec(reason)?.[1];
  if (also) return `${who}'s usage limit holds its whole account: ${also} held too${until ? ` until ${clock(until)}` : ""}`;
  if (until && reset) return `${who} hit a usage limit (reset ${reset}) → held until ${clock(until)}, not restarted`;
  return `${who} hit a usage limit → held, not restarted (${reason})`;
}

/** The story's line for one event; the product's own summary for anything unforeseen. */
function narrate(e) {
  const who = e.agent ?? "the fleet";
  const record = e.record ? `; forensic record ${e.record}` : "";
  switch (e.event) {
    case "restarted":
      return `${who} ${restartCause(e.reason)} → restarted${record}`;
    case "limit-hold":
      return limitHold(who, e.reason);
    case "limit-resumed":
      return e.agent ? `${who}'s usage-limit hold is over: ${e.reason}` : `usage-limit hold over: ${e.reason}`;
    case "phase-advanced":
      return `phase advanced on DONE: ${e.reason}`;
    case "sequence-complete":
      return `every phase is done: ${e.reason}`;
    case "parked":
      return `${who} parked: the watchdog gave up healing it (${e.reason})${record}`;
    case "watchdog-started":
      return `watchdog started: supervising the fleet`;
    case "watchdog-stopped":
      return `watchdog stopped (${e.reason})`;
    default:
      return e.summary ?? `${e.event}: ${e.reason}`;
  }
}

const input = readFileSync(0, "utf8");
let event;
try {
  event = JSON.parse(input);
} catch {
  console.error(`narrate: stdin is not one JSON event: ${input.slice(0, 80)}`);
  process.exit(2);
}
appendFileSync(file, `${clock(event.time)}  ${narrate(event)}\n`);
