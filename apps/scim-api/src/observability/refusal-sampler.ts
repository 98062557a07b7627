const WINDOW_MS = 1_000;

interface Window {
  start: number;
  logged: number;
  suppressed: number;
}

/**
 * Bounds the log lines of refused authentications: at most `perSecond` lines per reason per
 * second, so a brute force cannot flood the logs; what was left out is reported as a count
 * (`onSuppressed`) once the second is over.
 */
export class RefusalSampler {
  private readonly windows = new Map<string, Window>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly perSecond: number,
    private readonly onSuppressed: (reason: string, count: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this refusal may be logged; false when it is only counted. */
  admit(reason: string): boolean {
    const now = this.now();
    let window = this.windows.get(reason);
    if (!window || now - window.start >= WINDOW_MS) {
      if (window) this.report(reason, window);
      window = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(reason, window);
    }
    if (window.logged < this.perSecond) {
      window.logged++;
      return true;
    }
    window.suppressed++;
    // Reports the count even if no refusal of this reason ever comes again.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, WINDOW_MS).unref();
    return false;
  }

  /** Reports every count not yet reported (also at shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [reason, window] of this.windows) this.report(reason, window);
  }

  private report(reason: string, window: Window): void {
    if (window.suppressed === 0) return;
    this.onSuppressed(reason, window.suppressed);
    window.suppressed = 0;
  }
}
