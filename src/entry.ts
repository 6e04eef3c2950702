// What bin/agents runs. Undo its start-up adjustments before any other module loads, so nothing
// this process spawns (agents, tmux, git) sees a different environment from the user's.
const parked = process.env.AGENTS_SAVED_NODE_EXTRA_CA_CERTS;
if (parked !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = parked;
  delete process.env.AGENTS_SAVED_NODE_EXTRA_CA_CERTS;
}
delete process.env.AGENTS_NODE;

const { run } = await import("./cli.js");
await run(process.argv.slice(2));
