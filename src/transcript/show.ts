// `agents logs <agent> --transcript [-f]`: find the agent's own record (locate.ts), print its last
// lines rendered, and with -f follow it until interrupted (SIGINT/SIGTERM end it with status 0).
import type { Ctx } from "../commands/context.js";
import { UserError } from "../errors.js";
import { followTranscript, showTranscript } from "./follow.js";
import { locateRecord, sourceOf } from "./locate.js";

export interface TranscriptOptions {
  follow: boolean;
  lines: number;
  /** Stop following on this signal too (tests); SIGINT and SIGTERM always stop it. */
  signal?: AbortSignal;
  pollMs?: number;
}

export async function showAgentTranscript(ctx: Ctx, name: string, o: TranscriptOptions): Promise<number> {
  const { fleet, io, tmux } = ctx;
  const agent = fleet.agents.find((a) => a.name === name);
  if (!agent) {
    const service = fleet.services.some((s) => s.name === name);
    throw new UserError(`${fleet.configPath}: ${service ? `"${name}" is a service: it has no conversation` : `no agent named "${name}"`}`);
  }
  const who = sourceOf(agent);
  if (!who) {
    io.err(`${name}: no transcript reader for backend "${agent.backendName}" (--transcript reads Claude Code's and Codex's own records)`);
    return 1;
  }
  // This run of the agent started with its tmux session; a stopped agent's newest record is shown.
  const pane = (await tmux.listPanes()).find((p) => p.session === agent.session);
  const since = pane ? pane.created * 1000 : 0;
  const locate = () => locateRecord(fleet, agent, since)?.transcript;

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  o.signal?.addEventListener("abort", onSignal, { once: true });
  let file = locate();
  if (!file && !o.follow) {
    io.err(`no transcript yet for ${name} (${who === "claude" ? "no Claude Code transcript found" : "no Codex rollout found since the session started"})`);
    return 1;
  }
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    if (!file) {
      io.err(`waiting for ${name}'s first transcript record...`);
      while (!file && !stop.signal.aborted) {
        await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
        file = locate();
      }
      if (!file) return 0;
    }
    const cursor = showTranscript(file, { who, lines: o.lines, out: io.out });
    if (!cursor) {
      io.err(`${file}: cannot be read (missing, or not a regular file)`);
      return 1;
    }
    if (!o.follow) return 0;
    await followTranscript(file, { who, lines: 0, out: io.out, cursor, signal: stop.signal, pollMs: o.pollMs, relocate: locate });
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
