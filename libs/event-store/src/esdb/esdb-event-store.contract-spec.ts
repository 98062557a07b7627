import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { describeEventStoreContract, newEvent, waitFor } from '@scim/event-store/testing/event-store.contract';
import { AppendTooLargeError, MAX_APPEND_BYTES, type RecordedEvent } from '../event-store.port';
import { HashChainedEventStore } from '../hash-chain/hash-chained-event-store';
import { EsdbEventStore } from './esdb-event-store';

// Runs against a real server when one is given, e.g. EVENTSTORE_URL=esdb://localhost:2113?tls=false
describeEventStoreContract('EventStoreDB', () => {
  const connectionString = process.env.EVENTSTORE_URL;
  if (!connectionString) {
    return { skip: 'EVENTSTORE_URL not set (no EventStoreDB server on this machine)' };
  }
  return Promise.resolve({
    store: EsdbEventStore.connect({ connectionString }),
    streamPrefix: `contract-${randomUUID()}-`,
  });
});

// The hash-chain decorator over EventStoreDB (the production wiring): the contract holds there too.
describeEventStoreContract('EventStoreDB with hash chain', () => {
  const connectionString = process.env.EVENTSTORE_URL;
  if (!connectionString) {
    return { skip: 'EVENTSTORE_URL not set (no EventStoreDB server on this machine)' };
  }
  return Promise.resolve({
    store: new HashChainedEventStore(EsdbEventStore.connect({ connectionString })),
    streamPrefix: `contract-${randomUUID()}-`,
    addedMetadataKeys: ['chain'],
    exactExpectationsOnly: true,
  });
});

// What only a real server shows (the same behaviour is asserted without one in esdb-subscription.spec.ts
// and esdb-mapping.spec.ts, and for the embedded store in the contract suite above).
const serverUrl = process.env.EVENTSTORE_URL;
if (!serverUrl) console.log('SKIP EventStoreDB server behaviour: EVENTSTORE_URL not set (no EventStoreDB server on this machine)');
(serverUrl ? describe : describe.skip)('EventStoreDB server behaviour', () => {
  let client: EventStoreDBClient;
  beforeAll(() => {
    client = EventStoreDBClient.connectionString(serverUrl as string);
  });
  afterAll(() => client.dispose());

  test("the server's MaximumAppendSizeExceeded becomes AppendTooLargeError, writing nothing", async () => {
    // The adapter told of a larger limit than the server's default, so that the server refuses.
    const store = new EsdbEventStore(client, 4 * MAX_APPEND_BYTES);
    const stream = `contract-${randomUUID()}-big`;

    const refused = await store.append(stream, [newEvent({ text: 'x'.repeat(MAX_APPEND_BYTES + 1_024) })], 'no_stream').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(AppendTooLargeError);
    expect(await store.readStream(stream)).toEqual([]);
  });

  test("a tombstoned stream reads as empty, and its $streamDeleted record never stops a subscription", async () => {
    const store = new EsdbEventStore(client);
    const prefix = `contract-${randomUUID()}-`;
    const start = await store.headPosition();
    await store.append(`${prefix}gone`, [newEvent()], 'no_stream');
    await client.tombstoneStream(`${prefix}gone`);
    const kept = await store.append(`${prefix}kept`, [newEvent()], 'no_stream');
    const delivered: RecordedEvent[] = [];
    const errors: unknown[] = [];

    const subscription = store.subscribeToAll({ fromPosition: start, streamPrefixes: [prefix] }, (events) => void delivered.push(...events), (error) => errors.push(error));
    try {
      await waitFor(() => delivered.some((event) => event.position === kept.position), 'the event after the tombstone');
    } finally {
      await subscription.close();
    }

    expect(errors).toEqual([]);
    expect(delivered.map((event) => event.type).filter((type) => type.startsWith('$'))).toEqual([]);
    expect(await store.readStream(`${prefix}gone`)).toEqual([]);
    expect(await store.streamRevision(`${prefix}gone`)).toBe(-1);
  });
});
