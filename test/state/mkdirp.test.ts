// state/mkdirp.ts: mkdir -p in a bounded number of steps. Node 20's recursive mkdirSync spins
// forever where mkdir of a child says ENOENT under a parent that exists (/proc); ours must throw.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { mkdirp } from "../../src/state/mkdirp.js";
import { tempDir } from "../helpers/tmp.js";

const hasProc = existsSync("/proc/self/stat");
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("mkdirp", () => {
  it("creates every missing level, and is a no-op on a directory that exists", () => {
    const root = tempDir("mkdirp");
    const deep = path.join(root, "a", "b", "c");
    mkdirp(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    mkdirp(deep);
    mkdirp(root);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it("applies mode to every level it creates (under the umask), as mkdirSync({ recursive, mode }) does", () => {
    const root = tempDir("mkdirp-mode");
    const deep = path.join(root, "x", "y");
    mkdirp(deep, { mode: 0o700 });
    expect(statSync(path.join(root, "x")).mode & 0o777).toBe(0o700);
    expect(statSync(deep).mode & 0o777).toBe(0o700);
  });

  it("resolves a relative path and goes through a symlink to a directory", () => {
    const root = tempDir("mkdirp-link");
    mkdirSync(path.join(root, "real"));
    symlinkSync(path.join(root, "real"), path.join(root, "link"));
    mkdirp(path.relative(process.cwd(), path.join(root, "link", "sub")));
    expect(statSync(path.join(root, "real", "sub")).isDirectory()).toBe(true);
  });

  it("a file in the way: EEXIST for the target itself, ENOTDIR for a parent", () => {
    const root = tempDir("mkdirp-file");
    const file = path.join(root, "f");
    writeFileSync(file, "");
    expect(() => mkdirp(file)).toThrow(expect.objectContaining({ code: "EEXIST" }));
    expect(() => mkdirp(path.join(file, "sub"))).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
    expect(() => mkdirp(path.join(file, "sub", "deeper"))).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
  });

  // In a child process with a deadline: were mkdirp to spin like Node's recursive mkdir, an
  // in-process call would block this worker for good instead of failing the test.
  it.skipIf(!hasProc)("under /proc it throws a clear ENOENT at once instead of spinning", () => {
    const dirs = [`/proc/agents-test-${process.pid}`, `/proc/agents-test-${process.pid}/a/b`, "/proc/self/agents-test"];
    const r = runMkdirpInChild(dirs, 10_000);
    expect(r.signal, "the child was killed at its deadline: mkdirp did not return").toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as { ms: number; code?: string; message?: string; path?: string }[];
    results.forEach((res, i) => {
      const dir = dirs[i]!;
      expect(res.ms, dir).toBeLessThan(1000);
      expect(res.code, dir).toBe("ENOENT");
      expect(res.message, dir).toMatch(/mkdir keeps failing although \/proc(\/self)? exists/);
      expect(res.path, dir).toBe(dir.startsWith("/proc/self") ? dir : `/proc/agents-test-${process.pid}`);
    });
  });
});

/** Transpile mkdirp.ts (node imports only) into a temp dir and call it on each dir in a child node. */
function runMkdirpInChild(dirs: string[], timeout: number) {
  const source = readFileSync(path.join(ROOT, "src/state/mkdirp.ts"), "utf8");
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = path.join(tempDir("mkdirp-child"), "mkdirp.mjs");
  writeFileSync(file, js);
  const script = `
    const { mkdirp } = await import(${JSON.stringify(pathToFileURL(file).href)});
    const out = [];
    for (const dir of ${JSON.stringify(dirs)}) {
      const t0 = Date.now();
      try { mkdirp(dir); out.push({ ms: Date.now() - t0 }); }
      catch (e) { out.push({ ms: Date.now() - t0, code: e.code, message: e.message, path: e.path }); }
    }
    process.stdout.write(JSON.stringify(out));`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout, killSignal: "SIGKILL" });
}
