// How long a toast stays, and its timers: long enough to read (and to reach
// its Undo by keyboard), and held while the pointer or the focus is on the
// toasts, so nobody loses a message they are reading (WCAG 2.2.1).

/** Milliseconds a toast stays: a floor by kind, more for longer texts (about 240 words a minute). */
export function toastLifetime(text: string, kind: "info" | "error", hasAction: boolean): number {
  const words = text.trim().split(/\s+/).filter(Boolean).length;
  const reading = 2000 + words * 250;
  const floor = kind === "error" ? 8000 : hasAction ? 10000 : 5000;
  return Math.max(floor, reading);
}

/** One timer per toast that can be held (paused) and released as a group. */
export class ToastTimers {
  #timers = new Map<number, { left: number; started: number; handle: ReturnType<typeof setTimeout> | null; expire: () => void }>();
  #held = false;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Calls `expire` after `ms` of not being held. */
  start(id: number, ms: number, expire: () => void): void {
    const timer = { left: ms, started: this.now(), handle: null as ReturnType<typeof setTimeout> | null, expire };
    this.#timers.set(id, timer);
    if (!this.#held) this.#arm(id);
  }

  /** Forgets a toast's timer (dismissed by hand). */
  stop(id: number): void {
    const timer = this.#timers.get(id);
    if (timer?.handle) clearTimeout(timer.handle);
    this.#timers.delete(id);
  }

  /** Holds every timer (pointer over, or focus in, the toasts); `false` lets them run on with what was left. */
  hold(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    for (const [id, timer] of this.#timers) {
      if (held) {
        if (timer.handle) clearTimeout(timer.handle);
        timer.handle = null;
        timer.left = Math.max(0, timer.left - (this.now() - timer.started));
      } else {
        this.#arm(id);
      }
    }
  }

  get held(): boolean {
    return this.#held;
  }

  #arm(id: number): void {
    const timer = this.#timers.get(id);
    if (!timer) return;
    timer.started = this.now();
    timer.handle = setTimeout(() => {
      this.#timers.delete(id);
      timer.expire();
    }, timer.left);
  }
}
