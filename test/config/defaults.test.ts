// Every default the schema fills in, checked on a fully loaded fleet (what the rest of the code sees).
import { describe, expect, test } from "vitest";
import { PRESETS } from "../../src/config/presets.js";
import { BACKEND_DEFAULTS } from "../../src/config/schema.js";
import { MINIMAL, project } from "../helpers/project.js";

const ONE_AGENT = `${MINIMAL}
[[agent]]
name = "solo"
`;

describe("schema defaults", () => {
  test("[watchdog] timings default to the reference's values", () => {
    const w = project(ONE_AGENT).load().watchdog;
    expect(w.signal_interval).toBe(30);
    expect(w.heavy_interval).toBe(300);
    expect(w.stall_grace).toBe(180);
    expect(w.limit_probe_fallback).toBe(300);
    expect(w.limit_reset_slack).toBe(45);
  });

  test("a partial [watchdog] table keeps the defaults of the keys it leaves out", () => {
    const w = project(`${ONE_AGENT}\n[watchdog]\nsignal_interval = 5\n`).load().watchdog;
    expect(w.signal_interval).toBe(5);
    expect(w.heavy_interval).toBe(300);
    expect(w.stall_grace).toBe(180);
  });

  test("[loop] defaults: state_file, roles_dir, done_marker, auto_advance, no phases", () => {
    const loop = project(ONE_AGENT).load().loop;
    expect(loop.state_file).toBe("phase-idx");
    expect(loop.roles_dir).toBe("prompts");
    expect(loop.done_marker).toBe("## DONE");
    expect(loop.auto_advance).toBe(true);
    expect(loop.phases).toEqual([]);
    expect(loop.kickoff_template).toBeUndefined();
    expect(loop.handoff).toBeUndefined();
  });

  test("[loop.handoff] fills every key it does not set", () => {
    const p = project(`${ONE_AGENT}\n[loop.handoff]\nrepo = "../shared-repo"\n`);
    expect(p.load().loop.handoff).toEqual({
      repo: "../shared-repo",
      state_subdir: "machine-docs",
      claim_pattern: "^claim",
      review_pattern: "^review",
      claim_pings: "adversary",
      review_pings: "builder",
      inboxes: [],
      branch: "main",
      fetch_timeout: 60,
    });
  });

  test("[loop.on_complete] trigger_file defaults to .run-on-complete", () => {
    const p = project(`${ONE_AGENT}\n[loop.on_complete]\nrun = "solo"\n`);
    expect(p.load().loop.on_complete).toEqual({ run: "solo", trigger_file: ".run-on-complete" });
  });

  test("a phase without a plan gets an empty plan", () => {
    const p = project(`${ONE_AGENT}\n[loop]\nphases = [{ id = "P1", status = "s.md" }]\n`);
    expect(p.load().loop.phases).toEqual([{ id: "P1", plan: "", status: "s.md" }]);
  });

  test("agent defaults: kind persistent, enabled, watch none, no resume, session = prefix + name", () => {
    const a = project(ONE_AGENT).load().agents[0]!;
    expect(a).toMatchObject({
      name: "solo",
      session: "t-solo",
      kind: "persistent",
      enabled: true,
      watch: "none",
      resume: false,
      model: "",
      backendName: "demo",
    });
    expect(a.prompt).toBeUndefined();
    expect(a.promptFile).toBeUndefined();
    expect(a.wake).toBeUndefined();
  });

  test("one-shot spellings mean kind task", () => {
    const p = project(`${MINIMAL}
[[agent]]
name = "a"
kind = "oneshot"
[[agent]]
name = "b"
kind = "one-shot"
[[agent]]
name = "c"
kind = "task"
`);
    expect(p.load().agents.map((a) => a.kind)).toEqual(["task", "task", "task"]);
  });

  test("a wake schedule without interval or cron wakes hourly", () => {
    const p = project(`${ONE_AGENT}wake = { prompt_file = "wake.md" }\n`, { "wake.md": "wake up\n" });
    expect(p.load().agents[0]!.wake).toEqual({ promptFile: `${p.dir}/wake.md`, interval: 3600, cron: undefined });
  });

  test("the watchdog session is prefix + watchdog; the fleet has log_dir but no state paths (src/state/paths.ts derives them)", () => {
    const p = project(ONE_AGENT);
    const f = p.load();
    expect(f.watchdogSession).toBe("t-watchdog");
    expect(f.logDir).toBe(`${p.dir}/.state`);
    expect(f).not.toHaveProperty("stateDir");
    expect(f.tmuxSocket).toBeUndefined();
    expect(f.warnings).toEqual([]);
  });

  test("services: session = prefix + name, dir = project dir, enabled", () => {
    const p = project(`${ONE_AGENT}\n[[service]]\nname = "web"\ncommand = "npm run dev"\n`);
    expect(p.load().services).toEqual([
      { name: "web", session: "t-web", command: "npm run dev", dir: p.dir, enabled: true, env: {} },
    ]);
  });

  test("a backend table that names no preset gets BACKEND_DEFAULTS for every field it leaves out", () => {
    const p = project(`${MINIMAL}\n[backend.mine]\nbin = "mine-cli"\n[[agent]]\nname = "a"\nbackend = "mine"\n`);
    const b = p.load().backends.mine!;
    expect(b.bin).toBe("mine-cli");
    expect(b.name).toBe("mine");
    for (const [k, v] of Object.entries(BACKEND_DEFAULTS)) expect(b[k as keyof typeof b], k).toEqual(v);
    expect(b.env).toEqual({});
    expect(b.process_name).toBeUndefined();
  });

  test("the reference's backend defaults: arg delivery, quoted model/resume templates, 12 s connect delay", () => {
    // agents.py falls back to these when a [backend.X] table leaves them out.
    expect(BACKEND_DEFAULTS).toMatchObject({
      prompt_delivery: "arg",
      model_flag: "--model '{model}'",
      resume_flag: "--resume '{id}'",
      remote_control_flag: "--remote-control '{session}'",
      attach: "{bin}",
      connect_delay: 12,
      stall_idle: 300,
      log_grace: 180,
      footer_ui: false,
      supports_resume: false,
    });
  });

  test("every built-in preset is available without a [backend.X] table", () => {
    const f = project(ONE_AGENT).load();
    for (const name of Object.keys(PRESETS)) {
      expect(f.backends[name], name).toBeDefined();
      expect(f.backends[name]!.bin, name).toBe(PRESETS[name]!.bin);
    }
    expect(Object.keys(PRESETS)).toEqual(expect.arrayContaining(["demo", "claude", "codex", "opencode", "gemini"]));
  });
});
