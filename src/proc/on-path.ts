// Is a program on a search path (an executable file named `cmd` in one of its folders)? Used to
// decide between features and fallbacks (notify-send, systemctl) without running anything.
import { accessSync, constants } from "node:fs";
import path from "node:path";

export function onPath(cmd: string, searchPath: string = process.env.PATH ?? ""): boolean {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}
