// `agents service install|remove|run`: a fleet that comes back after a reboot. install/remove
// write or delete a systemd user unit (a launchd agent on macOS), or print the cron line where no
// service manager exists; run is what that unit runs (src/service/boot.ts).
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Fleet } from "../config/load.js";
import { hostFor, install, managerOf, remove, serviceFile, type ServiceHost } from "../service/install.js";
import { captureEnv, launchdLabel, renderCronLine, serviceName, type ServiceSpec } from "../service/render.js";
import { serviceLogFile } from "../state/paths.js";
import { openFleet } from "./context.js";
import type { Args } from "./table.js";

// The bin script, as the watchdog session runs it (see watchdog-start.ts).
const CLI_BIN = fileURLToPath(new URL("../../bin/agents", import.meta.url));

export function specFor(fleet: Fleet, host: ServiceHost, env: NodeJS.ProcessEnv, node = process.execPath, bin = CLI_BIN): ServiceSpec {
  const name = serviceName(fleet.configPath, fleet.projectDir);
  return {
    name,
    label: launchdLabel(name),
    configPath: fleet.configPath,
    projectDir: fleet.projectDir,
    node,
    bin,
    env: captureEnv(env),
    envFile: path.join(host.configHome, "agents", `${name}.env`),
    logFile: serviceLogFile(fleet),
  };
}

export async function run(inv: Args<"service">, host: ServiceHost = hostFor(process.env)): Promise<number> {
  const action = inv.args.action;
  if (inv.opts.print && action !== "install") throw inv.usage("--print goes with install");
  const ctx = await openFleet(inv.opts.config, inv.io);
  if (action === "run") {
    const { serviceRun } = await import("../service/boot.js");
    return serviceRun(ctx);
  }
  const spec = specFor(ctx.fleet, host, process.env);
  if (inv.opts.print) {
    const target = serviceFile(host, managerOf(host), spec);
    const text = target?.text ?? `${renderCronLine(spec)}\n`;
    for (const l of text.replace(/\n$/, "").split("\n")) inv.io.out(l);
    return 0;
  }
  const report = action === "install" ? await install(host, spec) : await remove(host, spec);
  for (const l of report.lines) inv.io.out(l);
  return report.code;
}
