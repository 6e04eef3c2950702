// Which statusLine the user's own Claude Code settings would show in a folder, read-only, so the
// tap can keep showing it (a `--settings` statusLine replaces theirs; see hooks.ts). Nothing here
// ever writes to these files.
import path from "node:path";
import { readRegularFile } from "../../state/regular-file.js";
import type { StatusLineSetting } from "./hooks.js";

/**
 * The settings files that can hold a statusLine, highest precedence first, as Claude Code ranks
 * them below `--settings`: the project's local file, the project's shared file, then the user's.
 * (Managed settings rank above `--settings`; when they set a statusLine, neither ours nor the
 * user's runs, and nothing we pass can change that.)
 */
export function statusLineSources(dir: string, configDir: string): string[] {
  return [
    path.join(dir, ".claude", "settings.local.json"),
    path.join(dir, ".claude", "settings.json"),
    path.join(configDir, "settings.json"),
  ];
}

/** The statusLine a settings document sets, if it sets a usable one. */
export function statusLineOf(doc: unknown): StatusLineSetting | undefined {
  if (typeof doc !== "object" || doc === null) return undefined;
  const sl = (doc as Record<string, unknown>).statusLine;
  if (typeof sl !== "object" || sl === null || Array.isArray(sl)) return undefined;
  const command = (sl as Record<string, unknown>).command;
  if (typeof command !== "string" || !command.trim()) return undefined;
  return { ...(sl as Record<string, unknown>), type: "command", command };
}

/**
 * The user's effective statusLine for an agent working in `dir`, with the file it came from. A
 * file that is missing, not a regular file, or does not parse is skipped, as Claude would skip it.
 */
export function findUserStatusLine(dir: string, configDir: string): { statusLine: StatusLineSetting; file: string } | undefined {
  for (const file of statusLineSources(dir, configDir)) {
    let doc: unknown;
    try {
      doc = JSON.parse(readRegularFile(file)); // never blocks: a FIFO there counts as unreadable
    } catch {
      continue;
    }
    const statusLine = statusLineOf(doc);
    if (statusLine) return { statusLine, file };
  }
  return undefined;
}
