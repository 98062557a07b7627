import { Logger } from '@nestjs/common';
import { ReadModelFreshness } from '@scim/provisioning';
import type { Metrics } from '../observability/metrics';

/** A freshness whose every wait is timed, and counted when it runs out, in the metrics. */
class MeteredFreshness extends ReadModelFreshness {
  constructor(
    private readonly metrics: Metrics,
    private readonly wait: (position: number) => Promise<boolean>,
  ) {
    super(new Logger('ReadYourWrites'));
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
