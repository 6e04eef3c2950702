// Effects of starting and stopping the fleet's sessions. Decisions about *whether* to start live
// in the callers (up, the watchdog); this module only knows *how*.
import { mkdirSync, existsSync } from "node:fs";
import type { Agent, Fleet, Service } from "../config/load.js";
import type { Tmux } from "../tmux/tmux.js";
import { writeFileAtomic, readTextOr } from "../state/files.js";
import { currentPhase } from "../state/phase.js";
import { agentModel, buildKickoff, kickoffPath, resumeIdPath, sessionLogPath } from "./kickoff.js";
import { buildLaunch } from "./command.js";
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

function readResumeId(fleet: Fleet, agent: Agent): string | undefined {
  const id = readTextOr(resumeIdPath(fleet, agent), "")!.trim();
  return id || undefined;
}

async function createSession(
  l: Launcher,
  session: string,
  cwd: string,
  command: string,
  env: Record<string, string>,
): Promise<void> {
  mkdirSync(cwd, { recursive: true });
  mkdirSync(l.fleet.logDir, { recursive: true });
  const r = await l.tmux.newSession({ name: session, cwd, command, env });
  if (r.code !== 0) throw new Error(`tmux new-session ${session} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  await l.tmux.pipeToFile(session, sessionLogPath(l.fleet, session));
}

/** Start an agent's session unless it already runs (force: replace it). */
export async function startAgent(l: Launcher, agent: Agent, opts: { force?: boolean } = {}): Promise<StartResult> {
  const done = Promise.resolve();
  if (await l.tmux.hasSession(agent.session)) {
    if (!opts.force) return { started: false, detail: "already running", delivered: done };
    await l.tmux.killSession(agent.session);
  }
  const { fleet } = l;
  const model = agentModel(fleet, agent);
  const kf = kickoffPath(fleet, agent.session);
  writeFileAtomic(kf, buildKickoff(fleet, agent));
  await prepareAgentHome(agent);
  const plan = buildLaunch(agent, { kickoffFile: kf, model, resumeId: readResumeId(fleet, agent) });
  await createSession(l, agent.session, agent.dir, plan.command, plan.env);
  const phase = agent.kind === "loop" ? ` phase=${currentPhase(fleet)?.id ?? "-"}` : "";
  const detail = `${agent.backendName}, ${agent.kind}${phase}, model=${model || "default"}`;
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

export function ensureStateDir(fleet: Fleet): void {
  if (!existsSync(fleet.stateDir)) mkdirSync(fleet.stateDir, { recursive: true });
}
