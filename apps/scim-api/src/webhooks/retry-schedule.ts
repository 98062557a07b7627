/** When to try a failing endpoint again, and when to give up on it. */
export interface RetryPolicy {
  readonly initialDelayMs: number;
  /** Cap between attempts during the first hour: a short outage is caught up soon after it ends. */
  readonly maxDelayMs: number;
  /** Give up (and disable the endpoint) once it has failed for this long. */
  readonly windowMs: number;
}

const HOUR_MS = 3_600_000;
/** After the first hour, attempts every 10 minutes at most: an endpoint down for long is not hammered. */
const LATE_MAX_DELAY_MS = 10 * 60_000;

/**
 * The delay before attempt `failures + 1`, after `failures` consecutive failures that began
 * `failingForMs` ago; undefined once the window has passed. Exponential from `initialDelayMs`,
 * with "equal jitter" (half fixed, half random) so endpoints that failed together do not retry in step.
 */
export function nextRetryDelay(policy: RetryPolicy, failures: number, failingForMs: number, random: () => number = Math.random): number | undefined {
  if (failingForMs >= policy.windowMs) return undefined;
  const cap = failingForMs < HOUR_MS ? policy.maxDelayMs : Math.max(policy.maxDelayMs, LATE_MAX_DELAY_MS);
  const exponential = Math.min(cap, policy.initialDelayMs * 2 ** Math.min(failures - 1, 30));
  const delay = exponential / 2 + random() * (exponential / 2);
  // The last attempt lands at the end of the window, not after it.
  return Math.max(1, Math.min(delay, policy.windowMs - failingForMs));
}
