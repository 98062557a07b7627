import type { Metrics } from '../observability/metrics';

/**
 * Read-your-writes (shared/DESIGN.md §4): a write's response returns only once the read models
 * include the write's global position, so the IdP's next GET or filter finds what it just wrote.
 */
export abstract class ReadModelFreshness {
  /** Resolves when every projection has reached `position`; false when the bounded wait ran out. */
  abstract waitFor(position: number): Promise<boolean>;
}

/** A freshness whose every wait is timed, and counted when it runs out, in the metrics. */
export function meteredFreshness(metrics: Metrics, waitFor: (position: number) => Promise<boolean>): ReadModelFreshness {
  return {
    async waitFor(position) {
      const startedAt = performance.now();
      const included = await waitFor(position);
      metrics.readYourWritesWaited((performance.now() - startedAt) / 1000, included);
      return included;
    },
  };
}
