import {
  type AppendResult,
  EventStore,
  type ReadAllMatchingOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
} from '@scim/event-store';

/**
 * The event log as it was at `upTo`: what a replay sees while the service keeps appending, so the
 * rebuilt read models and the live ones can be compared at one position. Read-only.
 */
export class EventLogView extends EventStore {
  constructor(
    private readonly log: EventStore,
    readonly upTo: number,
  ) {
    super();
  }

  override append(): Promise<AppendResult> {
    return Promise.reject(new Error('The event log view is read-only'));
  }

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.log.readStream(streamId, options)).filter((event) => event.position <= this.upTo);
  }

  override async streamRevision(streamId: string): Promise<number> {
    return (await this.readStream(streamId)).at(-1)?.revision ?? -1;
  }

  override readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]> {
    return this.bounded(this.log.readAll(options));
  }

  override readAllMatching(options: ReadAllMatchingOptions): AsyncIterable<readonly RecordedEvent[]> {
    return this.bounded(this.log.readAllMatching(options));
  }

  override subscribeToAll(): Subscription {
    throw new Error('The event log view is a snapshot: it has no live events to subscribe to');
  }

  override async headPosition(): Promise<number> {
    return Math.min(await this.log.headPosition(), this.upTo);
  }

  /** The view does not own the log. */
  override async close(): Promise<void> {}

  private async *bounded(batches: AsyncIterable<readonly RecordedEvent[]>): AsyncIterable<readonly RecordedEvent[]> {
    for await (const batch of batches) {
      const within = batch.filter((event) => event.position <= this.upTo);
      if (within.length > 0) yield within;
      if (within.length < batch.length) return;
    }
  }
}
