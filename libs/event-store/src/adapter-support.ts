/**
 * Rules of the port that every adapter applies the same way, so the adapters cannot drift apart.
 */
import {
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  WrongExpectedRevisionError,
} from './event-store.port';
import { DEFAULT_READ_BATCH_SIZE } from './metadata-filter';

export { DEFAULT_READ_BATCH_SIZE } from './metadata-filter';

/** The stream revision used when a stream does not exist yet. */
export const NO_STREAM_REVISION = -1;

/**
 * Throws `WrongExpectedRevisionError` unless `currentRevision` (-1 when the stream does not exist)
 * satisfies `expected`, with EventStoreDB semantics.
 */
export function assertExpectedRevision(
  streamId: string,
  expected: ExpectedRevision,
  currentRevision: number,
): void {
  const streamExists = currentRevision > NO_STREAM_REVISION;
  let satisfied: boolean;
  switch (expected) {
    case 'any':
      satisfied = true;
      break;
    case 'no_stream':
      satisfied = !streamExists;
      break;
    case 'stream_exists':
      satisfied = streamExists;
      break;
    default:
      satisfied = expected === currentRevision;
  }
  if (!satisfied) {
    throw new WrongExpectedRevisionError(streamId, expected, streamExists ? currentRevision : 'no_stream');
  }
}

/** Rejects malformed arguments before they reach a driver, with a message that names the culprit. */
export function assertValidAppend(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new TypeError('streamId must be a non-empty string');
  }
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new RangeError(`Expected revision must be a non-negative integer or a keyword, got ${expected}`);
    }
  } else if (expected !== 'no_stream' && expected !== 'stream_exists' && expected !== 'any') {
    throw new TypeError(`Unknown expected revision ${String(expected)}`);
  }
  const seenIds = new Set<string>();
  for (const event of events) {
    if (typeof event.id !== 'string' || event.id.length === 0) {
      throw new TypeError(`Stream ${streamId}: every event needs a non-empty string id`);
    }
    if (seenIds.has(event.id)) {
      throw new TypeError(`Stream ${streamId}: event id ${event.id} appears twice in one append`);
    }
    seenIds.add(event.id);
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`Stream ${streamId}: event ${event.id} needs a non-empty type`);
    }
    if (!isPlainRecord(event.data) || !isPlainRecord(event.metadata)) {
      throw new TypeError(`Stream ${streamId}: event ${event.id} data and metadata must be JSON objects`);
    }
  }
}

export interface NormalizedReadAllOptions {
  readonly fromPosition: number;
  readonly toPosition: number;
  readonly streamPrefixes: readonly string[] | undefined;
  readonly batchSize: number;
}

export function normalizeReadAllOptions(options: ReadAllOptions = {}): NormalizedReadAllOptions {
  const fromPosition = options.fromPosition ?? 0;
  const toPosition = options.toPosition ?? Number.MAX_SAFE_INTEGER;
  const batchSize = options.batchSize ?? DEFAULT_READ_BATCH_SIZE;
  if (!Number.isSafeInteger(fromPosition) || fromPosition < 0) {
    throw new RangeError(`fromPosition must be a non-negative integer, got ${fromPosition}`);
  }
  if (!Number.isSafeInteger(toPosition) || toPosition < 0) {
    throw new RangeError(`toPosition must be a non-negative integer, got ${toPosition}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  // An empty list would silently mean "nothing" to one adapter and "everything" to another.
  if (options.streamPrefixes !== undefined && options.streamPrefixes.length === 0) {
    throw new RangeError('streamPrefixes must not be empty; omit it to read every stream');
  }
  return { fromPosition, toPosition, streamPrefixes: options.streamPrefixes, batchSize };
}

/** The rows of a page at or before `toPosition` (pages come in position order). */
export function upTo<Row extends { readonly position: number }>(rows: readonly Row[], toPosition: number): readonly Row[] {
  return rows.length === 0 || rows[rows.length - 1].position <= toPosition ? rows : rows.filter((row) => row.position <= toPosition);
}

export function matchesStreamPrefixes(streamId: string, prefixes: readonly string[] | undefined): boolean {
  return prefixes === undefined || prefixes.some((prefix) => streamId.startsWith(prefix));
}

/** Default `onError` of subscriptions: a stopped projection must never go unnoticed. */
export function reportStoppedSubscription(error: unknown): void {
  console.error('Event store subscription stopped by an error:', error);
}

function isPlainRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
