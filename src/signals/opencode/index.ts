// The opencode signal tap: opencodeTap at launch (loads plugin.ts), readOpencodeSignals on every tick.
export { opencodeTap, opencodeConfigContent, opencodePluginUrl, opencodeResumeArgs, isOpencodeSessionId, OPENCODE_SIGNALS_ENV, type OpencodeLaunchTap, type OpencodeTapInputs } from "./launch.js";
export { readOpencodeSignals, type OpencodeSignalCursor } from "./read.js";
export { foldOpencodeLines, emptyOpencodeReading, emptyOpencodeMemory, type OpencodeFold, type OpencodeFoldOptions, type OpencodeMemory, type OpencodeSession } from "./parse.js";
export { classifyError, durationMs, type OpencodeError } from "./limits.js";
