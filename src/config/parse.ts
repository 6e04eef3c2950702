// agents.toml text → a validated ConfigFile: TOML syntax errors and zod issues become one line each
// (`<file>: <key path>: <problem>`); unknown keys become warnings (configs evolve) and are dropped.
import { parse as parseToml, TomlError } from "smol-toml";
import type { z } from "zod";
import { ConfigError } from "../errors.js";
import { configSchema, type ConfigFile } from "./schema.js";

export function parseTomlFile(file: string, text: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
      throw new ConfigError(`${file}:${err.line}:${err.column}: TOML syntax error: ${first}`);
    }
    throw new ConfigError(`${file}: TOML syntax error: ${(err as Error).message}`);
  }
}

/** `agent[0](builder).wake.cron`: array items carry their name, when they have one. */
function formatPath(issuePath: readonly PropertyKey[], raw: Record<string, unknown>): string {
  let out = "";
  let node: unknown = raw;
  for (let i = 0; i < issuePath.length; i++) {
    const key = issuePath[i]!;
    const child = node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === "number") {
      const name = child && typeof child === "object" ? (child as { name?: unknown }).name : undefined;
      out += typeof name === "string" && name ? `[${key}](${name})` : `[${key}]`;
    } else {
      out += (out ? "." : "") + String(key);
    }
    node = child;
  }
  return out || "(top level)";
}

function cleanMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value" && "values" in issue) {
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) return "is required";
  return issue.message.replace(/^Invalid input: /, "");
}

function deleteAt(raw: Record<string, unknown>, p: readonly PropertyKey[], keys: string[]): void {
  let node: unknown = raw;
  for (const k of p) node = node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k] : undefined;
  if (node && typeof node === "object") for (const k of keys) delete (node as Record<string, unknown>)[k];
}

/** Of several upper bounds a value breaks (a key can narrow a shared one), only the tightest. */
function tightestBounds(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const key = (i: z.core.$ZodIssue) => JSON.stringify(i.path);
  const tightest = new Map<string, number>();
  for (const i of issues) if (i.code === "too_big") tightest.set(key(i), Math.min(tightest.get(key(i)) ?? Infinity, Number(i.maximum)));
  return issues.filter((i) => i.code !== "too_big" || Number(i.maximum) === tightest.get(key(i)));
}

/**
 * Validate parsed TOML, turning unknown keys into warnings (removed, then validated again) and the
 * rest into errors. `raw` loses its unknown keys.
 */
export function validateConfig(file: string, raw: Record<string, unknown>): { cfg: ConfigFile; warnings: string[] } {
  const warnings: string[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const r = configSchema.safeParse(raw);
    if (r.success) return { cfg: r.data, warnings };
    const unknown = r.error.issues.filter((i) => i.code === "unrecognized_keys");
    const errors = tightestBounds(r.error.issues.filter((i) => i.code !== "unrecognized_keys"));
    if (errors.length) throw new ConfigError([...new Set(errors.map((i) => `${file}: ${formatPath(i.path, raw)}: ${cleanMessage(i)}`))]);
    for (const i of unknown) {
      const keys = (i as { keys: string[] }).keys;
      for (const k of keys) warnings.push(`${file}: ${formatPath([...i.path, k], raw)}: unknown key (ignored)`);
      deleteAt(raw, i.path, keys);
    }
  }
  throw new ConfigError(`${file}: could not be validated`);
}

/** TOML text → validated config and its unknown-key warnings; throws a ConfigError otherwise. */
export function parseConfig(file: string, text: string): { cfg: ConfigFile; warnings: string[] } {
  return validateConfig(file, parseTomlFile(file, text));
}
