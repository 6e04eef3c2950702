// A transport that sends the watchdog's per-tick reads (list-panes, capture-pane) over one
// control-mode client and everything else as plain tmux processes. Whenever the client is not
// there (no session to attach to yet, it died, it hung) the reads go out as processes too, and the
// client is tried again later, backing off; each switch between the two is reported once.
import { ControlClient } from "./control.js";
import type { RunResult, TmuxTransport } from "./tmux.js";

/** Only reads travel over the client: it is read-only, and a write must never wait on a reconnect. */
export const CONTROL_COMMANDS = new Set(["list-panes", "capture-pane"]);
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
/** A client that lived this long was healthy: the next loss starts the backoff over. */
const HEALTHY_MS = 60_000;
/** Per-command bound over the client: far below a tick, far above a reply (a few ms). */
export const CONTROL_TIMEOUT_MS = 3_000;

export type TransportMode = "control" | "spawn";

export interface ControlTransportOptions {
  bin: string;
  baseArgs: string[];
  env: NodeJS.ProcessEnv;
  /** Runs every command the client does not (and all of them while it is down). */
  spawn: TmuxTransport;
  /** The session to attach to, made if need be; undefined: none now (no server), try later. */
  session: () => Promise<string | undefined>;
  timeoutMs?: number;
  /** Sessions or windows came or went (from the client's notifications). */
  onTopology?: () => void;
  /** The reads moved to the client or back to processes, and why. */
  onSwitch?: (mode: TransportMode, reason: string) => void;
  now?: () => number;
}

export class ControlTransport implements TmuxTransport {
  private client: ControlClient | undefined;
  private openedAt = 0;
  private opening: Promise<void> | undefined;
  private retryAt = 0;
  private backoffMs = FIRST_RETRY_MS;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Where reads go now; undefined until the first attach succeeds or fails (either is reported). */
  mode: TransportMode | undefined;
  /** Reads that went over the client / as processes (benchmarks and tests read these). */
  readonly counts = { control: 0, spawn: 0 };

  constructor(private readonly opts: ControlTransportOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async run(args: string[]): Promise<RunResult> {
    if (CONTROL_COMMANDS.has(args[0] ?? "")) {
      const client = await this.ready();
      if (client) {
        try {
          const r = await client.run(args);
          this.counts.control++;
          return r;
        } catch {
          /* gone or hung: it reported why (onGone); this one goes as a process */
        }
      }
      this.counts.spawn++;
    }
    return this.opts.spawn.run(args);
  }

  private async ready(): Promise<ControlClient | undefined> {
    if (this.client?.alive) return this.client;
    if (this.closed || this.now() < this.retryAt) return undefined;
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    await this.opening;
    return this.client?.alive ? this.client : undefined;
  }

  private async open(): Promise<void> {
    let session: string | undefined;
    try {
      session = await this.opts.session();
    } catch (e) {
      return this.retryLater(`no session to attach to: ${(e as Error).message}`);
    }
    if (session === undefined) return this.retryLater(undefined);
    try {
      const client = await ControlClient.open({
        bin: this.opts.bin,
        baseArgs: this.opts.baseArgs,
        env: this.opts.env,
        session,
        timeoutMs: this.opts.timeoutMs ?? CONTROL_TIMEOUT_MS,
        onTopology: () => this.opts.onTopology?.(),
        onGone: (why) => this.lost(why),
      });
      if (this.closed) return client.close();
      this.client = client;
      this.openedAt = this.now();
      this.switchTo("control", `control client attached to session ${session} (pid ${client.pid})`);
    } catch (e) {
      this.retryLater((e as Error).message);
    }
  }

  private lost(why: string): void {
    if (this.closed) return;
    this.client = undefined;
    if (this.now() - this.openedAt >= HEALTHY_MS) this.backoffMs = FIRST_RETRY_MS;
    this.retryLater(`control client ${why}`);
  }

  private retryLater(why: string | undefined): void {
    this.retryAt = this.now() + this.backoffMs;
    // Tried again on a timer, not only at the next read: the client's notifications (a pane died)
    // are what wakes the watchdog, and reads may be far apart (a 30 s tick over panes that flow).
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.ready(), this.backoffMs);
    this.retryTimer.unref();
    if (why !== undefined) this.switchTo("spawn", `${why}; tmux reads run as processes, retrying in ${Math.round(this.backoffMs / 1000)}s`);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_RETRY_MS);
  }

  private switchTo(mode: TransportMode, reason: string): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.opts.onSwitch?.(mode, reason);
  }

  /** The client's pid while it runs (tests kill it to prove the fallback). */
  get clientPid(): number | undefined {
    return this.client?.alive ? this.client.pid : undefined;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.client?.close();
    this.client = undefined;
    this.opts.spawn.close?.();
  }
}
