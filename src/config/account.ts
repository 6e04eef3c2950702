// Agents that share a login share its usage limits (issue 11 item 4). An agent's `account` groups
// them; by default it is derived from where its CLI keeps its login: the backend's preset (or name)
// and the CLI's home, read from the agent's env first, then the watchdog's. Pure.
import path from "node:path";

export interface AccountBackend {
  name: string;
  preset?: string;
}

/** "claude:/root/.claude", "codex:/home/me/.codex", "opencode:/home/me/.local/share/opencode", "gemini:/root". */
export function deriveAccount(backend: AccountBackend, agentEnv: Record<string, string | undefined>, processEnv: Record<string, string | undefined>): string {
  const get = (k: string): string | undefined => agentEnv[k] || processEnv[k] || undefined;
  const kind = backend.preset ?? backend.name;
  const home = get("HOME") ?? "~";
  switch (kind) {
    case "claude":
      return `claude:${get("CLAUDE_CONFIG_DIR") ?? path.join(home, ".claude")}`;
    case "codex":
      return `codex:${get("CODEX_HOME") ?? path.join(home, ".codex")}`;
    case "opencode": {
      const data = get("XDG_DATA_HOME");
      return `opencode:${data ? path.join(data, "opencode") : path.join(home, ".local", "share", "opencode")}`;
    }
    default:
      return `${kind}:${home}`;
  }
}
