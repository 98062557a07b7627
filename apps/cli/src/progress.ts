/** Where progress goes: stderr, so stdout stays clean for results and pipes. */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressFigures {
  /** Events processed so far. */
  readonly events: number;
  /** How far through the log, and its end: the share done is `position / head`. */
  readonly position: number;
  readonly head: number;
}

const BAR_WIDTH = 30;
const numberFormat = new Intl.NumberFormat('en-US');

export const formatCount = (value: number): string => numberFormat.format(Math.round(value));

/** One line: bar, percentage, events, events/s and the time left. Pure, for tests. */
export function renderProgress(label: string, figures: ProgressFigures, elapsedSeconds: number): string {
  const share = figures.head > 0 ? Math.min(1, figures.position / figures.head) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const rate = elapsedSeconds > 0 ? figures.events / elapsedSeconds : 0;
  const remaining = share > 0 && share < 1 ? (elapsedSeconds * (1 - share)) / share : 0;
  return (
    `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(share * 100).toFixed(1).padStart(5)}%  ` +
    `${formatCount(figures.events)} events  ${formatCount(rate)} events/s` +
    (share < 1 ? `  ETA ${formatDuration(remaining)}` : '')
  );
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * A progress bar redrawn in place on a terminal; elsewhere (CI logs, files) a plain line every few
 * seconds, so a long replay is visibly alive without flooding the log.
 */
export class ProgressBar {
  private readonly startedAt: number;
  private lastDrawnAt = Number.NEGATIVE_INFINITY;
  private last: ProgressFigures = { events: 0, position: 0, head: 0 };

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.startedAt = clock();
  }

  update(figures: ProgressFigures): void {
    this.last = figures;
    const now = this.clock();
    if (now - this.lastDrawnAt < (this.out.isTTY ? 100 : 2_000)) return;
    this.lastDrawnAt = now;
    this.draw();
  }

  /** Draws the final state (the whole log done) and ends the line; returns the elapsed seconds. */
  finish(): number {
    const seconds = this.elapsedSeconds();
    this.last = { ...this.last, position: Math.max(this.last.position, this.last.head) };
    this.draw();
    if (this.out.isTTY) this.out.write('\n');
    return seconds;
  }

  private draw(): void {
    const line = renderProgress(this.label, this.last, this.elapsedSeconds());
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }

  private elapsedSeconds(): number {
    return (this.clock() - this.startedAt) / 1000;
  }
}
