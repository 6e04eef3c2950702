// What `selftest --live` knows about each CLI it can drive: where its executable is, which model
// it is given, the environment and the config files in its throwaway HOME that point it at the
// mock model server, and how to ask it for its version.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const LIVE_BACKENDS = ["claude", "codex", "opencode"] as const;
export type LiveBackend = (typeof LIVE_BACKENDS)[number];

export function isLiveBackend(name: string): name is LiveBackend {
  return (LIVE_BACKENDS as readonly string[]).includes(name);
}

/** Where `npm run live:install` puts the CLIs (package root/.cache/live-clis). */
export const DEFAULT_CLI_DIR = fileURLToPath(new URL("../../../.cache/live-clis", import.meta.url));

export interface Profile {
  /** The model passed with the preset's model_flag. */
  model: string;
  env(mockUrl: string): Record<string, string>;
  /** Write the CLI's own config into the throwaway HOME, minus the project trust (preseed adds it). */
  writeConfig(home: string, mockUrl: string): void;
}

export const PROFILES: Record<LiveBackend, Profile> = {
  claude: {
    model: "sonnet",
    // A subscriber login (OAuth token) rather than an API key: only then does Claude Code show its
    // usage-limit UI for a 429 with the unified rate-limit headers.
    env: (url) => ({
      ANTHROPIC_BASE_URL: url,
      CLAUDE_CODE_OAUTH_TOKEN: "mock-oauth-token",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    }),
    writeConfig(home) {
      // Without this file Claude Code tries the real login service and exits; the project entry
      // is left out on purpose so the run proves prepareAgentHome's trust pre-seeding works.
      writeJson(path.join(home, ".claude.json"), {
        hasCompletedOnboarding: true,
        theme: "dark",
        numStartups: 5,
        projects: {},
      });
    },
  },
  codex: {
    model: "mock-model",
    env: () => ({ MOCK_KEY: "x" }),
    writeConfig(home, url) {
      const dir = path.join(home, ".codex");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, "config.toml"),
        [
          `model = "mock-model"`,
          `model_provider = "mock"`,
          `check_for_update_on_startup = false`,
          ``,
          `[model_providers.mock]`,
          `name = "mock"`,
          `base_url = ${JSON.stringify(`${url}/v1`)}`,
          `env_key = "MOCK_KEY"`,
          `wire_api = "responses"`,
          ``,
        ].join("\n"),
      );
    },
  },
  opencode: {
    model: "mock/mock-model",
    env: () => ({
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    }),
    writeConfig(home, url) {
      writeJson(path.join(home, ".config", "opencode", "opencode.json"), {
        $schema: "https://opencode.ai/config.json",
        provider: {
          mock: {
            npm: "@ai-sdk/openai-compatible",
            name: "Mock",
            options: { baseURL: `${url}/v1`, apiKey: "x" },
            models: { "mock-model": { name: "Mock Model" } },
          },
        },
        model: "mock/mock-model",
        small_model: "mock/mock-model",
        autoupdate: false,
        share: "disabled",
      });
    },
  },
};

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

/** The CLI's executable: the live-install folder first (a pinned, known version), then PATH. */
export function findCli(bin: string, cliDir: string = DEFAULT_CLI_DIR): string | undefined {
  const local = path.join(cliDir, "node_modules", ".bin", bin);
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Variables the throwaway session gets besides the CLI's own: nothing else of ours leaks in. */
export function baseEnv(home: string, binDir: string | undefined): Record<string, string> {
  const pathParts = [binDir, process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"].filter(Boolean);
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_STATE_HOME: path.join(home, ".local", "state"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    PATH: pathParts.join(path.delimiter),
    // The TUIs draw box and spinner glyphs only in a UTF-8 locale.
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    USER: os.userInfo().username,
    SHELL: "/bin/sh",
    TZ: "UTC",
    // The CLIs keep sockets and scratch files under the temp dir (Claude: claude-<uid>/, cc-socks/):
    // in the throwaway home they go with it instead of staying behind in /tmp.
    TMPDIR: home,
  };
}

/** The version line, so a FAIL can be tied to the CLI release that caused it. */
export async function cliVersion(bin: string, env: Record<string, string>): Promise<string> {
  const r = await execa(bin, ["--version"], { env, extendEnv: false, reject: false, timeout: 30_000, stdin: "ignore" });
  // Codex prints start-up warnings before the version; the version is the last line.
  const lines = `${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? `version unknown (exit ${r.exitCode ?? "?"})`;
}
