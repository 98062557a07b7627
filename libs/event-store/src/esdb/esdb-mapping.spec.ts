import {
  ANY,
  type AllStreamResolvedEvent,
  NO_STREAM,
  MaxAppendSizeExceededError,
  START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { AppendTooLargeError, WrongExpectedRevisionError } from '../event-store.port';
import {
  EsdbEventDecodingError,
  isDeliverable,
  toEsdbEventData,
  toEsdbExpectedRevision,
  toEsdbReadPosition,
  toPortPosition,
  toRecordedEvent,
  toSubscriptionFilter,
  queueCheckpoint,
  translateAppendError,
  UNKNOWN_POSITION,
} from './esdb-mapping';

const created = new Date('2025-03-01T12:00:00.000Z');

function resolvedFromAll(overrides: {
  streamId?: string;
  commit?: bigint;
  data?: unknown;
  metadata?: unknown;
  isJson?: boolean;
}): AllStreamResolvedEvent {
  const commit = overrides.commit ?? 1_000n;
  return {
    event: {
      streamId: overrides.streamId ?? 'user-1',
      id: '6a1f1a2e-9a5e-4b1e-8d0e-3f2b9e1d7c11',
      isJson: overrides.isJson ?? true,
      revision: 3n,
      type: 'UserProvisioned',
      created,
      data: overrides.data ?? { userName: 'zoë' },
      metadata: overrides.metadata,
      position: { commit, prepare: commit },
    },
    commitPosition: commit,
  } as AllStreamResolvedEvent;
}

describe('toEsdbEventData', () => {
  test('passes id, type and data through as a JSON event', () => {
    const data = { userName: 'zoë', name: { givenName: 'Zoë' } };

    const eventData = toEsdbEventData({ id: 'e1', type: 'UserProvisioned', data, metadata: {} });

    expect(eventData).toMatchObject({ id: 'e1', type: 'UserProvisioned', contentType: 'application/json', data });
  });

  test('copies correlation and causation ids to the keys EventStoreDB understands', () => {
    const metadata = { correlationId: 'c-1', causationId: 'k-1', actor: 'admin' };

    const eventData = toEsdbEventData({ id: 'e1', type: 'T', data: {}, metadata });

    expect(eventData.metadata).toEqual({ ...metadata, $correlationId: 'c-1', $causationId: 'k-1' });
  });

  test('adds no $-keys when the metadata has no string correlation', () => {
    const eventData = toEsdbEventData({ id: 'e1', type: 'T', data: {}, metadata: { correlationId: 42 } });

    expect(eventData.metadata).toEqual({ correlationId: 42 });
  });
});

describe('toEsdbExpectedRevision', () => {
  test.each([
    [0, 0n],
    [41, 41n],
    ['no_stream', NO_STREAM],
    ['stream_exists', STREAM_EXISTS],
    ['any', ANY],
  ] as const)('maps %p to %p', (expected, mapped) => {
    expect(toEsdbExpectedRevision(expected)).toBe(mapped);
  });
});

describe('positions', () => {
  test('a commit position becomes a number', () => {
    expect(toPortPosition(123_456n)).toBe(123_456);
  });

  test('a commit position beyond 2^53 is refused rather than rounded', () => {
    expect(() => toPortPosition(2n ** 53n)).toThrow(RangeError);
  });

  test('reading after 0 starts at the beginning; after n starts at n (then n itself is dropped)', () => {
    expect(toEsdbReadPosition(0)).toBe(START);
    expect(toEsdbReadPosition(42)).toEqual({ commit: 42n, prepare: 42n });
  });
});

describe('toRecordedEvent', () => {
  test('maps an event read from $all', () => {
    const recorded = toRecordedEvent(resolvedFromAll({ commit: 777n, metadata: { correlationId: 'c-1' } }));

    expect(recorded).toEqual({
      id: '6a1f1a2e-9a5e-4b1e-8d0e-3f2b9e1d7c11',
      streamId: 'user-1',
      revision: 3,
      position: 777,
      type: 'UserProvisioned',
      data: { userName: 'zoë' },
      metadata: { correlationId: 'c-1' },
      recordedAt: '2025-03-01T12:00:00.000Z',
    });
  });

  test('drops the $-copies of correlation and causation, so metadata round-trips', () => {
    const written = toEsdbEventData({ id: 'e1', type: 'T', data: {}, metadata: { correlationId: 'c-1', causationId: 'k-1' } });

    const recorded = toRecordedEvent(resolvedFromAll({ metadata: written.metadata }));

    expect(recorded.metadata).toEqual({ correlationId: 'c-1', causationId: 'k-1' });
  });

  test('keeps $-keys that are not copies (written by other tools)', () => {
    const recorded = toRecordedEvent(resolvedFromAll({ metadata: { $correlationId: 'other' } }));

    expect(recorded.metadata).toEqual({ $correlationId: 'other' });
  });

  test('treats absent metadata as empty', () => {
    expect(toRecordedEvent(resolvedFromAll({ metadata: undefined })).metadata).toEqual({});
  });

  test('decodes binary events that hold JSON', () => {
    const bytes = new Uint8Array(Buffer.from(JSON.stringify({ userName: 'zoë' }), 'utf8'));

    expect(toRecordedEvent(resolvedFromAll({ isJson: false, data: bytes })).data).toEqual({ userName: 'zoë' });
  });

  test('refuses data that is not a JSON object, naming the event', () => {
    const binary = resolvedFromAll({ isJson: false, data: new Uint8Array([0xff, 0x00]) });
    // The client hands over malformed JSON as the raw string.
    const malformed = resolvedFromAll({ data: '{not json' });

    expect(() => toRecordedEvent(binary)).toThrow(EsdbEventDecodingError);
    expect(() => toRecordedEvent(malformed)).toThrow(/6a1f1a2e.*user-1.*data is not a JSON object/);
  });

  test('an event read from a stream without a position gets UNKNOWN_POSITION', () => {
    const resolved = resolvedFromAll({});
    const withoutPosition = { event: { ...resolved.event, position: undefined } } as unknown as AllStreamResolvedEvent;

    expect(toRecordedEvent(withoutPosition).position).toBe(UNKNOWN_POSITION);
  });
});

describe('isDeliverable', () => {
  test('keeps only events strictly after the position', () => {
    expect(isDeliverable(resolvedFromAll({ commit: 100n }), 99, undefined)).toBe(true);
    expect(isDeliverable(resolvedFromAll({ commit: 100n }), 100, undefined)).toBe(false);
  });

  test('never delivers system streams', () => {
    expect(isDeliverable(resolvedFromAll({ streamId: '$stats-127.0.0.1:2113' }), 0, undefined)).toBe(false);
    expect(isDeliverable(resolvedFromAll({ streamId: '$ce-user' }), 0, ['$ce-'])).toBe(false);
  });

  test("never delivers system event types in application streams (a tombstone's $streamDeleted)", () => {
    const tombstone = resolvedFromAll({ streamId: 'user-1' });
    const withType = { ...tombstone, event: { ...tombstone.event, type: '$streamDeleted' } } as AllStreamResolvedEvent;

    expect(isDeliverable(withType, 0, ['user-'])).toBe(false);
  });

  test('applies stream prefixes', () => {
    expect(isDeliverable(resolvedFromAll({ streamId: 'user-1' }), 0, ['group-', 'user-'])).toBe(true);
    expect(isDeliverable(resolvedFromAll({ streamId: 'account-1' }), 0, ['group-', 'user-'])).toBe(false);
  });

  test('skips link-only entries', () => {
    expect(isDeliverable({ commitPosition: 5n }, 0, undefined)).toBe(false);
  });
});

describe('toSubscriptionFilter', () => {
  test('filters on stream name prefixes when given', () => {
    expect(toSubscriptionFilter(['user-', 'group-'])).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['user-', 'group-'],
    });
  });

  test('otherwise excludes system events', () => {
    expect(toSubscriptionFilter(undefined)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });

  test("asks for the server's checkpoints at its own interval, and queues them behind the events", () => {
    for (const filter of [toSubscriptionFilter(['user-']), toSubscriptionFilter(undefined)]) {
      expect(filter).toMatchObject({ checkpointInterval: 1, checkpointReached: queueCheckpoint });
    }
  });
});

describe('translateAppendError', () => {
  test('a wrong expected version becomes the port error with the actual revision', () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 'user-1', expected: 2n, current: 5n });

    const translated = translateAppendError(clientError, 'user-1', 2);

    expect(translated).toBeInstanceOf(WrongExpectedRevisionError);
    expect(translated).toMatchObject({ streamId: 'user-1', expected: 2, actual: 5 });
  });

  test('a missing stream is reported as no_stream', () => {
    const clientError = new WrongExpectedVersionError(undefined, {
      streamName: 'user-1',
      expected: STREAM_EXISTS,
      current: NO_STREAM,
    });

    expect(translateAppendError(clientError, 'user-1', 'stream_exists')).toMatchObject({
      expected: 'stream_exists',
      actual: 'no_stream',
    });
  });

  test("the server's MaximumAppendSizeExceeded becomes AppendTooLargeError with the server's limit", () => {
    const translated = translateAppendError(MaxAppendSizeExceededError.fromMaxAppendSize(2_097_152), 'group-1', 4);

    expect(translated).toBeInstanceOf(AppendTooLargeError);
    expect(translated).toMatchObject({ streamId: 'group-1', maxBytes: 2_097_152 });
  });

  test('other errors pass through unchanged', () => {
    const unavailable = new Error('UNAVAILABLE: connection refused');

    expect(translateAppendError(unavailable, 'user-1', 0)).toBe(unavailable);
  });
});
