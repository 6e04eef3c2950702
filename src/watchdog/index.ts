// The watchdog's public face: what commands, the live selftest and the bench may use. Everything
// else under src/watchdog/ is internal to the reconcile loop.
export { dialogStep, type DialogMemory, type DialogStep } from "./dialog.js";
export { readScreen, type ScreenReading } from "../detect/screen.js";
export { runWatchdog, type WatchdogOptions } from "./loop.js";
