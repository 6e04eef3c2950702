// What a loaded config looks like to the rest of the code. Every field's type comes from the zod
// schema (schema.ts); only what resolving adds (absolute paths, sessions, the chosen backend) is new.
import type { z } from "zod";
import type {
  AGENT_KINDS,
  AgentTable,
  ConfigFile,
  DefaultsTable,
  PROMPT_DELIVERIES,
  ServiceTable,
  WATCH_MODES,
  WatchdogSettings,
  NotifySettings,
  agentNotifySchema,
  resolvedBackendSchema,
  wakeSchema,
} from "./schema.js";

export type AgentKind = (typeof AGENT_KINDS)[number];
export type WatchMode = (typeof WATCH_MODES)[number];
export type PromptDelivery = (typeof PROMPT_DELIVERIES)[number];
export type LoopSettings = ConfigFile["loop"];
/** [notify] as written, plus each agent's own [agent.notify] by agent name. */
export type FleetNotify = NotifySettings & { agents: Record<string, z.output<typeof agentNotifySchema>> };

/** A backend: defaults < preset < [backend.X] table, plus its name and the preset it started from. */
export type Backend = z.output<typeof resolvedBackendSchema>;

/** A wake schedule: `cron`, or else `interval` seconds (always set when there is no cron). */
export type Wake = z.output<typeof wakeSchema>;

/** An [[agent]] with [defaults] inherited, its backend looked up and its paths absolute. */
export type Agent = Pick<AgentTable, "name" | "kind" | "role" | "prompt" | "wake"> &
  Pick<DefaultsTable, "model" | "watch" | "dir" | "enabled" | "resume" | "resume_on" | "env"> & {
    session: string;
    backendName: string;
    backend: Backend;
    promptFile?: string;
    /** Agents of one account share its usage limits: set, inherited, or derived (account.ts). */
    account: string;
  };

/** A [[service]] with its session and an absolute dir; env is [defaults].env < its own. */
export type Service = ServiceTable & { session: string };

export interface Fleet {
  configPath: string;
  projectDir: string;
  logDir: string;
  sessionPrefix: string;
  watchdogSession: string;
  tmuxSocket?: string;
  /** [defaults] log_max_bytes / log_keep: session logs are rotated under this size, keeping this many parts. */
  logMaxBytes: number;
  logKeep: number;
  watchdog: WatchdogSettings;
  backends: Record<string, Backend>;
  /** Backends named in the config ([backend.X] tables or used by an agent): their process_name counts for mismatch healing. */
  declaredBackends: string[];
  agents: Agent[];
  services: Service[];
  loop: LoopSettings;
  warnings: string[];
  /** [notify], when the config has one (src/notify/). */
  notify?: FleetNotify;
}

export interface LoadOptions {
  /** Apply AGENT_MODEL_<name> / AGENT_BACKEND_<name> (one CLI invocation; never the watchdog). */
  envOverrides?: boolean;
  env?: NodeJS.ProcessEnv;
}
