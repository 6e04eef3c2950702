// [defaults] log_max_bytes and log_keep: their defaults, and the ranges the loader enforces.
import { describe, expect, test } from "vitest";
import { MINIMAL, project } from "../helpers/project.js";

describe("[defaults] log_max_bytes, log_keep", () => {
  test("default: 50 MiB, 3 parts kept", () => {
    const f = project(MINIMAL).load();
    expect([f.logMaxBytes, f.logKeep]).toEqual([52428800, 3]);
  });

  test.each([
    { toml: "log_max_bytes = 65536\nlog_keep = 1", want: [65536, 1] },
    { toml: "log_max_bytes = 1073741824\nlog_keep = 20", want: [1073741824, 20] },
  ])("accepted at the range ends: $toml", ({ toml, want }) => {
    const f = project(`${MINIMAL}${toml}\n`).load();
    expect([f.logMaxBytes, f.logKeep]).toEqual(want);
  });

  test.each([
    { toml: "log_max_bytes = 65535", key: "defaults.log_max_bytes", says: "at least 65536" },
    { toml: "log_max_bytes = 1048576.5", key: "defaults.log_max_bytes", says: "expected int" },
    { toml: 'log_max_bytes = "50M"', key: "defaults.log_max_bytes", says: "number" },
    { toml: "log_keep = 0", key: "defaults.log_keep", says: "1" },
    { toml: "log_keep = 21", key: "defaults.log_keep", says: "20" },
  ])("refused: $toml", ({ toml, key, says }) => {
    const p = project(`${MINIMAL}${toml}\n`);
    const errors = p.errors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${p.file}: ${key}: `);
    expect(errors[0]).toContain(says);
  });
});
