// Numbers in range (issue 10): every seconds key has an upper bound, so no value can overflow a
// timer into a busy loop; phase ids are unique. One line per problem, naming the key.
import { describe, expect, test } from "vitest";
import { MINIMAL, project } from "../helpers/project.js";

const DAY = 86_400;
const MONTH = 30 * DAY;
const DAY_MSG = `must be at most ${DAY} seconds (1 day)`;
const MONTH_MSG = `must be at most ${MONTH} seconds (30 days)`;
const AGENT = `[[agent]]\nname = "a"\n`;

/** A config with `key = value` in its table. */
function withKey(table: string, key: string, value: string): string {
  if (table === "wake") return `${MINIMAL}${AGENT}wake = { ${key} = ${value}, prompt_file = "w.md" }\n`;
  if (table === "handoff") return `${MINIMAL}${AGENT}[loop.handoff]\n${key} = ${value}\n`;
  return `${MINIMAL}${AGENT}[${table}]\n${key} = ${value}\n`;
}

describe("seconds keys are bounded", () => {
  // [table, key, value, the problem, or undefined when it loads]
  test.each<[string, string, string, string | undefined]>([
    ["watchdog", "signal_interval", `${DAY}`, undefined],
    ["watchdog", "signal_interval", `${DAY + 1}`, DAY_MSG],
    // Node's timer limit, where the watchdog turned into a busy loop.
    ["watchdog", "signal_interval", "2147484", DAY_MSG],
    ["watchdog", "signal_interval", "0.05", undefined],
    ["watchdog", "heavy_interval", `${DAY + 1}`, DAY_MSG],
    ["watchdog", "stall_grace", `${DAY + 1}`, DAY_MSG],
    ["watchdog", "stall_grace", "0", undefined],
    ["watchdog", "limit_probe_fallback", `${DAY + 1}`, DAY_MSG],
    ["watchdog", "limit_reset_slack", `${DAY + 1}`, DAY_MSG],
    ["watchdog", "restart_window", `${DAY + 1}`, DAY_MSG],
    ["watchdog", "restart_backoff", `${DAY + 1}`, DAY_MSG],
    ["watchdog", "restart_backoff_max", `${DAY + 1}`, DAY_MSG],
    ["watchdog", "ping_timeout", `${DAY + 1}`, DAY_MSG],
    ["watchdog", "limit_max_hold", `${MONTH}`, undefined],
    ["watchdog", "limit_max_hold", `${MONTH + 1}`, MONTH_MSG],
    ["backend.demo", "stall_idle", "1000000", undefined],
    ["backend.demo", "stall_idle", `${MONTH + 1}`, MONTH_MSG],
    ["backend.demo", "log_grace", `${DAY + 1}`, DAY_MSG],
    ["backend.demo", "connect_delay", `${DAY + 1}`, DAY_MSG],
    ["wake", "interval", `${MONTH}`, undefined],
    ["wake", "interval", `${MONTH + 1}`, MONTH_MSG],
    // A key that narrows the shared bound reports only its own, tighter one.
    ["handoff", "fetch_timeout", `${DAY + 1}`, "must be at most 3600 seconds (1 hour)"],
  ])("[%s] %s = %s", (table, key, value, problem) => {
    const p = project(withKey(table, key, value), { "w.md": "wake\n" });
    const at = table === "wake" ? `agent[0](a).wake.${key}` : table === "handoff" ? `loop.handoff.${key}` : `${table}.${key}`;
    if (problem === undefined) expect(() => p.load()).not.toThrow();
    else expect(p.errors()).toEqual([`${p.file}: ${at}: ${problem}`]);
  });

  test.each([["inf"], ["+inf"], ["nan"]])("%s is not a number of seconds", (value) => {
    const p = project(withKey("watchdog", "signal_interval", value));
    const lines = p.errors();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${p.file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: watchdog\\.signal_interval: `));
  });
});

describe("phase ids are unique", () => {
  const phases = (...ids: string[]) =>
    `${MINIMAL}[loop]\nphases = [\n${ids.map((id) => `  { id = "${id}", status = "${id}-STATUS.md" },`).join("\n")}\n]\n`;
  test.each<[string, string[], string[]]>([
    ["distinct ids", ["P1", "P2"], []],
    ["the second P1", ["P1", "P1"], ['loop.phases[1].id: duplicate phase id "P1"']],
    ["every repeat, each at its own index", ["P1", "P2", "P1", "P2", "P1"], [
      'loop.phases[2].id: duplicate phase id "P1"',
      'loop.phases[3].id: duplicate phase id "P2"',
      'loop.phases[4].id: duplicate phase id "P1"',
    ]],
  ])("%s", (_why, ids, lines) => {
    const p = project(phases(...ids));
    if (lines.length === 0) expect(p.load().loop.phases.map((ph) => ph.id)).toEqual(ids);
    else expect(p.errors()).toEqual(lines.map((l) => `${p.file}: ${l}`));
  });
});
