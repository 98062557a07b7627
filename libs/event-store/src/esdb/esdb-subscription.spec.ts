import { PassThrough } from 'node:stream';
import { type AllStreamResolvedEvent, type EventStoreDBClient, StreamDeletedError } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.port';
import { EsdbEventStore, EsdbSubscription } from './esdb-event-store';
import { queueCheckpoint } from './esdb-mapping';

// What the client's subscription stream carries, without a server: resolved events, and the
// checkpoints its `checkpointReached` callback queues among them.
function fakeSource() {
  return Object.assign(new PassThrough({ objectMode: true }), { unsubscribe: async () => undefined });
}

let eventCounter = 0;
function resolved(streamId: string, type: string, commit: bigint, data: unknown = { n: Number(commit) }): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: `00000000-0000-4000-8000-${String(++eventCounter).padStart(12, '0')}`,
      isJson: !(data instanceof Uint8Array),
      revision: 0n,
      type,
      created: new Date('2026-01-01T00:00:00.000Z'),
      data,
      metadata: {},
      position: { commit, prepare: commit },
    },
    commitPosition: commit,
  } as unknown as AllStreamResolvedEvent;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('EsdbSubscription (the adapter side of a catch-up subscription)', () => {
  const calls: string[] = [];
  const errors: unknown[] = [];
  let source: ReturnType<typeof fakeSource>;
  let subscription: EsdbSubscription;

  const subscribe = (options: { streamPrefixes?: string[]; eventTypes?: string[]; from?: number } = {}) => {
    source = fakeSource();
    subscription = new EsdbSubscription(
      source as never,
      options.from ?? 0,
      options.streamPrefixes,
      options.eventTypes,
      100,
      (events: readonly RecordedEvent[]) => void calls.push(`handled ${events.map((event) => event.position).join(',')}`),
      (error) => errors.push(error),
      () => undefined,
      (position) => void calls.push(`skipped to ${position}`),
    );
  };

  beforeEach(() => {
    calls.length = 0;
    errors.length = 0;
  });
  afterEach(() => subscription.close());

  test("skips and counts a tombstoned stream's $streamDeleted record, and goes on delivering", async () => {
    subscribe({ streamPrefixes: ['user-'] });

    source.write(resolved('user-1', 'UserProvisioned', 100n));
    source.write(resolved('user-1', '$streamDeleted', 200n, new Uint8Array()));
    source.write(resolved('user-2', 'UserProvisioned', 300n));
    await until(() => calls.some((call) => call.includes('300')));

    expect(errors).toEqual([]);
    expect(calls.filter((call) => call.startsWith('handled')).join(';')).toMatch(/^handled 100(,300|;handled 300)$/);
    expect(subscription.skippedSystemEvents).toBe(1);
  });

  test("reports the server's checkpoints through onSkipped, only after the events before them are handled", async () => {
    subscribe({ streamPrefixes: ['user-'] });

    source.write(resolved('user-1', 'UserProvisioned', 100n));
    queueCheckpoint(source, { commit: 5_000n });
    await until(() => calls.length >= 2);

    expect(calls).toEqual(['handled 100', 'skipped to 5000']);
  });

  test('a checkpoint alone (a catch-up page of other streams) moves the projection on', async () => {
    subscribe({ streamPrefixes: ['group-'], from: 40 });

    queueCheckpoint(source, { commit: 9_000n });
    await until(() => calls.length >= 1);

    expect(calls).toEqual(['skipped to 9000']);
  });

  test('events of other types are read past and reported, a checkpoint already passed is not', async () => {
    subscribe({ eventTypes: ['Wanted'] });

    source.write(resolved('user-1', 'Wanted', 100n));
    source.write(resolved('user-1', 'Other', 200n));
    await until(() => calls.length >= 2);
    queueCheckpoint(source, { commit: 150n });
    source.write(resolved('user-1', 'Wanted', 300n));
    await until(() => calls.length >= 3);

    expect(calls).toEqual(['handled 100', 'skipped to 200', 'handled 300']);
  });
});

describe('EsdbEventStore reading a deleted stream', () => {
  // The client's read of a hard-deleted (tombstoned) stream fails with StreamDeletedError.
  const tombstoned = {
    readStream: (streamName: string) => ({
      cancel: async () => undefined,
      [Symbol.asyncIterator]: async function* () {
        yield* [];
        throw StreamDeletedError.fromStreamName(streamName);
      },
    }),
  } as unknown as EventStoreDBClient;

  test('reads as an empty stream, like a stream never written', async () => {
    const store = new EsdbEventStore(tombstoned);

    expect(await store.readStream('user-gone')).toEqual([]);
    expect(await store.streamRevision('user-gone')).toBe(-1);
  });
});
