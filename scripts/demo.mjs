#!/usr/bin/env node
// `npm run demo`: a new user's first minute. Starts the demo fleet (demo/fleet.toml: fake agents,
// no AI CLI, its own tmux server) and makes things happen to it — a crash, a usage limit, a phase
// done — while the watchdog's own events are narrated as they arrive: a [notify] command sink
// (scripts/narrate.mjs) appends one human line per event to a file this script prints as it grows.
// Then it leaves the fleet running and says how to look and how to stop.
//   usage: node scripts/demo.mjs [--config PATH]      (default demo/fleet.toml)
// Every wait has a deadline; a step that does not happen in time is one line and exit 1, with the
// fleet left running to look at. Needs node, tmux and the build (npm ci) only.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, "bin", "agents");
let started = Date.now();
/** The whole story must be told within this (the steps' own deadlines are shorter). */
const STORY_LIMIT_MS = 85_000;
/** How far ahead the demo's usage-limit banner puts the reset. */
const LIMIT_RESET_S = 10;

function stop(line, code = 1) {
  console.error(`demo: ${line}`);
  process.exit(code);
}

const argv = process.argv.slice(2);
if (argv.length && !(argv.length === 2 && argv[0] === "--config")) stop("usage: node scripts/demo.mjs [--config PATH]", 2);
const configPath = path.resolve(argv[1] ?? path.join(root, "demo", "fleet.toml"));

/** A path as the user would type it from here. */
function shown(p) {
  const r = path.relative(process.cwd(), p);
  if (!r || r.startsWith("..") || path.isAbsolute(r)) return p;
  return p === cli ? `./${r}` : r;
}
const agentsCmd = (verb) => `${shown(cli)} ${verb} --config ${shown(configPath)}`;

// The fleet exactly as the CLI reads it (AGENTS_TMUX_SOCKET and all), from the build.
let fleet;
try {
  const { loadConfig } = await import(pathToFileURL(path.join(root, "dist", "config", "load.js")).href);
  fleet = loadConfig(configPath);
} catch (err) {
  if (err?.code === "ERR_MODULE_NOT_FOUND") stop("the build is missing: run `npm ci` (or `npm run build`) first", 2);
  stop(String(err?.message ?? err), 2);
}
const insideLogDir = (p) => {
  const r = path.relative(fleet.logDir, p);
  return !!r && !r.startsWith("..") && !path.isAbsolute(r);
};
const builder = fleet.agents.find((a) => a.name === "builder");
const adversary = fleet.agents.find((a) => a.name === "adversary");
const phases = fleet.loop.phases.map((p) => ({ ...p, file: path.resolve(fleet.projectDir, p.status) }));
const narrateArg = /narrate\.mjs\s+(\S+)/.exec(fleet.notify?.command ?? "")?.[1];
const narration = narrateArg && path.resolve(fleet.projectDir, narrateArg);
const logInProject = !path.relative(fleet.projectDir, fleet.logDir).startsWith("..") && fleet.logDir !== fleet.projectDir;
// What the story needs, and what makes emptying log_dir safe: everything it writes lives there.
if (!builder || !adversary || phases.length < 2 || !narration || !logInProject || ![narration, ...phases.map((p) => p.file)].every(insideLogDir)) {
  stop(`${shown(configPath)}: not a demo fleet (needs agents builder and adversary, two phases and a [notify] command running scripts/narrate.mjs, with log_dir inside the project and the narration and status files inside log_dir)`, 2);
}
try {
  execFileSync("tmux", ["-V"], { stdio: "ignore", timeout: 5000 });
} catch {
  stop("tmux is not installed (the fleet runs in tmux sessions)", 2);
}

const tmuxArgs = fleet.tmuxSocket ? ["-L", fleet.tmuxSocket] : [];
const attach = `tmux ${[...tmuxArgs, "attach", "-t", builder.session].join(" ")}`;
let fleetStarted = false;
const leftRunning = () =>
  fleetStarted ? `the demo fleet is left running; look with ${agentsCmd("status")}, stop it with ${agentsCmd("down")}` : "nothing was started";

process.on("SIGINT", () => {
  console.log(`\ndemo: interrupted; ${leftRunning()}`);
  process.exit(130);
});

/** Run the CLI (bounded): its exit code and output. */
function agents(verb, timeoutMs, ...args) {
  return new Promise((resolve) => {
    execFile(cli, [verb, ...args, "--config", configPath], { timeout: timeoutMs, killSignal: "SIGKILL" }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.killed ? "timeout" : (err.code ?? 1)) : 0, out: `${stdout}${stderr}`.trimEnd() }),
    );
  });
}

/** Commands with what each shows, the explanations in one column. */
const hints = (rows) => {
  const w = Math.max(...rows.map(([c]) => c.length));
  return rows.map(([c, what]) => `  ${c.padEnd(w)}   ${what}`).join("\n");
};
const indent = (text) => text.split("\n").map((l) => `    ${l}`).join("\n");
const hhmmss = () => new Date().toTimeString().slice(0, 8);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const act = (line) => console.log(`${hhmmss()}  ▸ ${line}`);

/** Type a line into an agent's pane, as a person at its keyboard would. */
async function type(session, text) {
  const send = (...keys) => execFileSync("tmux", [...tmuxArgs, "send-keys", "-t", `=${session}:`, ...keys], { stdio: "ignore", timeout: 5000 });
  try {
    send("-l", "--", text);
    send("Enter");
  } catch {
    await fail(`could not type into ${session} (tmux ${tmuxArgs.join(" ")} send-keys failed)`);
  }
}

// The narration file, printed line by line as the sink appends to it.
const told = [];
let offset = 0;
function readNarration() {
  let buf;
  try {
    buf = readFileSync(narration);
  } catch {
    return;
  }
  const end = buf.lastIndexOf(10) + 1; // only whole lines
  if (end <= offset) return;
  for (const line of buf.subarray(offset, end).toString("utf8").split("\n").filter(Boolean)) {
    told.push(line);
    console.log(line);
  }
  offset = end;
}
let tail;

async function fail(line) {
  clearInterval(tail);
  readNarration();
  const st = await agents("status", 10_000, "--json");
  let sink = "";
  try {
    const bad = JSON.parse(st.out).notify?.find((s) => !s.ok);
    if (bad) sink = `; the narration sink is failing: ${bad.lastError ?? "see the events log"}`;
  } catch {}
  console.error(`demo: FAILED: ${line}${sink}. Look at ${agentsCmd("logs watchdog")}; ${leftRunning()}.`);
  process.exit(1);
}

/** Wait until a narration line told since `from` matches, or fail saying what did not happen. */
async function narrated(re, what, timeoutS, from = 0) {
  const since = Date.now();
  const deadline = Math.min(since + timeoutS * 1000, started + STORY_LIMIT_MS);
  for (;;) {
    readNarration();
    const hit = told.slice(from).find((l) => re.test(l));
    if (hit) return hit;
    if (Date.now() >= deadline) return fail(`${what} (waited ${Math.round((deadline - since) / 1000)} s)`);
    await pause(200);
  }
}

const statusText = (p, done) => `# ${p.id} status\n\n## DONE\n${done ?? "not yet"}\n`;

// A fresh story: stop a demo fleet left from an earlier run, then empty its log_dir (state, phase
// index, records, narration) and write the phase status files anew.
const prev = await agents("down", 60_000);
if (prev.code !== 0) stop(`could not stop the earlier demo fleet (${agentsCmd("down")} said: ${prev.out.split("\n").pop()})`);
if (/: (stopped|killed)/.test(prev.out)) console.log(`Stopping the demo fleet of an earlier run:\n${indent(prev.out)}\n`);
rmSync(fleet.logDir, { recursive: true, force: true });
for (const p of phases) {
  mkdirSync(path.dirname(p.file), { recursive: true });
  writeFileSync(p.file, statusText(p));
}

console.log(`The demo fleet: a builder/adversary loop pair, a supervisor and a service, all fake agents
(demo/agent.sh) on their own tmux server${fleet.tmuxSocket ? ` (tmux -L ${fleet.tmuxSocket})` : ""}. The demo makes things happen
to them (lines with ▸); every other line is the watchdog's event as it happens, told by a [notify]
command sink (scripts/narrate.mjs, appending to ${shown(narration)}).
`);

started = Date.now(); // the story's clock starts with `up`
tail = setInterval(readNarration, 200);
fleetStarted = true;
const up = await agents("up", 30_000);
console.log(`${indent(up.out)}\n`);
if (up.code !== 0) await fail(`${agentsCmd("up")} ${up.code === "timeout" ? "did not finish (waited 30 s)" : `exited ${up.code}`}`);
await narrated(/watchdog started/, "the watchdog's start was not narrated", 20);
await pause(2000); // the agents at work a moment before anything happens to them

console.log("\n1. A crash");
let mark = told.length;
act(`the demo types "/exit 1" into builder: its process exits, as when a CLI crashes`);
await type(builder.session, "/exit 1");
await narrated(/\bbuilder .*→ restarted/, "builder was not restarted after it crashed", 20, mark);

console.log(`\n2. Why? The watchdog saved the evidence before it acted: ${agentsCmd("why builder")}`);
const why = await agents("why", 15_000, "builder");
if (why.code !== 0) await fail(`${agentsCmd("why builder")} exited ${why.code}: ${why.out.split("\n")[0]}`);
console.log(indent(why.out));

await pause(1500);
console.log("\n3. A usage limit");
mark = told.length;
const reset = new Date(Math.ceil(Date.now() / 1000) * 1000 + LIMIT_RESET_S * 1000).toISOString().replace(".000Z", "Z");
act(`adversary prints a usage-limit banner: "You've hit your usage limit - resets ${reset}" (${LIMIT_RESET_S} s from now)`);
await type(adversary.session, `/limit You've hit your usage limit - resets ${reset}`);
await narrated(/\badversary hit a usage limit/, "adversary's usage limit was not held", 15, mark);
await narrated(/\badversary's usage-limit hold is over/, "adversary was not resumed after its reset", LIMIT_RESET_S + fleet.watchdog.limit_reset_slack + 20, mark);

await pause(1500);
console.log("\n4. A phase done");
mark = told.length;
act(`the demo writes "${fleet.loop.done_marker}" into ${phases[0].id}'s status file (${shown(phases[0].file)})`);
writeFileSync(phases[0].file, statusText(phases[0], `${phases[0].id} delivered (written by the demo at ${hhmmss()})`));
await narrated(/phase advanced/, `the loop did not advance to ${phases[1].id}`, 20, mark);

await pause(500);
clearInterval(tail);
readNarration();
const st = await agents("status", 15_000);
console.log(`\nThe story took ${Math.round((Date.now() - started) / 1000)} s. The fleet keeps running:\n${indent(st.out)}
Look at it:
${hints([
  [agentsCmd("status"), "the table"],
  [agentsCmd("logs watchdog"), "the watchdog's decisions, with their reasons"],
  [agentsCmd("logs builder"), "what builder printed"],
  [agentsCmd("why builder"), "its decisions and the newest forensic record"],
  [`tail -f ${shown(narration)}`, "the narration, as events come"],
  [attach, "watch it live (detach with Ctrl-b d; type /exit 1 there to crash it again)"],
])}
Stop it:
  ${agentsCmd("down")}
Run the story again with npm run demo (it starts afresh).`);
