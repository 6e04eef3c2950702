// The Claude Code signal tap: claudeTap at launch, readClaudeSignals on every tick.
export { claudeTap, claudeConfigDir, claudeProjectFolders, findTranscript, planClaudeTap, type ClaudeLaunchTap, type ClaudeTapOptions, type TapInputs, type TapPlan } from "./launch.js";
export { readClaudeSignals, emptyClaudeReading, type ClaudeSignalCursor } from "./read.js";
export { foldLines, limitReset, rateWindows, windowOfMessage, type ClaudeMemory } from "./parse.js";
export { autoContinueOffer, transcriptTail } from "./transcript.js";
export { tapSettings, recordCommand, markerCommand, statusLineCommand, RECORDED_EVENTS, MARKED_EVENTS, type StatusLineSetting, type TapSettings } from "./hooks.js";
export { findUserStatusLine, statusLineSources, statusLineOf } from "./user-settings.js";
