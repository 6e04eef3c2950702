// One handoff reading on real git: a local origin for what the reading holds, and an origin that
// accepts the connection and never answers for the bound (git and its remote helper both hold
// the pipes; the reading must still come back, as a failure, at fetch_timeout).
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import type { Fleet } from "../../src/config/load.js";
import { groupRunning } from "../../src/proc/group.js";
import { readHandoff } from "../../src/watchdog/handoff-git.js";
import { gitPair } from "./harness.js";
import { BASE, fleetFrom } from "./helpers.js";
import { tempDir } from "../helpers/tmp.js";

const LOOP = `[[agent]]\nname = "builder"\nkind = "loop"\nrole = "builder"\n`;

/** A fleet whose handoff repo is `repo` (absolute). */
const fleetFor = (repo: string): Fleet =>
  fleetFrom(`${BASE}\n[loop]\nhandoff = { repo = "${repo}", inboxes = ["to-builder.md"] }\n${LOOP}`);

const sha = async (repo: string, ref: string) => (await execa("git", ["-C", repo, "rev-parse", ref])).stdout.trim();

describe("readHandoff on a local origin", () => {
  it("reads the head, the commits since a base and the inbox files", async () => {
    const git = await gitPair(tempDir("handoff"));
    const fleet = fleetFor(git.clone);
    const first = await readHandoff(fleet, undefined, undefined, { timeoutMs: 30_000 });
    if (!("read" in first)) throw new Error(JSON.stringify(first));
    expect(first.read.commits).toBeUndefined();
    expect(first.read.inboxes).toEqual({ "to-builder.md": undefined });

    await git.push("claim: gate 1");
    await git.push("notes", { "machine-docs/to-builder.md": "look at X\n" });
    const second = await readHandoff(fleet, first.read.head, first.read, { timeoutMs: 30_000 });
    if (!("read" in second)) throw new Error(JSON.stringify(second));
    expect(second.read.head).toBe(await sha(git.origin, "main"));
    expect(second.read.base).toBe(first.read.head);
    expect(second.read.commits!.map((c) => c.subject)).toEqual(["claim: gate 1", "notes"]);
    expect(second.read.commits![1]!.sha).toBe(second.read.head);
    expect(second.read.inboxes["to-builder.md"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("judges the newest commit alone when the base is gone (a force push)", async () => {
    const git = await gitPair(tempDir("handoff"));
    const fleet = fleetFor(git.clone);
    await git.push("review: gate 1");
    const r = await readHandoff(fleet, "0123456789abcdef0123456789abcdef01234567", undefined, { timeoutMs: 30_000 });
    if (!("read" in r)) throw new Error(JSON.stringify(r));
    expect(r.read.commits!.map((c) => c.subject)).toEqual(["review: gate 1"]);
  });

  it("says what failed when origin is not there", async () => {
    const git = await gitPair(tempDir("handoff"));
    await execa("git", ["-C", git.clone, "remote", "set-url", "origin", path.join(git.origin, "..", "nowhere.git")]);
    const r = await readHandoff(fleetFor(git.clone), undefined, undefined, { timeoutMs: 30_000 });
    expect(r).toMatchObject({ error: expect.stringMatching(/^git fetch in .* failed: fatal: /) });
  });
});

describe("readHandoff against an origin that never answers", () => {
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = net.createServer((s) => {
      connections++;
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it("fails at the timeout, with git and its remote helper gone", { timeout: 30_000 }, async () => {
    const git = await gitPair(tempDir("handoff"));
    await execa("git", ["-C", git.clone, "remote", "set-url", "origin", `http://127.0.0.1:${port}/repo.git`]);
    // Every process git starts for the fetch lands in one group: find it while the fetch hangs.
    const groups = new Set<number>();
    const watch = setInterval(() => {
      void execa("ps", ["-eo", "pgid=,args="]).then((p) => {
        for (const line of p.stdout.split("\n")) if (line.includes(`127.0.0.1:${port}`)) groups.add(Number(line.trim().split(/\s+/)[0]));
      });
    }, 100);
    const r = await readHandoff(fleetFor(git.clone), undefined, undefined, { timeoutMs: 1500 });
    clearInterval(watch);
    expect(r).toEqual({ error: `git fetch in ${git.clone} timed out after 1.5s (fetch_timeout)` });
    expect(connections).toBeGreaterThan(0);
    expect(groups.size).toBeGreaterThan(0);
    for (const g of groups) expect(groupRunning(g), `group ${g}`).toBe(false);
  });
});
