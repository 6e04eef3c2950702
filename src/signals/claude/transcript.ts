// Whether Claude Code has offered to continue by itself after a usage limit. No hook and no
// statusLine field carries the offer (2.1.330): it is a `system`/`informational` record in the
// transcript ("Usage limit reached · set to continue automatically at 6:18am"), shown on screen
// too. Hooks only say when it fires or is given up (Notification quota_auto_resume_*; parse.ts).
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

type Json = Record<string, unknown>;

/** A notice that arms the offer, and the ones that end it without a continuation in flight. */
const ARMED = /set to continue automatically/i;
const ENDED = /automatic continue (cancelled|was turned off|stopped|did not run)|continuing automatically|continuing now|press enter to continue/i;

/**
 * Pure: the offer's state after the newest user turn in these transcript lines. A user record
 * (typed or the auto-continuation itself) starts a new turn and forgets older notices, so an offer
 * from an earlier limit never leaks into this one. undefined: no notice about it since that turn.
 */
export function autoContinueOffer(lines: string[]): boolean | undefined {
  let offer: boolean | undefined;
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    let r: Json;
    try {
      r = JSON.parse(line) as Json;
    } catch {
      continue;
    }
    if (r.type === "user") offer = undefined;
    else if (r.type === "system" && r.subtype === "informational" && typeof r.content === "string") {
      if (ARMED.test(r.content)) offer = true;
      else if (ENDED.test(r.content)) offer = false;
    }
  }
  return offer;
}

/**
 * The last `maxBytes` of a transcript as whole lines (the first, cut, line dropped). The offer is
 * written right after the limit's error record and the transcript hardly grows while limited, so
 * the tail holds it; reading only the tail keeps a long conversation's transcript cheap.
 */
export function transcriptTail(file: string, maxBytes = 256 * 1024): string[] {
  let fd: number;
  try {
    // Non-blocking, and only a regular file (the path comes from the CLI's own records).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return [];
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return [];
    const size = st.size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    const lines = buf.subarray(0, got).toString("utf8").split("\n");
    return start > 0 ? lines.slice(1) : lines;
  } finally {
    closeSync(fd);
  }
}
