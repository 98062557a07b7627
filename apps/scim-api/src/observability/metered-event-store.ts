import { DelegatingEventStore, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent, type ReadAllMatchingOptions, type RecordedEvent, WrongExpectedRevisionError } from '@scim/event-store';
import type { Metrics } from './metrics';

/** Counts appended events and times every append, by outcome; reads pass through. */
export class MeteredEventStore extends DelegatingEventStore {
  constructor(
    inner: EventStore,
    private readonly metrics: Metrics,
  ) {
    super(inner);
  }

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const startedAt = performance.now();
    try {
      const result = await this.inner.append(streamId, events, expected);
      this.metrics.appended(events.length, (performance.now() - startedAt) / 1000, 'ok');
      return result;
    } catch (error) {
      this.metrics.appended(events.length, (performance.now() - startedAt) / 1000, error instanceof WrongExpectedRevisionError ? 'conflict' : 'error');
      throw error;
    }
  }

  // Forwarded, so the inner store's account index answers audit queries.
  override readAllMatching(options: ReadAllMatchingOptions): AsyncIterable<readonly RecordedEvent[]> {
    return this.inner.readAllMatching(options);
  }
}
