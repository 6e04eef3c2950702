// Notifications end to end: a real watchdog on a private tmux server, a crash-looping demo agent,
// and a real HTTP server on 127.0.0.1 as both the webhook and the ntfy endpoint, plus a command
// sink writing what it reads on stdin to a file.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TestFleet, baseToml, sleep, useTestFleet, waitFor } from "../watchdog/harness.js";
import { tempDir } from "../helpers/tmp.js";

interface Hit {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** One server for both endpoints: `mode` says how it answers (ok, 500, or never). */
class Endpoint {
  hits: Hit[] = [];
  mode: "ok" | "fail" | "hang" = "ok";
  private server: Server;
  private hung: (() => void)[] = [];
  port = 0;
  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (this.mode === "hang") {
          this.hung.push(() => res.destroy());
          return;
        }
        if (this.mode === "fail") {
          res.writeHead(500).end("down");
          return;
        }
        this.hits.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200).end("ok");
      });
    });
  }
  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }
  url(p: string): string {
    return `http://127.0.0.1:${this.port}${p}`;
  }
  webhook(event?: string): Record<string, unknown>[] {
    return this.hits
      .filter((h) => h.path.startsWith("/hook/"))
      .map((h) => JSON.parse(h.body) as Record<string, unknown>)
      .filter((j) => event === undefined || j.event === event);
  }
  ntfy(): Hit[] {
    return this.hits.filter((h) => h.path === "/ntfy/topic");
  }
  async close(): Promise<void> {
    for (const h of this.hung) h();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let endpoint: Endpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});
const fleets = useTestFleet();

const crashAgent = (name: string) => `[[agent]]\nname = "${name}"\nwatch = "heal"\nprompt = "go"\nenv = { DEMO_EXIT = "1" }\n`;

function commandLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("notifications from a running watchdog", () => {
  it("a parked agent is notified once to every sink, repeats are not resent, and a down endpoint is retried without holding up the watchdog", async () => {
    endpoint = await new Endpoint().listen();
    const out = path.join(tempDir("notify-cmd"), "events.jsonl");
    const toml = `${baseToml({ watchdog: { restart_budget: 3 } })}
[notify]
webhook = "${endpoint.url("/hook/secret-token")}"
ntfy = "${endpoint.url("/ntfy/topic")}"
command = "cat >> '${out}'"

${crashAgent("crash")}
${crashAgent("crash2")}
`;
    const fleet = fleets.set(new TestFleet(toml));
    // crash2 waits, parked by `down`, until the endpoint is down (no event: the CLI parked it).
    expect((await fleet.cli(["down", "crash2"])).exitCode).toBe(0);
    fleet.watchdog();

    // 1. One `parked`, to all three sinks, with agent, reason and the forensic record's name.
    const parked = await waitFor("parked notification", () => endpoint!.webhook("parked")[0], 40_000);
    expect(parked).toMatchObject({ fleet: "t", agent: "crash", event: "parked", record: expect.anything() });
    expect(Object.keys(parked).sort()).toEqual(["agent", "event", "fleet", "reason", "record", "summary", "text", "time"]);
    expect(String(parked.reason)).toMatch(/^3 restarts in 600s/);
    expect(parked.text).toBe(parked.summary);
    expect(String(parked.summary)).toMatch(/^\[t\] crash parked/);
    // The record is a file name under the state dir's records folder (death forensics).
    expect(String(parked.record)).not.toContain("/");
    expect(existsSync(path.join(fleet.dir, ".state/state/records", String(parked.record)))).toBe(true);
    const started = endpoint.webhook("watchdog-started");
    expect(started).toHaveLength(1);
    const ntfy = await waitFor("ntfy parked", () => endpoint!.ntfy().find((h) => String(h.headers.title).includes("parked")));
    expect(ntfy.body).toBe(parked.summary);
    expect(ntfy.headers.priority).toBe("4");
    expect(String(ntfy.headers.tags)).toContain("parked");
    const viaCommand = await waitFor("command sink", () => commandLines(out).find((j) => j.event === "parked"));
    expect(viaCommand).toEqual(parked);

    // 2. Parked again inside dedup_window: logged, not resent.
    expect((await fleet.cli(["up", "crash"])).exitCode).toBe(0);
    await waitFor("parked again", () => fleet!.eventsFor("crash", "parked").length === 2 || undefined, 40_000);
    await sleep(1500);
    expect(endpoint.webhook("parked")).toHaveLength(1);
    expect(commandLines(out).filter((j) => j.event === "parked")).toHaveLength(1);

    // 3. Endpoint down: the webhook answers 500 and ntfy never answers. Another agent is parked.
    endpoint.mode = "fail";
    const ticksBefore = fleet.events().filter((e) => e.action === "tick").length;
    expect((await fleet.cli(["up", "crash2"])).exitCode).toBe(0);
    await waitFor("crash2 parked", () => fleet!.eventsFor("crash2", "parked")[0], 40_000);
    // The command sink does not depend on the endpoint: it has it at once.
    await waitFor("command sink crash2", () => commandLines(out).find((j) => j.agent === "crash2" && j.event === "parked"));
    const failed = await waitFor("notify-failed logged", () => fleet!.events().find((e) => e.action === "notify-failed" && String(e.sink).startsWith("webhook")));
    expect(String(failed.reason)).toMatch(/HTTP 500/);
    endpoint.mode = "hang";
    const st = await waitFor("status shows the failing webhook", async () => {
      const s = JSON.parse((await fleet!.cli(["status", "--json"])).stdout) as { notify: Record<string, unknown>[] };
      const hook = s.notify.find((n) => String(n.sink).startsWith("webhook"));
      return hook && hook.ok === false && Number(hook.failures) >= 2 ? s : undefined;
    });
    const hook = st.notify.find((n) => String(n.sink).startsWith("webhook"))!;
    expect(hook).toMatchObject({ sink: `webhook http://127.0.0.1:${endpoint.port}/…`, ok: false, pending: expect.any(Number) });
    expect(Number(hook.pending)).toBeGreaterThanOrEqual(1);
    expect(String(hook.lastError)).toMatch(/HTTP 500|timed out/);
    expect(st.notify.find((n) => String(n.sink).startsWith("command"))).toMatchObject({ ok: true, pending: 0 });
    // Secrets never reach the status, the events log or the outbox.
    const human = (await fleet.cli(["status"])).stdout;
    expect(human).toMatch(/notify: webhook http:\/\/127\.0\.0\.1:\d+\/… FAILING since /);
    for (const text of [JSON.stringify(st), human, fleet.read(".state/t-watchdog.events.jsonl")!, fleet.read(".state/state/notify.json")!]) {
      expect(text).not.toContain("secret-token");
      expect(text).not.toContain("/ntfy/topic");
    }
    // The watchdog goes on meanwhile: ticks and the heartbeat move while deliveries hang and fail.
    const hb1 = JSON.parse(fleet.read(".state/state/watchdog.json")!).heartbeat as number;
    await sleep(2500);
    const hb2 = JSON.parse(fleet.read(".state/state/watchdog.json")!).heartbeat as number;
    expect(hb2).toBeGreaterThan(hb1);
    expect(fleet.events().filter((e) => e.action === "tick").length).toBeGreaterThan(ticksBefore + 2);
    expect(fleet.events().filter((e) => e.action === "notify-failed" && String(e.sink).startsWith("webhook"))).toHaveLength(1);

    // 4. Back up: what was owed arrives, once, and recovery is logged.
    endpoint.mode = "ok";
    const late = await waitFor("crash2 parked delivered", () => endpoint!.webhook("parked").find((j) => j.agent === "crash2"), 60_000);
    expect(late).toMatchObject({ event: "parked", agent: "crash2" });
    await waitFor("recovered", () => fleet!.events().find((e) => e.action === "notify-recovered" && String(e.sink).startsWith("webhook")), 30_000);
    await waitFor("ntfy delivered", () => endpoint!.ntfy().find((h) => String(h.headers.title).includes("crash2")), 30_000);
    expect(endpoint.webhook("parked").filter((j) => j.agent === "crash2")).toHaveLength(1);
    const after = JSON.parse((await fleet.cli(["status", "--json"])).stdout) as { notify: Record<string, unknown>[] };
    expect(after.notify.find((n) => String(n.sink).startsWith("webhook"))).toMatchObject({ ok: true, failures: 0, pending: 0 });
  }, 180_000);
});

describe("agents notify test", () => {
  it("sends a test event to every sink and reports each: one ok, one failing (exit 1)", async () => {
    endpoint = await new Endpoint().listen();
    const out = path.join(tempDir("notify-cmd"), "test.json");
    const fleet = fleets.set(new TestFleet(`${baseToml()}
[notify]
webhook = ["${endpoint.url("/hook/secret-token")}", "http://127.0.0.1:9/hook/other-secret"]
command = "cat > '${out}'"
events = ["parked"]
`));
    const r = await fleet.cli(["notify", "test"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`ok       webhook http://127.0.0.1:${endpoint.port}/…`);
    expect(lines[1]).toMatch(/^FAILED {3}webhook http:\/\/127\.0\.0\.1:9\/…: \S/);
    expect(lines[2]).toBe("ok       command cat …");
    expect(r.stdout + r.stderr).not.toMatch(/secret/);
    const got = endpoint.webhook("test");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ fleet: "t", agent: null, event: "test", record: null });
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(got[0]);
  });

  it("all sinks ok: exit 0; no sinks: exit 2 with one clear line", async () => {
    endpoint = await new Endpoint().listen();
    const ok = fleets.set(new TestFleet(`${baseToml()}\n[notify]\nntfy = "${endpoint.url("/ntfy/topic")}"\n`));
    const r = await ok.cli(["notify", "test"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`ok       ntfy http://127.0.0.1:${endpoint.port}/…`);
    expect(endpoint.ntfy()[0]!.headers.title).toBe("t: test");
    ok.write("agents.toml", baseToml());
    const bare = await ok.cli(["notify", "test"]);
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr.trim()).toMatch(/^agents: .*agents\.toml: notify: no sinks configured \(set webhook, ntfy, command or desktop in \[notify\]\)$/);
  });
});
