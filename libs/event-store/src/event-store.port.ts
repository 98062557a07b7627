/**
 * The event store port. Adapters: embedded SQLite (default) and EventStoreDB.
 * Both pass the same contract suite (event-store.contract.ts).
 *
 * Revisions are 0-based per stream (the revision of a stream is the revision of its last event).
 * Positions are global, strictly increasing across all streams, and comparable as numbers.
 */

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

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default: from the start. */
  readonly fromPosition?: number;
  /** Only streams whose id starts with one of these prefixes. Default: all. */
  readonly streamPrefixes?: readonly string[];
  /** Events per batch yielded by the iterator. */
  readonly batchSize?: number;
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

export abstract class EventStore {
  /** Appends atomically to one stream, checking the expected revision. */
  abstract append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** All events of a stream in revision order; empty when the stream does not exist. */
  abstract readStream(streamId: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]>;

  /**
   * Revision of the stream's last event, -1 when the stream does not exist. Lets a writer append
   * deltas with an expected revision without reading a long stream (e.g. group memberships).
   */
  abstract streamRevision(streamId: string): Promise<number>;

  /** Events of all streams in commit order, in batches. */
  abstract readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]>;

  /**
   * Catch-up subscription: delivers everything after `fromPosition`, then live events, in order,
   * one batch at a time (the next batch waits for the handler's promise).
   */
  abstract subscribeToAll(
    options: ReadAllOptions,
    handler: SubscriptionHandler,
    onError?: (error: unknown) => void,
  ): Subscription;

  /** Position of the last committed event (0 when empty). */
  abstract headPosition(): Promise<number>;

  abstract close(): Promise<void>;
}
