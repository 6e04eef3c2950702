import { describe, expect, it } from "vitest";
import { loadConfigText } from "../../src/config/load.js";
import { classify } from "../../src/detect/classify.js";

const fleet = loadConfigText(
  "/tmp/agents-shell-exit.toml",
  `[defaults]
session_prefix = "x-"
log_dir = ".s"
[backend.loop]
bin = "bash -c 'while :; do sleep 5; done'"
prompt_delivery = "exec"
active_re = "working"
[backend.withproc]
bin = "thing"
process_name = "thing"
`,
);

describe("a shell in the pane", () => {
  it("is not 'exited' for a backend with no process_name (the shell may be the agent)", () => {
    const b = fleet.backends.loop!;
    expect(b.shell_commands).toEqual([]);
    expect(classify({ text: "", command: "bash" }, b, new Date()).state).not.toBe("exited");
  });
  it("is 'exited' for a backend that names its process", () => {
    const b = fleet.backends.withproc!;
    expect(classify({ text: "$", command: "bash" }, b, new Date()).state).toBe("exited");
  });
  it("is 'exited' for the claude preset", () => {
    expect(classify({ text: "$", command: "bash" }, fleet.backends.claude!, new Date()).state).toBe("exited");
  });
});
