// log_dir health as `status` shows it: probed without writing.
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyLogDir, probeLogDir } from "../../src/state/health.js";
import { logDirLine } from "../../src/commands/status.js";
import { tempDir } from "../helpers/tmp.js";
import { mountTmpfs, tmpfsSkipReason } from "../helpers/tmpfs.js";

describe("classifyLogDir (pure)", () => {
  it.each([
    [{ kind: "dir", bavail: 10, files: 100, ffree: 50 }, "ok"],
    [{ kind: "dir" }, "ok"],
    [{ kind: "dir", bavail: 0, files: 100, ffree: 50 }, "full"],
    [{ kind: "dir", bavail: 10, files: 100, ffree: 0 }, "full"],
    [{ kind: "dir", bavail: 10, files: 0, ffree: 0 }, "ok"], // a file system that does not count inodes
    [{ kind: "dir", writeError: "EROFS", bavail: 0 }, "read-only"],
    [{ kind: "dir", writeError: "EACCES" }, "read-only"],
    [{ kind: "ENOENT" }, "missing"],
    [{ kind: "ENOTDIR" }, "missing"],
    [{ kind: "other" }, "not-a-directory"],
  ] as const)("%o → %s", (facts, state) => {
    expect(classifyLogDir(facts).state).toBe(state);
  });
});

describe("probeLogDir", () => {
  it("ok, missing and not a directory, on the real file system", () => {
    const base = tempDir("health");
    expect(probeLogDir(base)).toEqual({ path: base, state: "ok" });
    expect(probeLogDir(path.join(base, "nope")).state).toBe("missing");
    writeFileSync(path.join(base, "file"), "");
    expect(probeLogDir(path.join(base, "file")).state).toBe("not-a-directory");
    expect(probeLogDir(path.join(base, "file", "sub")).state).toBe("missing");
  });

  it.skipIf(tmpfsSkipReason)("full and read-only, on a tmpfs, writing nothing", () => {
    const fs = mountTmpfs(path.join(tempDir("health"), "mnt"), 64);
    fs.fill();
    expect(probeLogDir(fs.dir)).toMatchObject({ state: "full" });
    fs.unfill();
    fs.readOnly();
    expect(probeLogDir(fs.dir)).toEqual({ path: fs.dir, state: "read-only", detail: "EROFS" });
    expect(readdirSync(fs.dir)).toEqual([]);
    fs.unmount();
  });
});

describe("status's log_dir line", () => {
  const report = (state: "ok" | "full" | "read-only" | "missing" | "not-a-directory", running: boolean, detail?: string) => ({
    logDir: { path: "/srv/logs", state, detail },
    rows: [],
    watchdog: { running },
  });
  it("says nothing when ok, nor about a missing log_dir before anything ran", () => {
    expect(logDirLine(report("ok", true))).toBeUndefined();
    expect(logDirLine(report("missing", false))).toBeUndefined();
  });
  it("is loud otherwise, and says whether healing goes on", () => {
    expect(logDirLine(report("full", true))).toBe("log_dir: FULL (/srv/logs): healing continues; logs and state are not being written");
    expect(logDirLine(report("read-only", true, "EROFS"))).toBe("log_dir: READ-ONLY (/srv/logs, EROFS): healing continues; logs and state are not being written");
    expect(logDirLine(report("missing", true))).toBe("log_dir: MISSING (/srv/logs): healing continues; it is recreated at the next write");
    expect(logDirLine(report("not-a-directory", false))).toBe("log_dir: NOT A DIRECTORY (/srv/logs): no watchdog is running; logs and state cannot be written");
  });
});
