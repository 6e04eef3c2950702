// The Tmux wrapper against the in-memory server (test/helpers/fake-tmux.ts): how list-panes output
// becomes PaneInfo, and that every command targets a session exactly, never by prefix.
import { describe, expect, it } from "vitest";
import { Tmux } from "../../src/tmux/tmux.js";
import { FakeTmux } from "../helpers/fake-tmux.js";

const T = 1_790_000_000; // epoch seconds

function setup() {
  const fake = new FakeTmux({ now: () => T * 1000 });
  return { fake, tmux: new Tmux({ transport: fake }) };
}

describe("listPanes", () => {
  it("asks for every pane once, with the fields tab-separated and the free-text title last", async () => {
    const { fake, tmux } = setup();
    fake.add("a");
    await tmux.listPanes();
    expect(fake.calls.map((c) => c.args)).toEqual([
      [
        "list-panes",
        "-a",
        "-F",
        [
          "#{session_name}",
          "#{pane_pid}",
          "#{pane_current_command}",
          "#{pane_dead}",
          "#{pane_dead_status}",
          "#{pane_dead_signal}",
          "#{window_activity}",
          "#{session_created}",
          "#{pane_index}",
          "#{pane_title}",
        ].join("\t"),
      ],
    ]);
  });

  it("reads every field of a live pane", async () => {
    const { fake, tmux } = setup();
    fake.add("t-builder", { pid: 4242, command: "claude", activity: T - 5, created: T - 600, title: "✳ Working" });
    expect(await tmux.listPanes()).toEqual([
      { session: "t-builder", pid: 4242, command: "claude", dead: false, deadStatus: undefined, activity: T - 5, created: T - 600, title: "✳ Working" },
    ]);
  });

  it("keeps a title with tabs (and an empty one) whole", async () => {
    const { fake, tmux } = setup();
    fake.add("tabs", { title: "a\tb\t\tc\t" });
    fake.add("none", { title: "" });
    const panes = await tmux.listPanes();
    expect(panes.find((p) => p.session === "tabs")!.title).toBe("a\tb\t\tc\t");
    expect(panes.find((p) => p.session === "none")!.title).toBe("");
  });

  it("a split session is one entry: its lowest pane index, wherever tmux lists it", async () => {
    const { fake, tmux } = setup();
    fake.add("split-after", { pid: 10, command: "agent", splits: [{ pid: 11, command: "vim" }] });
    // Main pane renumbered to 2 and listed first; the pane with index 0 comes later in the output.
    fake.add("split-before", { index: 2, pid: 20, command: "vim", splits: [{ index: 0, pid: 21, command: "agent" }, { index: 1, pid: 22 }] });
    const panes = await tmux.listPanes();
    expect(panes.map((p) => [p.session, p.pid, p.command])).toEqual([
      ["split-after", 10, "agent"],
      ["split-before", 21, "agent"],
    ]);
  });

  it("a dead pane carries its exit status; a live one has none", async () => {
    const { fake, tmux } = setup();
    fake.add("crashed");
    fake.exit("crashed", 3);
    fake.add("clean");
    fake.exit("clean", 0);
    fake.add("alive", { deadStatus: 9 }); // only printed while dead, as tmux does
    const byName = new Map((await tmux.listPanes()).map((p) => [p.session, p]));
    expect([byName.get("crashed")!.dead, byName.get("crashed")!.deadStatus]).toEqual([true, 3]);
    expect([byName.get("clean")!.dead, byName.get("clean")!.deadStatus]).toEqual([true, 0]);
    expect([byName.get("alive")!.dead, byName.get("alive")!.deadStatus]).toEqual([false, undefined]);
  });

  it("a pane whose process a signal ended carries the signal and no status", async () => {
    const { fake, tmux } = setup();
    fake.add("killed");
    fake.signal("killed", 9);
    fake.add("alive", { deadSignal: 15 }); // only printed while dead
    const byName = new Map((await tmux.listPanes()).map((p) => [p.session, p]));
    expect([byName.get("killed")!.dead, byName.get("killed")!.deadStatus, byName.get("killed")!.deadSignal]).toEqual([true, undefined, 9]);
    expect(byName.get("alive")!.deadSignal).toBeUndefined();
  });

  it("a failed list-panes or no server at all is an empty list", async () => {
    const { fake, tmux } = setup();
    expect(await tmux.listPanes()).toEqual([]); // no sessions: "no server running"
    expect(fake.calls.at(-1)!.code).toBe(1);
    fake.add("a");
    fake.fail("list-panes", "lost server");
    expect(await tmux.listPanes()).toEqual([]);
    // Whatever a failed call printed before it failed is not trusted either.
    fake.respond("list-panes", { code: 1, stdout: "a\t7\tbash\t0\t\t\t100\t50\t0\t", stderr: "server exited unexpectedly" });
    expect(await tmux.listPanes()).toEqual([]);
    fake.restore("list-panes");
    expect((await tmux.listPanes()).map((p) => p.session)).toEqual(["a"]);
  });

  it("skips lines it cannot parse and keeps the rest", async () => {
    const { fake, tmux } = setup();
    fake.respond("list-panes", { stdout: ["garbage", "", "ok\t7\tbash\t0\t\t\t100\t50\t0\tt"].join("\n") });
    expect(await tmux.listPanes()).toEqual([
      { session: "ok", pid: 7, command: "bash", dead: false, deadStatus: undefined, activity: 100, created: 50, title: "t" },
    ]);
  });
});

describe("exact targets", () => {
  it("the fake, like tmux, lets a bare name hit another session by prefix", async () => {
    const { fake } = setup();
    fake.add("proj-a3");
    expect((await fake.run(["has-session", "-t", "proj-a"])).code).toBe(0);
  });

  it("session commands use =name and never match a prefix", async () => {
    const { fake, tmux } = setup();
    fake.add("proj-a3");
    expect(await tmux.hasSession("proj-a")).toBe(false);
    expect(await tmux.killSession("proj-a")).toBe(false);
    expect([...fake.sessions.keys()]).toEqual(["proj-a3"]);
    expect(await tmux.hasSession("proj-a3")).toBe(true);
    expect(fake.history()).toEqual(["has-session -t =proj-a", "kill-session -t =proj-a", "has-session -t =proj-a3"]);
  });

  it("pane commands use =name: and never match a prefix", async () => {
    const { fake, tmux } = setup();
    fake.add("proj-a3", { text: "not yours\n" });
    expect(await tmux.capture("proj-a")).toBeUndefined();
    expect((await tmux.sendText("proj-a", "hi")).code).toBe(1);
    expect((await tmux.sendKeys("proj-a", ["Enter"])).code).toBe(1);
    expect((await tmux.pipeToFile("proj-a", "/x/log")).code).toBe(1);
    expect((await tmux.setWindowOption("proj-a", "remain-on-exit", "on")).code).toBe(1);
    expect(fake.get("proj-a3").sent).toEqual([]);
    expect(fake.get("proj-a3").pipe).toBeUndefined();
    expect(fake.get("proj-a3").options).toEqual({});
    for (const call of fake.calls) expect(call.args.slice(call.args.indexOf("-t"), call.args.indexOf("-t") + 2)).toEqual(["-t", "=proj-a:"]);
  });

  it("on the right session each command does its job", async () => {
    const { fake, tmux } = setup();
    fake.add("a", { text: "line 1\nline 2\n" });
    expect(await tmux.capture("a")).toBe("line 1\nline 2");
    expect(await tmux.capture("a", { history: 200 })).toBe("line 1\nline 2");
    await tmux.sendText("a", "-starts with a dash");
    await tmux.sendKeys("a", ["Escape", "Enter"]);
    await tmux.pipeToFile("a", "/logs/a b.log");
    await tmux.setWindowOption("a", "remain-on-exit", "on");
    const a = fake.get("a");
    expect(a.sent.map(({ literal, keys }) => ({ literal, keys }))).toEqual([
      { literal: true, keys: ["-starts with a dash"] },
      { literal: false, keys: ["Escape", "Enter"] },
    ]);
    expect(a.pipe).toBe("exec cat >> '/logs/a b.log'");
    expect(a.options).toEqual({ "remain-on-exit": "on" });
    expect(fake.history()).toEqual([
      "capture-pane -p -t =a:",
      "capture-pane -p -S -200 -t =a:",
      "send-keys -t =a: -l -- -starts with a dash",
      "send-keys -t =a: -- Escape Enter",
      "pipe-pane -o -t =a: exec cat >> '/logs/a b.log'",
      "set-option -w -t =a: remain-on-exit on",
    ]);
  });
});

describe("newSession / killServer", () => {
  it("starts a detached session with its dir, size, env and command", async () => {
    const { fake, tmux } = setup();
    const r = await tmux.newSession({ name: "t-a", cwd: "/work/p", command: "claude --model 'x y'", env: { A: "1", B: "two=2" } });
    expect(r.code).toBe(0);
    expect(fake.history()).toEqual(["new-session -d -s t-a -c /work/p -x 200 -y 50 -e A=1 -e B=two=2 claude --model 'x y'"]);
    const s = fake.get("t-a");
    expect([s.cwd, s.width, s.height, s.env, s.startCommand, s.command]).toEqual(["/work/p", 200, 50, { A: "1", B: "two=2" }, "claude --model 'x y'", "claude"]);
    expect((await tmux.newSession({ name: "t-a", cwd: "/", command: "x" })).code).toBe(1);
  });

  it("killServer ends every session; the next listPanes is empty", async () => {
    const { fake, tmux } = setup();
    fake.add("a");
    fake.add("b");
    await tmux.killServer();
    expect(fake.sessions.size).toBe(0);
    expect(await tmux.listPanes()).toEqual([]);
  });
});
