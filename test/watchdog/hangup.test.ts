import { describe, expect, it } from "vitest";
import { onHangup } from "../../src/watchdog/hangup.js";
import { pane } from "./helpers.js";

describe("SIGHUP", () => {
  it("outside tmux it stops, as any daemon's foreground run", () => expect(onHangup(false, [])).toBe("stop"));
  it("no server (or no session left) means the server died: survive", () => expect(onHangup(true, [])).toBe("survive"));
  it("other sessions still there means our session was killed: stop", () => expect(onHangup(true, [pane("t-a")])).toBe("stop"));
});
