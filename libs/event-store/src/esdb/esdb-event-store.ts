import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as EsdbAppendResult,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  StreamNotFoundError,
} from '@eventstore/db-client';
import {
  appendSizeInBytes,
  AppendTooLargeError,
  type AppendResult,
  EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type SubscribeOptions,
  type RecordedEvent,
  type Subscription,
  type SubscriptionHandler,
  MAX_APPEND_BYTES,
} from '../event-store.port';
import {
  assertExpectedRevision,
  assertValidAppend,
  NO_STREAM_REVISION,
  normalizeReadAllOptions,
  reportStoppedSubscription,
} from '../adapter-support';
import {
  isDeliverable,
  isSystemStream,
  toEsdbEventData,
  toEsdbExpectedRevision,
  toEsdbReadPosition,
  toPortPosition,
  toRecordedEvent,
  toSubscriptionFilter,
  translateAppendError,
  UNKNOWN_POSITION,
} from './esdb-mapping';
import { readInBatches } from './read-in-batches';

export interface EsdbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  readonly connectionString: string;
  /** The server's `MaxAppendSize` when it is not the default (`MAX_APPEND_BYTES`). */
  readonly maxAppendBytes?: number;
}

/**
 * EventStoreDB adapter (distributed mode). Event ids must be UUIDs. Every call to
 * @eventstore/db-client lives in this folder, so moving to its successor is local.
 */
export class EsdbEventStore extends EventStore {
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed: Promise<void> | undefined;

  /** Connects lazily: the client dials on the first call. */
  static connect(options: EsdbEventStoreOptions): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(options.connectionString), options.maxAppendBytes);
  }

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly maxAppendBytes = MAX_APPEND_BYTES,
  ) {
    super();
  }

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    assertValidAppend(streamId, events, expected);
    if (events.length === 0) return this.checkExpectation(streamId, expected);
    // Measured here too, so the refusal names the size; the server's own refusal is translated below.
    const bytes = appendSizeInBytes(events);
    if (bytes > this.maxAppendBytes) throw new AppendTooLargeError(streamId, bytes, this.maxAppendBytes);
    let result: EsdbAppendResult;
    try {
      result = await this.client.appendToStream(streamId, events.map(toEsdbEventData), {
        expectedRevision: toEsdbExpectedRevision(expected),
      });
    } catch (error) {
      throw translateAppendError(error, streamId, expected);
    }
    const position = result.position
      ? toPortPosition(result.position.commit)
      : await this.lastEventPosition(streamId);
    return { nextExpectedRevision: Number(result.nextExpectedRevision), position };
  }

  override async readStream(streamId: string, options: { readonly fromRevision?: number } = {}): Promise<RecordedEvent[]> {
    const read = this.client.readStream(streamId, {
      direction: FORWARDS,
      fromRevision: BigInt(options.fromRevision ?? 0),
    });
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of read) events.push(toRecordedEvent(resolved));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  /**
   * The 6.2 client's readAll has no server-side filter (only subscriptions do), so streams are
   * filtered here; system events are always left out.
   */
  override async *readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]> {
    const { fromPosition, streamPrefixes, batchSize } = normalizeReadAllOptions(options);
    const read = this.client.readAll({
      direction: FORWARDS,
      fromPosition: toEsdbReadPosition(fromPosition),
      resolveLinkTos: false,
    });
    try {
      let batch: RecordedEvent[] = [];
      for await (const resolved of read) {
        if (!isDeliverable(resolved, fromPosition, streamPrefixes)) continue;
        batch.push(toRecordedEvent(resolved));
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await read.cancel();
    }
  }

  // readAllMatching (an account's history) is the port's default: $all read and filtered here, in
  // time proportional to the whole log. EventStoreDB has no index on metadata; a server-side
  // projection into per-account streams would be the way to one.

  override subscribeToAll(
    options: SubscribeOptions,
    handler: SubscriptionHandler,
    onError: (error: unknown) => void = reportStoppedSubscription,
  ): Subscription {
    const { fromPosition, streamPrefixes, batchSize } = normalizeReadAllOptions(options);
    const source = this.client.subscribeToAll(
      {
        fromPosition: toEsdbReadPosition(fromPosition),
        resolveLinkTos: false,
        filter: toSubscriptionFilter(streamPrefixes),
      },
      { highWaterMark: batchSize },
    );
    const subscription = new EsdbSubscription(source, fromPosition, streamPrefixes, options.eventTypes, batchSize, handler, onError, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  override async streamRevision(streamId: string): Promise<number> {
    return (await this.lastEvent(streamId))?.revision ?? NO_STREAM_REVISION;
  }

  /** Position of the last application event ($all's tail minus system events), 0 when none. */
  override async headPosition(): Promise<number> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, resolveLinkTos: false });
    try {
      for await (const resolved of read) {
        if (resolved.event && !isSystemStream(resolved.event.streamId)) {
          return toPortPosition(resolved.event.position.commit);
        }
      }
      return 0;
    } finally {
      await read.cancel();
    }
  }

  override close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.client.dispose();
    })();
    return this.closed;
  }

  // An empty append only checks the expectation. The server would accept one, but its reply
  // cannot tell "no stream" from revision 0, so the check reads the stream's last event instead.
  private async checkExpectation(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const last = await this.lastEvent(streamId);
    const currentRevision = last ? last.revision : NO_STREAM_REVISION;
    assertExpectedRevision(streamId, expected, currentRevision);
    return { nextExpectedRevision: currentRevision, position: await this.headPosition() };
  }

  // Fallback when the server's append reply carries no position (e.g. an idempotent retry).
  private async lastEventPosition(streamId: string): Promise<number> {
    const last = await this.lastEvent(streamId);
    return last && last.position !== UNKNOWN_POSITION ? last.position : this.headPosition();
  }

  private async lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    const read = this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    try {
      for await (const resolved of read) return toRecordedEvent(resolved);
      return undefined;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    } finally {
      await read.cancel();
    }
  }
}

// A catch-up subscription: the server replays from the checkpoint, then goes live, in order.
class EsdbSubscription implements Subscription {
  private stopping = false;
  private sourceStopped: Promise<void> | undefined;
  private readonly finished: Promise<void>;

  constructor(
    private readonly source: AllStreamSubscription,
    private lastDeliveredPosition: number,
    private readonly streamPrefixes: readonly string[] | undefined,
    // The server filters by stream prefix; types are filtered here (one server-side filter per subscription).
    private readonly eventTypes: readonly string[] | undefined,
    private readonly batchSize: number,
    private readonly handler: SubscriptionHandler,
    private readonly onError: (error: unknown) => void,
    private readonly onFinished: () => void,
  ) {
    this.finished = this.deliver();
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.stopSource();
    await this.finished;
  }

  private async deliver(): Promise<void> {
    await Promise.resolve();
    let handlerFailure: { readonly error: unknown } | undefined;
    try {
      for await (const resolvedBatch of readInBatches<AllStreamResolvedEvent>(this.source, this.batchSize)) {
        if (this.stopping) break;
        const events: RecordedEvent[] = [];
        for (const resolved of resolvedBatch) {
          // The server filters too; this also drops an event at exactly the checkpoint if it is resent.
          if (!isDeliverable(resolved, this.lastDeliveredPosition, this.streamPrefixes)) continue;
          const event = toRecordedEvent(resolved);
          this.lastDeliveredPosition = event.position;
          if (!this.eventTypes || this.eventTypes.includes(event.type)) events.push(event);
        }
        if (events.length === 0) continue;
        try {
          await this.handler(events);
        } catch (error) {
          handlerFailure = { error };
          break;
        }
      }
      if (handlerFailure) {
        this.onError(handlerFailure.error);
      } else if (!this.stopping) {
        this.onError(new Error('EventStoreDB ended the subscription'));
      }
    } catch (error) {
      // Once close() cancelled the call, the stream's errors are the cancellation itself.
      if (!this.stopping) this.onError(error);
    } finally {
      this.stopping = true;
      await this.stopSource();
      this.onFinished();
    }
  }

  private stopSource(): Promise<void> {
    this.sourceStopped ??= (async () => {
      // The call may already be gone (server closed it); destroying the readable is what matters.
      await this.source.unsubscribe().catch(() => undefined);
      // Cancelling the gRPC call does not end the readable; destroying it ends the delivery loop.
      this.source.destroy();
    })();
    return this.sourceStopped;
  }
}
