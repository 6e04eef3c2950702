#!/usr/bin/env node
// `npm run demo`: start the demo fleet, show its status, and say how to look and how to stop.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const agents = path.join(root, "bin", "agents");
const cfg = path.join(root, "agents.example.toml");
const run = (...args) => execFileSync(agents, [...args, "--config", cfg], { stdio: "inherit", cwd: root });

run("up");
await new Promise((r) => setTimeout(r, 3000));
run("status");
console.log(`
The demo fleet runs in tmux sessions named demo-*. Try:
  ./bin/agents status --config agents.example.toml
  ./bin/agents logs builder --config agents.example.toml
  ./bin/agents logs watchdog --config agents.example.toml
  tmux attach -t demo-builder        (detach with Ctrl-b d)
Stop it with:
  ./bin/agents down --config agents.example.toml`);
