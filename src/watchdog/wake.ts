// The loop's sleep between ticks and what cuts it short. Wake-ups are coalesced: the first event
// of a storm (files, panes settling, tmux notifications) ends the sleep WAKE_DEBOUNCE_MS later, at
// most one tick per WAKE_MIN_GAP_MS, and an event that comes while a tick runs is kept for the
// sleep after it. A stop ends any sleep at once.

/** Events within this of the first one are one wake-up (a storm of file events costs one tick). */
export const WAKE_DEBOUNCE_MS = 150;
/** Wake-ups start a tick at most this often: a fleet whose panes settle all the time ticks ~1/s. */
export const WAKE_MIN_GAP_MS = 1_000;

/** Pure: how long after an event to end the sleep, for a tick that started at `tickStart`. */
export function wakeDelay(now: number, tickStart: number, stopping: boolean): number {
  return stopping ? 0 : Math.max(WAKE_DEBOUNCE_MS, tickStart + WAKE_MIN_GAP_MS - now);
}

export class Waker {
  private woken = false;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly stopping: () => boolean) {}

  /** Something happened: end the sleep soon (or the next one, if a tick is running). */
  readonly poke = (): void => {
    this.woken = true;
    this.wakeUp?.();
  };

  /** Sleep `waitMs` unless poked; `tickStart` is when the tick before this sleep began. */
  async sleep(waitMs: number, tickStart: number): Promise<void> {
    const until = Date.now() + waitMs;
    const delay = () => Math.min(Math.max(0, until - Date.now()), wakeDelay(Date.now(), tickStart, this.stopping()));
    await new Promise<void>((resolve) => {
      let t = setTimeout(resolve, this.woken ? delay() : waitMs);
      this.wakeUp = () => {
        clearTimeout(t);
        t = setTimeout(resolve, delay());
        // Later events of the storm ride on this timer; only a stop cuts it short.
        this.wakeUp = () => {
          if (!this.stopping()) return;
          clearTimeout(t);
          resolve();
        };
      };
    });
    this.wakeUp = undefined;
    this.woken = false;
  }
}
