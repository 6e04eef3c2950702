// What an agent is told at start: loop kickoff = rendered template + role prompt, for the
// current phase, with the phase's model override.
import { rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { agentModel, buildKickoff } from "../../src/fleet/kickoff.js";
import { readPhaseIndex, writePhaseIndex } from "../../src/state/phase.js";
import { kickoffFile, resumeIdFile, sessionLogFile } from "../../src/state/paths.js";
import { fifo, timed } from "../helpers/fifo.js";
import { project } from "../helpers/project.js";

const TOML = `[defaults]
session_prefix = "k-"
log_dir = ".state"
backend = "demo"
model = "base-model"

[loop]
kickoff_template = "prompts/kickoff.md"
roles_dir = "roles"
phases = [
  { id = "P1", plan = "plans/P1.md", status = "status/P1.md" },
  { id = "P2", plan = "plans/P2.md", status = "status/P2.md", models = { builder = "big-model" } },
]

[[agent]]
name = "b"
kind = "loop"
role = "builder"

[[agent]]
name = "r"
kind = "loop"
role = "adversary"
model = "own-model"

[[agent]]
name = "sup"
prompt = "You supervise."

[[agent]]
name = "filed"
kind = "task"
prompt_file = "tasks/t.md"

[[agent]]
name = "bare"
`;

const FILES = {
  "prompts/kickoff.md": "Phase {phase_id} as {role}: plan {plan}, status {status}. Unknown {slot} stays.\n\n",
  "roles/builder.md": "You build. Literal {phase_id} in a role prompt is not a slot.\n",
  "roles/adversary.md": "You review.\n",
  "tasks/t.md": "Do the task in {plan}.\n",
};

function setup(toml = TOML) {
  const p = project(toml, FILES);
  const fleet = p.load();
  const agent = (name: string) => fleet.agents.find((a) => a.name === name)!;
  return { p, fleet, agent };
}

describe("loop kickoff", () => {
  test("template rendered from the current phase, followed by the role prompt", () => {
    const { fleet, agent } = setup();
    expect(buildKickoff(fleet, agent("b"), 0)).toBe(
      "Phase P1 as builder: plan plans/P1.md, status status/P1.md. Unknown {slot} stays.\n\n" +
        "You build. Literal {phase_id} in a role prompt is not a slot.\n",
    );
    expect(buildKickoff(fleet, agent("r"), 0)).toBe(
      "Phase P1 as adversary: plan plans/P1.md, status status/P1.md. Unknown {slot} stays.\n\nYou review.\n",
    );
  });

  test("renders the phase it is given", () => {
    const { fleet, agent } = setup();
    expect(buildKickoff(fleet, agent("b"), 1)).toMatch(/^Phase P2 as builder: plan plans\/P2\.md, status status\/P2\.md\./);
  });

  test("an out-of-range phase index in the state dir is read as the last phase", () => {
    const { fleet, agent } = setup();
    writePhaseIndex(fleet, 9);
    expect(buildKickoff(fleet, agent("b"), readPhaseIndex(fleet))).toMatch(/^Phase P2 /);
  });

  test("without a kickoff_template the kickoff is the role prompt alone", () => {
    const { fleet, agent } = setup(TOML.replace('kickoff_template = "prompts/kickoff.md"\n', ""));
    expect(buildKickoff(fleet, agent("r"), 0)).toBe("You review.\n");
  });

  test("with no phases the slots are empty", () => {
    const { fleet, agent } = setup(TOML.replace(/phases = \[[\s\S]*?\n\]\n/, ""));
    expect(buildKickoff(fleet, agent("b"), 0)).toMatch(/^Phase  as builder: plan , status \. /);
  });
});

describe("prompt files replaced after the config was checked", () => {
  test("a FIFO as the kickoff template, a role prompt or a prompt_file fails the start at once, naming it", () => {
    for (const [rel, name] of [["prompts/kickoff.md", "b"], ["roles/adversary.md", "r"], ["tasks/t.md", "filed"]] as const) {
      const { p, fleet, agent } = setup();
      rmSync(path.join(p.dir, rel));
      fifo(path.join(p.dir, rel));
      const { value: err, ms } = timed(() => {
        try {
          buildKickoff(fleet, agent(name), 0);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      });
      expect(ms, rel).toBeLessThan(1000);
      expect(err?.message, rel).toBe(`${path.join(p.dir, rel)}: is a FIFO (named pipe), not a regular file`);
    }
  });
});

describe("per-phase model overrides", () => {
  test("a phase's models[role] wins over the agent's model, only in that phase", () => {
    const { fleet, agent } = setup();
    expect(agentModel(fleet, agent("b"), 0)).toBe("base-model");
    expect(agentModel(fleet, agent("b"), 1)).toBe("big-model");
  });

  test("roles without an override keep their own model or the default", () => {
    const { fleet, agent } = setup();
    expect(agentModel(fleet, agent("r"), 1)).toBe("own-model");
    expect(agentModel(fleet, agent("sup"), 1)).toBe("base-model");
  });

  test("the phase override also beats an env override, as in the reference", () => {
    const p = project(TOML, FILES);
    const fleet = p.load({ env: { AGENT_MODEL_b: "env-model", AGENT_MODEL_r: "env-model" }, envOverrides: true });
    expect(agentModel(fleet, fleet.agents[0]!, 1)).toBe("big-model");
    expect(agentModel(fleet, fleet.agents[1]!, 1)).toBe("env-model");
  });
});

describe("other kinds", () => {
  test("prompt, prompt_file (read as is, no slots) or nothing", () => {
    const { fleet, agent } = setup();
    expect(buildKickoff(fleet, agent("sup"), 0)).toBe("You supervise.");
    expect(buildKickoff(fleet, agent("filed"), 0)).toBe("Do the task in {plan}.\n");
    expect(buildKickoff(fleet, agent("bare"), 0)).toBe("");
  });
});

describe("state file locations", () => {
  test("kickoff and resume id in the state dir, session log in log_dir", () => {
    const { p, fleet, agent } = setup();
    expect(kickoffFile(fleet, "k-b")).toBe(path.join(p.dir, ".state/state/kickoff-k-b.txt"));
    expect(resumeIdFile(fleet, agent("b").name)).toBe(path.join(p.dir, ".state/state/b.id"));
    expect(sessionLogFile(fleet, "k-b")).toBe(path.join(p.dir, ".state/k-b.log"));
  });
});
