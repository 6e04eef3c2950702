// Effects of starting and stopping the fleet's sessions. Decisions about *whether* to start live
// in the callers (up, the watchdog); this module only knows *how*.
import type { Agent, Fleet, Service } from "../config/load.js";
import type { Tmux } from "../tmux/tmux.js";
import { writeKickoff } from "../state/kickoff.js";
import { mkdirp } from "../state/files.js";
import { ensureLogDirs, sessionLogFile } from "../state/paths.js";
import { agentModel, buildKickoff } from "./kickoff.js";
import { buildLaunch, kickoffPointer } from "./command.js";
import { prepareConversation } from "./conversation.js";
import { ping } from "./ping.js";
import { prepareAgentHome } from "./preseed.js";

export interface StartResult {
  started: boolean;
  detail: string;
  /** Settles when a `ping` delivery has typed its kickoff (immediately for other deliveries). */
  delivered: Promise<void>;
}

export interface Launcher {
  fleet: Fleet;
  tmux: Tmux;
  say(line: string): void;
}

async function createSession(
  l: Launcher,
  session: string,
  cwd: string,
  command: string,
  env: Record<string, string>,
): Promise<void> {
  mkdirp(cwd);
  // log_dir full or read-only must not fail a start: the kickoff has already gone to the runtime
  // dir then, and the session log is a record, not a need (`cat >> log` failing ends only the pipe).
  ensureLogDirs(l.fleet);
  // The log pipe is chained into the same tmux command: an agent that dies at once still leaves
  // what it said (a separate pipe-pane afterwards would find the pane already gone).
  const r = await l.tmux.newSession({ name: session, cwd, command, env, logTo: sessionLogFile(l.fleet, session) });
  if (r.code === 0) return;
  // The chained pipe-pane can fail on its own (its pane already dead): the session still counts.
  if (!(await l.tmux.hasSession(session))) {
    throw new Error(`tmux new-session ${session} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
  l.say(`${session}: session log not recorded: ${r.stderr.trim() || `exit ${r.code}`}`);
}

export interface StartOptions {
  /** Replace a running session. */
  force?: boolean;
  /** The loop phase the agent starts in (its kickoff and per-phase model). */
  phase: number;
  /** Continue the agent's pinned conversation (default: its `resume`); a heal decides per cause. */
  resume?: boolean;
}

/** Start an agent's session unless it already runs (force: replace it). */
export async function startAgent(l: Launcher, agent: Agent, opts: StartOptions): Promise<StartResult> {
  const done = Promise.resolve();
  if (await l.tmux.hasSession(agent.session)) {
    if (!opts.force) return { started: false, detail: "already running", delivered: done };
    await l.tmux.killSession(agent.session);
  }
  const { fleet } = l;
  const model = agentModel(fleet, agent, opts.phase);
  const kf = writeKickoff(fleet, agent.session, buildKickoff(fleet, agent, opts.phase));
  await prepareAgentHome(agent);
  const conv = prepareConversation(fleet, agent, opts.resume ?? agent.resume);
  if (conv.problem) l.say(`${agent.name}: started without signals: ${conv.problem}`);
  const plan = buildLaunch(agent, { kickoffFile: kf, model, resumeId: conv.resumeId, resume: conv.resume, tapArgs: conv.tapArgs });
  Object.assign(plan.env, conv.env);
  if (conv.typePrompt && !plan.ping) {
    const b = agent.backend;
    plan.ping = { text: kickoffPointer(kf), delayMs: b.connect_delay * 1000, submitKey: b.submit_key };
  }
  await createSession(l, agent.session, agent.dir, plan.command, plan.env);
  // Only a tapped or resumed start has a conversation worth naming (a plain start's line is as before).
  const detail = `${startDetail(fleet, agent, opts.phase)}${conv.note === "fresh" ? "" : `, conversation ${conv.note}`}`;
  let delivered = done;
  if (plan.ping) {
    const p = plan.ping;
    delivered = (async () => {
      await new Promise((r) => setTimeout(r, p.delayMs));
      const res = await ping(l.tmux, agent.session, p.text, {
        submitKey: p.submitKey,
        timeoutMs: fleet.watchdog.ping_timeout * 1000,
      });
      if (!res.ok) l.say(`${agent.name}: kickoff ping not confirmed: ${res.reason}`);
    })();
  }
  return { started: true, detail, delivered };
}

export async function startService(l: Launcher, svc: Service): Promise<StartResult> {
  const done = Promise.resolve();
  if (await l.tmux.hasSession(svc.session)) return { started: false, detail: "already running", delivered: done };
  await createSession(l, svc.session, svc.dir, svc.command, svc.env);
  return { started: true, detail: "service", delivered: done };
}

/** What a start reports after "started" (and `up --dry-run` after "would start"). */
export function startDetail(fleet: Fleet, agent: Agent, phase: number): string {
  const model = agentModel(fleet, agent, phase);
  const ph = agent.kind === "loop" ? ` phase=${fleet.loop.phases[phase]?.id ?? "-"}` : "";
  return `${agent.backendName}, ${agent.kind}${ph}, model=${model || "default"}`;
}
