import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFixturesDir, parseIndex, parseLabels, runSelftest } from "../../src/detect/selftest.js";

describe("runSelftest", () => {
  it("ships its fixtures next to the package and passes all of them", () => {
    const dir = defaultFixturesDir();
    expect(existsSync(path.join(dir, "INDEX.md"))).toBe(true);
    const results = runSelftest(dir);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThan(112);
  });

  it("reports a missing fixtures directory as a failure, not a crash", () => {
    const results = runSelftest("/nonexistent/fixtures");
    expect(results.some((r) => !r.ok)).toBe(true);
  });
});

describe("fixture metadata parsing", () => {
  it("reads cmd, title and the dead flag, even when a title leaked into the dead field", () => {
    const md = [
      "- `claude/crash-killed.txt` — killed [t=2s, req=5, cmd=launch.sh, title=\"◐ Claude Code\", dead=1//9]",
      "- `codex/tool_use-approval.txt` — approval [t=4s, req=4, cmd=node, title=\"[ ! ] Action Required \", dead= h-codex-tool_use/0/]",
      "- `opencode/ok-idle.txt` — idle [t=18s, req=2, cmd=opencode, title=\"OC \", dead= Mock reply: I looked at the request a…/0/]",
    ].join("\n");
    const idx = parseIndex(md);
    expect(idx.get("claude/crash-killed.txt")).toEqual({ command: "launch.sh", title: "◐ Claude Code", dead: true });
    expect(idx.get("codex/tool_use-approval.txt")).toEqual({ command: "node", title: "[ ! ] Action Required ", dead: false });
    expect(idx.get("opencode/ok-idle.txt")?.dead).toBe(false);
  });

  it("reads LABELS.tsv rows, '-' meaning no reset", () => {
    const labels = parseLabels("file\tstate\treset\tevidence\tnote\na.txt\tlimited\t7:15 PM\t■ x\tn\nb.txt\tidle\t-\t›\tn\n");
    expect(labels.get("a.txt")).toEqual({ state: "limited", reset: "7:15 PM", evidence: "■ x" });
    expect(labels.get("b.txt")).toEqual({ state: "idle", evidence: "›" });
  });
});
