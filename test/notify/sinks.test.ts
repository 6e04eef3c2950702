// The command and desktop sinks against real processes: the JSON on stdin, a failing command's
// error redacted, a hung one killed at its timeout, and notify-send used only where it exists.
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { renderPayload } from "../../src/notify/events.js";
import { send } from "../../src/notify/sinks.js";
import type { SinkSpec } from "../../src/notify/policy.js";
import { tempDir } from "../helpers/tmp.js";

const payload = renderPayload("f", { event: "parked", agent: "a", reason: "3 restarts", record: "r.json" }, 0);
const command = (target: string): SinkSpec => ({ kind: "command", target, id: "c", label: "command" });
const desktop: SinkSpec = { kind: "desktop", target: "notify-send", id: "desktop", label: "desktop notify-send" };

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

describe("command sink", () => {
  it("gets the payload as one JSON line on stdin, in the given dir", async () => {
    const dir = tempDir("sink");
    expect(await send(command("cat > got.json"), payload, { cwd: dir })).toEqual({ ok: true });
    expect(readFileSync(path.join(dir, "got.json"), "utf8")).toBe(JSON.stringify(payload) + "\n");
  });

  it("a non-zero exit fails with its last stderr line, URLs and the command redacted", async () => {
    const r = await send(command("echo 'curl: (7) https://hooks.example/T0/secret refused' >&2; exit 7"), payload);
    expect(r).toEqual({ ok: false, error: "exit 7: curl: (7) https://hooks.example/… refused" });
  });

  it("a hung command is killed at the timeout", async () => {
    const started = Date.now();
    const r = await send(command("sleep 30"), payload, { timeoutMs: 300 });
    expect(r).toEqual({ ok: false, error: "timed out after 0.3s" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("desktop sink", () => {
  it("is skipped, not failed, without notify-send on PATH", async () => {
    process.env.PATH = tempDir("nopath");
    expect(await send(desktop, payload)).toEqual({ ok: true, skipped: "notify-send not found on PATH" });
  });

  it("runs notify-send with the fleet, event and summary", async () => {
    const bin = tempDir("bin");
    const out = path.join(bin, "args");
    writeFileSync(path.join(bin, "notify-send"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${out}'\n`);
    chmodSync(path.join(bin, "notify-send"), 0o755);
    process.env.PATH = `${bin}:${savedPath}`;
    expect(await send(desktop, payload)).toEqual({ ok: true });
    expect(readFileSync(out, "utf8").split("\n").filter(Boolean)).toEqual(["--app-name=agents", "f: parked", payload.summary]);
  });
});
