// The Codex signal tap: findRollout once the agent has a thread, readCodexSignals on every tick,
// codexResumeArgs to continue the thread at the next launch.
export { findRollout, codexHome, readSessionMeta, type SessionMeta } from "./find.js";
export { readCodexSignals, type CodexSignalCursor } from "./read.js";
export { foldCodexLines, emptyCodexReading, codexRateWindows, codexLimitReset, limitKind, type CodexMemory, type CodexFold, type CodexFoldOptions } from "./parse.js";
export { codexResumeArgs, resumableThread, isCodexThreadId, type CodexResumeOptions } from "./resume.js";
export { readNewLines, parseJsonLine, type LinesCursor, type NewLines } from "../lines.js";
