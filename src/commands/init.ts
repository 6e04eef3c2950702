// `agents init`: scaffold a project from the shipped templates (templates/init/, prompts/).
// Never overwrites: an existing agents.toml stops it, existing prompts, plans and status files stay.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";
import { renderText } from "../fleet/template.js";
import { mkdirp } from "../state/files.js";
import type { Args } from "./table.js";

const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TEMPLATES = path.join(PACKAGE_ROOT, "templates", "init");
const PROMPTS = ["kickoff.md", "builder.md", "adversary.md"];

export function run(inv: Args<"init">): number {
  const { io } = inv;
  const target = path.resolve(inv.args.dir ?? ".");
  const cfg = path.join(target, "agents.toml");
  if (existsSync(cfg)) throw new UserError(`${cfg}: already exists; refusing to overwrite`);
  const prompts = path.join(target, "prompts");
  const clashes = PROMPTS.filter((f) => existsSync(path.join(prompts, f)));
  mkdirp(prompts);
  const prefix = path.basename(target).replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 30) || "proj";
  writeFileSync(cfg, renderText(readFileSync(path.join(TEMPLATES, "agents.toml"), "utf8"), { prefix }), { flag: "wx" });
  for (const f of PROMPTS) {
    if (!clashes.includes(f)) copyFileSync(path.join(PACKAGE_ROOT, "prompts", f), path.join(prompts, f));
  }
  for (const rel of ["plans/P1.md", "status/P1-STATUS.md"]) {
    const dest = path.join(target, rel);
    mkdirp(path.dirname(dest));
    if (!existsSync(dest)) copyFileSync(path.join(TEMPLATES, rel), dest);
  }
  io.out(`created ${cfg}, prompts/ (${PROMPTS.join(", ")}), plans/P1.md, status/P1-STATUS.md`);
  if (clashes.length) io.out(`kept your existing prompts/${clashes.join(", prompts/")}`);
  io.out(`next: edit agents.toml, then run \`agents up\` in ${target}`);
  return 0;
}
