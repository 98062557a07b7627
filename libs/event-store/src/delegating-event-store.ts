import {
  type AppendResult,
  EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from './event-store.port';

/**
 * A decorator's starting point: forwards every operation an adapter must implement to `inner`, so
 * a decorator overrides only what it changes. `readAllMatching` keeps the port's default (read and
 * filter) unless the decorator forwards it too, to reach the inner store's index.
 */
export abstract class DelegatingEventStore extends EventStore {
  constructor(protected readonly inner: EventStore) {
    super();
  }

  override append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(streamId, events, expected);
  }

  override readStream(streamId: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  override streamRevision(streamId: string): Promise<number> {
    return this.inner.streamRevision(streamId);
  }

  override readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  override subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler, onError?: (error: unknown) => void): Subscription {
    return this.inner.subscribeToAll(options, handler, onError);
  }

  override headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  override close(): Promise<void> {
    return this.inner.close();
  }

  /** This store, or the first one it decorates (however deep), that is a `Layer`. */
  layer<Layer extends EventStore>(type: abstract new (...args: never[]) => Layer): Layer | undefined {
    if (this instanceof type) return this;
    return this.inner instanceof DelegatingEventStore ? this.inner.layer(type) : this.inner instanceof type ? this.inner : undefined;
  }
}
