import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as EsdbAppendResult,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  StreamDeletedError,
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
  type ReadStreamOptions,
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
  matchesStreamPrefixes,
} from '../adapter-support';
import {
  isDeliverable,
  isSystemEvent,
  ReachedCheckpoint,
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

  override async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const read = this.client.readStream(streamId, {
      direction: FORWARDS,
      fromRevision: BigInt(options.fromRevision ?? 0),
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
    });
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of read) events.push(toRecordedEvent(resolved));
    } catch (error) {
      if (isAbsentStream(error)) return [];
      throw error;
    }
    return events;
  }

  /**
   * The 6.2 client's readAll has no server-side filter (only subscriptions do), so streams are
   * filtered here; system events are always left out.
   */
  override async *readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]> {
    const { fromPosition, toPosition, streamPrefixes, batchSize } = normalizeReadAllOptions(options);
    const read = this.client.readAll({
      direction: FORWARDS,
      fromPosition: toEsdbReadPosition(fromPosition),
      resolveLinkTos: false,
    });
    try {
      let batch: RecordedEvent[] = [];
      for await (const resolved of read) {
        // Checked on every event, filtered out or not: the read stops at the bound, not at the end.
        if (resolved.event && toPortPosition(resolved.event.position.commit) > toPosition) break;
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
  // time proportional to the whole log, since EventStoreDB has no index on metadata. The API wraps
  // this store in AccountIndexedEventStore (libs/read-models), which reads the projector's
  // account-log index instead and only the unindexed tail through here.

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
    const subscription = new EsdbSubscription(
      source,
      fromPosition,
      streamPrefixes,
      options.eventTypes,
      batchSize,
      handler,
      onError,
      () => this.subscriptions.delete(subscription),
      options.onSkipped,
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
        if (resolved.event && !isSystemEvent(resolved.event)) {
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
      if (isAbsentStream(error)) return undefined;
      throw error;
    } finally {
      await read.cancel();
    }
  }
}

/**
 * A stream that was never written, or was deleted: soft-deleted streams read as not found,
 * hard-deleted (tombstoned) ones throw `StreamDeletedError`. Both read as empty, as in the port.
 */
function isAbsentStream(error: unknown): boolean {
  return error instanceof StreamNotFoundError || error instanceof StreamDeletedError;
}

/**
 * A catch-up subscription: the server replays from the checkpoint, then goes live, in order. Events
 * the subscriber does not get (system events, other streams, other types) and the server's
 * checkpoints are reported through `onSkipped` once the events before them are handled, so a
 * checkpoint moves past what the projection need not read again. Exported for its unit tests.
 */
export class EsdbSubscription implements Subscription {
  private stopping = false;
  private sourceStopped: Promise<void> | undefined;
  private readonly finished: Promise<void>;
  /** Every event up to here has been looked at (delivered, or read past). */
  private lookedAt: number;
  private reportedSkip = 0;
  /** EventStoreDB's own events read past in application streams (`$streamDeleted` tombstones...). */
  skippedSystemEvents = 0;

  constructor(
    private readonly source: Pick<AllStreamSubscription, 'read' | 'on' | 'off' | 'unsubscribe' | 'destroy' | 'errored' | 'destroyed' | 'readableEnded'>,
    fromPosition: number,
    private readonly streamPrefixes: readonly string[] | undefined,
    // The server filters by stream prefix; types are filtered here (one server-side filter per subscription).
    private readonly eventTypes: readonly string[] | undefined,
    private readonly batchSize: number,
    private readonly handler: SubscriptionHandler,
    private readonly onError: (error: unknown) => void,
    private readonly onFinished: () => void,
    private readonly onSkipped?: (position: number) => Promise<void> | void,
  ) {
    this.lookedAt = fromPosition;
    this.reportedSkip = fromPosition;
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
      const batches = readInBatches<AllStreamResolvedEvent | ReachedCheckpoint>(this.source as AllStreamSubscription, this.batchSize);
      for await (const items of batches) {
        if (this.stopping) break;
        const events = this.wanted(items);
        try {
          if (events.length > 0) await this.handler(events);
          const lastDelivered = events.length > 0 ? events[events.length - 1].position : 0;
          if (this.lookedAt > lastDelivered && this.lookedAt > this.reportedSkip && !this.stopping) {
            this.reportedSkip = this.lookedAt;
            await this.onSkipped?.(this.lookedAt);
          }
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

  /** The batch's events for the handler; moves `lookedAt` over all it read, checkpoints included. */
  private wanted(items: readonly (AllStreamResolvedEvent | ReachedCheckpoint)[]): RecordedEvent[] {
    const events: RecordedEvent[] = [];
    for (const item of items) {
      if (item instanceof ReachedCheckpoint) {
        this.lookedAt = Math.max(this.lookedAt, item.position);
        continue;
      }
      const event = item.event;
      if (!event) continue;
      const position = toPortPosition(event.position.commit);
      // The server starts at the checkpoint itself, and may resend after a reconnect.
      if (position <= this.lookedAt) continue;
      this.lookedAt = position;
      if (isSystemEvent(event)) {
        this.skippedSystemEvents++;
        continue;
      }
      if (!matchesStreamPrefixes(event.streamId, this.streamPrefixes)) continue;
      if (this.eventTypes && !this.eventTypes.includes(event.type)) continue;
      events.push(toRecordedEvent(item));
    }
    return events;
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
