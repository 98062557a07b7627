/**
 * The event store port. Adapters: embedded SQLite (default) and EventStoreDB.
 * Both pass the same contract suite (event-store.contract.ts).
 *
 * Revisions are 0-based per stream (the revision of a stream is the revision of its last event).
 * Positions are global, strictly increasing across all streams, and comparable as numbers.
 */

import { DEFAULT_READ_BATCH_SIZE, matchesMetadata, type MetadataFilter, normalizeMetadataFilter } from './metadata-filter';

export type { MetadataFilter } from './metadata-filter';

/** What the writer believed about the stream before appending. */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

/** Event metadata is free-form for the store; the domain fixes its shape. */
export type EventMetadata = Readonly<Record<string, unknown>>;

export interface NewEvent {
  /** Unique event id (UUID). Appending the same ids again is an idempotent no-op. */
  readonly id: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  /** ISO-8601 time the store committed the event. */
  readonly recordedAt: string;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextExpectedRevision: number;
  /** Global position of the last appended event. */
  readonly position: number;
}

export interface ReadStreamOptions {
  /** The first revision read (default 0). */
  readonly fromRevision?: number;
  /** At most this many events (default: to the end), so that one event of a long stream is one short read. */
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default: from the start. */
  readonly fromPosition?: number;
  /**
   * Inclusive: no event after this position; the read stops there instead of going on to the end
   * (a question about a stretch of the log reads only that stretch). Default: to the end.
   */
  readonly toPosition?: number;
  /** Only streams whose id starts with one of these prefixes. Default: all. */
  readonly streamPrefixes?: readonly string[];
  /** Events per batch yielded by the iterator. */
  readonly batchSize?: number;
}

export interface SubscribeOptions extends ReadAllOptions {
  /**
   * Only events of these types (default: all). The others are read past like other streams'
   * events, without being decoded where the adapter can avoid it.
   */
  readonly eventTypes?: readonly string[];
  /**
   * Called, and awaited like the handler, when the subscription has looked at every event up to
   * `position` and none after the last one delivered is for it (they are other streams'): a
   * subscriber filtering by stream prefix may move its checkpoint there, so that a restart does not
   * scan those events again. An adapter that cannot tell never calls it.
   */
  readonly onSkipped?: (position: number) => Promise<void> | void;
}

export interface ReadAllMatchingOptions extends ReadAllOptions {
  readonly metadata: MetadataFilter;
}

export type SubscriptionHandler = (events: readonly RecordedEvent[]) => Promise<void> | void;

export interface Subscription {
  /** Stops delivery; resolves when no handler call is in flight. */
  close(): Promise<void>;
}

/** The stream's actual revision did not match the expected one. */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * Some of the appended event ids are already recorded, but not as exactly this append to this
 * stream (a retry of the same request is an idempotent success instead).
 */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
  ) {
    super(`Stream ${streamId}: event ids already recorded by another append: ${eventIds.join(', ')}`);
    this.name = 'DuplicateEventIdError';
  }
}

/**
 * EventStoreDB's default `MaxAppendSize` (1 MiB): the most event data, metadata and type names one
 * append may carry. The embedded store enforces the same limit, so what it accepts production accepts.
 */
export const MAX_APPEND_BYTES = 1_048_576;

/**
 * The bytes an append weighs against `MAX_APPEND_BYTES`, counted as EventStoreDB counts them
 * (`Event.SizeOnDisk`: data and metadata as UTF-8 JSON, plus the type at two bytes a character).
 */
export function appendSizeInBytes(events: readonly NewEvent[]): number {
  let bytes = 0;
  for (const event of events) bytes += eventSizeInBytes(JSON.stringify(event.data), JSON.stringify(event.metadata), event.type);
  return bytes;
}

/** One event's share of `appendSizeInBytes`, from its data and metadata as JSON text. */
export function eventSizeInBytes(dataJson: string, metadataJson: string, type: string): number {
  return Buffer.byteLength(dataJson) + Buffer.byteLength(metadataJson) + 2 * type.length;
}

/** The append is larger than the store accepts in one append; nothing of it was written. */
export class AppendTooLargeError extends Error {
  constructor(
    readonly streamId: string,
    /** The append's size when the store measured it (EventStoreDB's refusal does not say). */
    readonly bytes: number | undefined,
    readonly maxBytes: number,
  ) {
    super(`Stream ${streamId}: the append${bytes === undefined ? '' : ` of ${bytes} bytes`} exceeds the limit of ${maxBytes} bytes`);
    this.name = 'AppendTooLargeError';
  }
}

export abstract class EventStore {
  /** Appends atomically to one stream, checking the expected revision. */
  abstract append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** All events of a stream in revision order; empty when the stream does not exist. */
  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * Revision of the stream's last event, -1 when the stream does not exist. Lets a writer append
   * deltas with an expected revision without reading a long stream (e.g. group memberships).
   */
  abstract streamRevision(streamId: string): Promise<number>;

  /** Events of all streams in commit order, in batches. */
  abstract readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]>;

  /**
   * `readAll` restricted to events whose metadata matches `options.metadata`, in commit order, in
   * batches of at most `batchSize` (an account's history for auditors). This default reads every
   * event and filters here, so any adapter answers correctly; an adapter with an index overrides it
   * (SQLite indexes `metadata.accountId`).
   */
  async *readAllMatching(options: ReadAllMatchingOptions): AsyncIterable<readonly RecordedEvent[]> {
    const { metadata, ...readOptions } = options;
    const filter = normalizeMetadataFilter(metadata);
    const batchSize = readOptions.batchSize ?? DEFAULT_READ_BATCH_SIZE;
    let batch: RecordedEvent[] = [];
    for await (const read of this.readAll(readOptions)) {
      for (const event of read) {
        if (!matchesMetadata(event.metadata, filter)) continue;
        batch.push(event);
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }

  /**
   * Catch-up subscription: delivers everything after `fromPosition`, then live events, in order,
   * one batch at a time (the next batch waits for the handler's promise).
   */
  abstract subscribeToAll(
    options: SubscribeOptions,
    handler: SubscriptionHandler,
    onError?: (error: unknown) => void,
  ): Subscription;

  /** Position of the last committed event (0 when empty). */
  abstract headPosition(): Promise<number>;

  abstract close(): Promise<void>;
}
