/**
 * Pure translations between the port and @eventstore/db-client 6.2, kept apart from the client
 * calls so they are tested without a server (esdb-mapping.spec.ts).
 */
import {
  ANY,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  excludeSystemEvents,
  type EventData,
  type Filter,
  jsonEvent,
  type JSONType,
  NO_STREAM,
  type ReadPosition,
  type ResolvedEvent,
  START,
  STREAM_EXISTS,
  MaxAppendSizeExceededError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  AppendTooLargeError,
  type EventMetadata,
  type ExpectedRevision,
  type NewEvent,
  MAX_APPEND_BYTES,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { matchesStreamPrefixes } from '../adapter-support';

/** Position of an event read from a single stream on servers that do not report one. */
export const UNKNOWN_POSITION = -1;

/** EventStoreDB's own streams ($all includes them): never delivered to the application. */
export function isSystemStream(streamId: string): boolean {
  return streamId.startsWith('$');
}

/**
 * EventStoreDB's own event types, which also appear in application streams: a hard-deleted
 * (tombstoned) stream ends with a `$streamDeleted` record under its own name. Never delivered.
 */
export function isSystemEventType(type: string): boolean {
  return type.startsWith('$');
}

/** An event the server wrote for itself (a system stream or a system type), not the application's. */
export function isSystemEvent(event: { readonly streamId: string; readonly type: string }): boolean {
  return isSystemStream(event.streamId) || isSystemEventType(event.type);
}

/**
 * A checkpoint of a filtered subscription, put in the subscription's stream in order with the
 * events: the server has looked at every event up to `position`, the ones it filtered out included.
 */
export class ReachedCheckpoint {
  constructor(readonly position: number) {}
}

/**
 * The `checkpointReached` callback: queues the checkpoint behind the events already received, so it
 * is acted on only once they are handled (the client calls it before those reach the consumer).
 */
export function queueCheckpoint(subscription: { push(chunk: unknown): boolean }, position: { readonly commit: bigint }): void {
  subscription.push(new ReachedCheckpoint(toPortPosition(position.commit)));
}

export class EsdbEventDecodingError extends Error {
  constructor(
    readonly eventId: string,
    readonly streamId: string,
    reason: string,
  ) {
    super(`Event ${eventId} in stream ${streamId} cannot be read: ${reason}`);
    this.name = 'EsdbEventDecodingError';
  }
}

/**
 * The event as the client sends it. The id passes through, which gives EventStoreDB's idempotent
 * append; correlation and causation are also copied to the `$`-keys the server's own tooling
 * (projections, the UI) understands.
 */
export function toEsdbEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data as JSONType,
    metadata: withSystemCorrelation(event.metadata) as JSONType,
  });
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

/** Commit positions are 64-bit; a Number is exact up to 2^53 bytes of log (8 PiB). */
export function toPortPosition(commitPosition: bigint): number {
  if (commitPosition < 0n || commitPosition > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`EventStoreDB commit position ${commitPosition} does not fit a safe integer`);
  }
  return Number(commitPosition);
}

/**
 * Where to start reading $all for "after `position`". gRPC appends are implicit transactions, so
 * every event's commit and prepare positions are equal; the server's start is inclusive, the
 * port's is exclusive, hence `isDeliverable` also drops the event at exactly `position`.
 */
export function toEsdbReadPosition(position: number): ReadPosition {
  if (position === 0) return START;
  const logPosition = BigInt(position);
  return { commit: logPosition, prepare: logPosition };
}

/**
 * The server-side filter of a subscription: only the wanted streams, never system events. The
 * server sends a checkpoint each time it has looked at `checkpointInterval × maxSearchWindow`
 * events (1 × 32, its default window) since the last, matching or not, and at the end of every
 * catch-up page it filtered past; `queueCheckpoint` keeps it in order with the events.
 */
export function toSubscriptionFilter(streamPrefixes: readonly string[] | undefined): Filter {
  const checkpoints = { checkpointInterval: 1, checkpointReached: queueCheckpoint };
  return streamPrefixes === undefined
    ? excludeSystemEvents(checkpoints)
    : streamNameFilter({ prefixes: [...streamPrefixes], ...checkpoints });
}

/** Whether an event read from $all belongs in the port's result (also applied client-side). */
export function isDeliverable(
  resolved: AllStreamResolvedEvent,
  afterPosition: number,
  streamPrefixes: readonly string[] | undefined,
): boolean {
  const event = resolved.event;
  if (!event || isSystemEvent(event) || !matchesStreamPrefixes(event.streamId, streamPrefixes)) {
    return false;
  }
  return toPortPosition(event.position.commit) > afterPosition;
}

export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
  const event = resolved.event;
  if (!event) {
    // Only link events (resolveLinkTos) can lack one, and this adapter never reads links.
    throw new TypeError('Resolved event without an event record');
  }
  const commitPosition = event.position?.commit ?? resolved.commitPosition;
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position:
      commitPosition === undefined || commitPosition > BigInt(Number.MAX_SAFE_INTEGER)
        ? UNKNOWN_POSITION
        : toPortPosition(commitPosition),
    type: event.type,
    data: decodeJsonObject(event.data, event.id, event.streamId, 'data'),
    metadata:
      event.metadata === undefined
        ? {}
        : withoutSystemCorrelation(decodeJsonObject(event.metadata, event.id, event.streamId, 'metadata')),
    recordedAt: event.created.toISOString(),
  };
}

/**
 * The client's optimistic-concurrency and append-size failures become the port's; other errors
 * pass through. The server refuses an oversized append before writing any of it.
 */
export function translateAppendError(error: unknown, streamId: string, expected: ExpectedRevision): unknown {
  if (error instanceof MaxAppendSizeExceededError) {
    return new AppendTooLargeError(streamId, undefined, Number.isSafeInteger(error.maxAppendSize) ? error.maxAppendSize : MAX_APPEND_BYTES);
  }
  if (!(error instanceof WrongExpectedVersionError)) return error;
  const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion);
  return new WrongExpectedRevisionError(streamId, expected, actual);
}

function withSystemCorrelation(metadata: EventMetadata): EventMetadata {
  const { correlationId, causationId } = metadata;
  return {
    ...metadata,
    ...(typeof correlationId === 'string' ? { $correlationId: correlationId } : {}),
    ...(typeof causationId === 'string' ? { $causationId: causationId } : {}),
  };
}

// Drops the `$`-copies written by `withSystemCorrelation`, so metadata round-trips unchanged.
function withoutSystemCorrelation(metadata: Record<string, unknown>): Record<string, unknown> {
  const { $correlationId, $causationId, ...rest } = metadata;
  return {
    ...rest,
    ...($correlationId !== undefined && $correlationId !== metadata.correlationId ? { $correlationId } : {}),
    ...($causationId !== undefined && $causationId !== metadata.causationId ? { $causationId } : {}),
  };
}

function decodeJsonObject(value: unknown, eventId: string, streamId: string, part: string): Record<string, unknown> {
  let decoded = value;
  if (value instanceof Uint8Array) {
    try {
      decoded = JSON.parse(Buffer.from(value).toString('utf8'));
    } catch {
      throw new EsdbEventDecodingError(eventId, streamId, `${part} is not JSON`);
    }
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    throw new EsdbEventDecodingError(eventId, streamId, `${part} is not a JSON object`);
  }
  return decoded as Record<string, unknown>;
}
