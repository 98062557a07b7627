import { Logger } from '@nestjs/common';
import type { Metrics } from '../observability/metrics';

/**
 * Read-your-writes (shared/DESIGN.md §4): a write's response returns only once the read models
 * include the write's global position, so the IdP's next GET or filter finds what it just wrote.
 */
export abstract class ReadModelFreshness {
  private static readonly logger = new Logger('ReadYourWrites');

  /** Resolves when every projection has reached `position`; false when the bounded wait ran out. */
  abstract waitFor(position: number): Promise<boolean>;

  /** Waits (bounded) until the read models include `position`; a write answers even if they lag. */
  async settle(position: number): Promise<void> {
    if (position <= 0) return;
    if (!(await this.waitFor(position))) {
      ReadModelFreshness.logger.warn(`Read models did not reach position ${position} in time; the response is sent anyway`);
    }
  }
}

/** A freshness whose every wait is timed, and counted when it runs out, in the metrics. */
class MeteredFreshness extends ReadModelFreshness {
  constructor(
    private readonly metrics: Metrics,
    private readonly wait: (position: number) => Promise<boolean>,
  ) {
    super();
  }

  async waitFor(position: number): Promise<boolean> {
    const startedAt = performance.now();
    const included = await this.wait(position);
    this.metrics.readYourWritesWaited((performance.now() - startedAt) / 1000, included);
    return included;
  }
}

export function meteredFreshness(metrics: Metrics, waitFor: (position: number) => Promise<boolean>): ReadModelFreshness {
  return new MeteredFreshness(metrics, waitFor);
}
