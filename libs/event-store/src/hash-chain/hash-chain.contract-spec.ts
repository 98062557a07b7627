import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract, newEvent, readAllEvents } from '@scim/event-store/testing/event-store.contract';
import { SqliteEventLogFile } from '@scim/event-store/testing/sqlite-event-log-file';
import { DelegatingEventStore } from '../delegating-event-store';
import { type EventStore, type NewEvent, type RecordedEvent, WrongExpectedRevisionError } from '../event-store.port';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { SqliteRangeDigester } from '../sqlite/sqlite-range-digester';
import { ChainSealer, type ChainSealerOptions } from './chain-sealer';
import { chainLinkOf, eventHash, GENESIS_HASH } from './event-hash';
import { HashChainedEventStore } from './hash-chained-event-store';
import { SEAL_STREAM } from './seal';
import { type ChainProblem, verifyChain } from './verify-chain';

const temporaryDirectories: string[] = [];

function newDatabaseFile(): string {
  const directory = mkdtempSync(join(tmpdir(), 'scim-hash-chain-'));
  temporaryDirectories.push(directory);
  return join(directory, 'events.db');
}

afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

// The decorated store is an event store like any other: the whole contract holds.
describeEventStoreContract('SQLite with hash chain', async () => ({
  store: new HashChainedEventStore(SqliteEventStore.open({ file: newDatabaseFile() })),
  streamPrefix: `contract-${randomUUID()}-`,
  addedMetadataKeys: ['chain'],
  exactExpectationsOnly: true,
}));

// Without the link cache every append reads its predecessor: the read path meets the contract too.
describeEventStoreContract('SQLite with hash chain, no link cache', async () => ({
  store: new HashChainedEventStore(SqliteEventStore.open({ file: newDatabaseFile() }), { cacheSize: 0 }),
  streamPrefix: `contract-${randomUUID()}-`,
  addedMetadataKeys: ['chain'],
  exactExpectationsOnly: true,
}));

/** Appends after the stream's current last event, as a writer that just read it would. */
async function appendAtEnd(store: EventStore, streamId: string, events: readonly NewEvent[]): Promise<void> {
  const revision = await store.streamRevision(streamId);
  await store.append(streamId, events, revision < 0 ? 'no_stream' : revision);
}

const userEvent = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { accountId: 'acc-1', correlationId: randomUUID(), actor: { kind: 'operator' } },
});

describe('HashChainedEventStore', () => {
  let inner: SqliteEventStore;
  let store: HashChainedEventStore;

  beforeEach(() => {
    inner = SqliteEventStore.open({ file: ':memory:' });
    store = new HashChainedEventStore(inner);
  });

  afterEach(async () => {
    await store.close();
  });

  test('links every event to the previous one of its stream, from the genesis value', async () => {
    await store.append('user-1', [userEvent('UserProvisioned', { n: 0 }), userEvent('UserAttributesUpdated', { n: 1 })], 'no_stream');
    await store.append('user-2', [userEvent('UserProvisioned', { n: 0 })], 'no_stream');
    await store.append('user-1', [userEvent('UserDeactivated', { n: 2 })], 1);

    const stream = await inner.readStream('user-1');
    const links = stream.map((event) => chainLinkOf(event.metadata));

    expect(links[0]?.prev).toBe(GENESIS_HASH);
    expect(links[1]?.prev).toBe(links[0]?.hash);
    expect(links[2]?.prev).toBe(links[1]?.hash);
    stream.forEach((event, index) => expect(eventHash(event, links[index]?.prev ?? '')).toBe(links[index]?.hash));
    expect(chainLinkOf((await inner.readStream('user-2'))[0].metadata)?.prev).toBe(GENESIS_HASH);
  });

  test('refuses inexact expectations: links must attach to the revision the append lands on', async () => {
    await store.append('s', [newEvent()], 'no_stream');

    await expect(store.append('s', [newEvent()], 'any')).rejects.toThrow(/exact expected revision/);
    await expect(store.append('s', [newEvent()], 'stream_exists')).rejects.toThrow(TypeError);
    expect(await inner.readStream('s')).toHaveLength(1);
    expect((await verifyChain(inner)).ok).toBe(true);
  });

  test('a stale expected revision still fails with the store error, naming the actual revision', async () => {
    await store.append('s', [newEvent(), newEvent()], 'no_stream');

    await expect(store.append('s', [newEvent()], 0)).rejects.toMatchObject({ expected: 0, actual: 1 });
    await expect(store.append('s', [newEvent()], 7)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(store.append('missing', [newEvent()], 0)).rejects.toMatchObject({ expected: 0, actual: 'no_stream' });
    expect(await inner.readStream('s')).toHaveLength(2);
  });

  test('a retried append is an idempotent success and adds no link, even after the stream moved on', async () => {
    const events = [newEvent(), newEvent()];
    await store.append('s', [newEvent()], 'no_stream');
    const first = await store.append('s', events, 0);
    await store.append('s', [newEvent()], 2);

    const retry = await store.append('s', events, 0);

    expect(retry).toEqual(first);
    expect(await inner.readStream('s')).toHaveLength(4);
    expect((await verifyChain(inner)).ok).toBe(true);
  });

  test('rejects malformed appends as the adapters do, before reading or writing anything', async () => {
    await store.append('s', [newEvent()], 'no_stream');
    const event = newEvent();

    await expect(store.append('s', [newEvent()], 'bogus' as never)).rejects.toThrow(TypeError);
    await expect(store.append('s', [newEvent()], -1)).rejects.toThrow(RangeError);
    await expect(store.append('s', [event, event], 0)).rejects.toThrow(/appears twice/);
    await expect(store.append('', [newEvent()], 'no_stream')).rejects.toThrow(TypeError);
    expect(await inner.readStream('s')).toHaveLength(1);
  });

  test('replaces a link the caller put in the metadata', async () => {
    const forged = { ...newEvent(), metadata: { correlationId: 'c', chain: { prev: 'f'.repeat(64), hash: 'e'.repeat(64) } } };

    await store.append('s', [forged], 'no_stream');

    const [read] = await inner.readStream('s');
    expect(chainLinkOf(read.metadata)?.prev).toBe(GENESIS_HASH);
    expect((await verifyChain(inner)).ok).toBe(true);
  });

  test("an append after reading the stream (as every command does) reads nothing more to find its link", async () => {
    await store.append('user-1', [newEvent(), newEvent()], 'no_stream');
    const cold = new HashChainedEventStore(inner);
    const innerReads = jest.spyOn(inner, 'readStream');

    const history = await cold.readStream('user-1');
    await cold.append('user-1', [newEvent()], history[history.length - 1].revision);

    expect(innerReads).toHaveBeenCalledTimes(1);
    expect((await verifyChain(inner)).problems).toEqual([]);
  });

  test('remembers the links of the streams written last, and reads the others', async () => {
    const small = new HashChainedEventStore(inner, { cacheSize: 2 });
    for (const stream of ['s-1', 's-2', 's-3']) await small.append(stream, [newEvent()], 'no_stream');
    const innerReads = jest.spyOn(inner, 'readStream');

    await small.append('s-3', [newEvent()], 0);
    expect(innerReads).not.toHaveBeenCalled();
    await small.append('s-1', [newEvent()], 0);
    expect(innerReads).toHaveBeenCalledTimes(1);
    expect((await verifyChain(inner)).problems).toEqual([]);
  });

  test('links a new event to an event written before the chain existed, which verify still reports', async () => {
    await inner.append('legacy', [newEvent()], 'no_stream');
    await store.append('legacy', [newEvent()], 0);

    const result = await verifyChain(inner);

    expect(result.problems.map((problem) => problem.kind)).toEqual(['unchained']);
    expect(result.firstProblem?.event?.revision).toBe(0);
  });
});

// Reading each range on the event loop, and (the service's embedded mode) on a thread.
describe.each([
  ['on the event loop', false],
  ['with its ranges digested on a thread', true],
])('ChainSealer %s', (_how, onAThread) => {
  let inner: SqliteEventStore;
  let store: HashChainedEventStore;
  let file: string;
  const digesters: SqliteRangeDigester[] = [];
  const options = (more: ChainSealerOptions = {}): ChainSealerOptions => {
    if (!onAThread) return more;
    const rangeDigester = new SqliteRangeDigester(file);
    digesters.push(rangeDigester);
    return { ...more, rangeDigester };
  };

  beforeEach(() => {
    file = onAThread ? newDatabaseFile() : ':memory:';
    inner = SqliteEventStore.open({ file });
    store = new HashChainedEventStore(inner);
  });

  afterEach(async () => {
    await Promise.all(digesters.splice(0).map((digester) => digester.close()));
    await store.close();
  });

  test('seals contiguous ranges of the log and nothing when only seals were written since', async () => {
    for (let index = 0; index < 5; index++) await appendAtEnd(store, `s-${index % 2}`, [newEvent()]);
    const sealer = new ChainSealer(store, options());

    const first = await sealer.seal();
    const idle = await sealer.seal();
    await appendAtEnd(store, 's-0', [newEvent()]);
    const second = await sealer.seal();

    expect(first).toEqual([{ fromPosition: 0, toPosition: 5, events: 5, digest: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(idle).toEqual([]);
    // The second range holds the first seal (position 6) and the new event (position 7).
    expect(second).toEqual([{ fromPosition: 5, toPosition: 7, events: 2, digest: expect.any(String) }]);
    const result = await verifyChain(inner);
    expect(result).toMatchObject({ ok: true, seals: { count: 2, sealedThrough: 7, unsealedEvents: 1 } });
  });

  test('reads the log as stored, through the hash chain among the decorators it is given', async () => {
    // What the service hands it: a store whose reads open sealed fields, above the chain.
    class OpeningStore extends DelegatingEventStore {
      override readAll(): AsyncIterable<readonly RecordedEvent[]> {
        throw new Error('the sealer must not read through the layers above the chain');
      }
    }
    for (let index = 0; index < 3; index++) await appendAtEnd(store, 's', [newEvent()]);

    const seals = await new ChainSealer(new OpeningStore(store), options()).seal();

    expect(seals).toEqual([{ fromPosition: 0, toPosition: 3, events: 3, digest: expect.any(String) }]);
    expect((await verifyChain(inner)).ok).toBe(true);
  });

  test('splits a long backlog into seals of at most maxEventsPerSeal events', async () => {
    for (let index = 0; index < 7; index++) await appendAtEnd(store, 's', [newEvent()]);

    const seals = await new ChainSealer(store, options({ maxEventsPerSeal: 3 })).seal();

    expect(seals.map((seal) => [seal.fromPosition, seal.toPosition, seal.events])).toEqual([
      [0, 3, 3],
      [3, 6, 3],
      // The rest: event 7 and the first seal, at position 8.
      [6, 9, 3],
    ]);
    expect((await verifyChain(inner)).ok).toBe(true);
  });

  test('lets the event loop run between the batches it reads of a long backlog', async () => {
    // In appends of 2,000: one of 12,000 would exceed the 1 MiB an append may carry.
    for (let revision = -1; revision < 11_999; revision += 2_000) {
      await store.append('s', Array.from({ length: 2_000 }, () => newEvent()), revision < 0 ? 'no_stream' : revision);
    }
    let turns = 0;
    let sealing = true;
    const countTurns = () => {
      turns++;
      if (sealing) setImmediate(countTurns);
    };
    setImmediate(countTurns);

    const seals = await new ChainSealer(store, options({ maxEventsPerSeal: 20_000 })).seal();
    sealing = false;

    expect(seals.map((seal) => seal.events)).toEqual([12_000]);
    // Three batches of at most 5,000 events, then the seal's own append: the loop turned between each.
    expect(turns).toBeGreaterThanOrEqual(4);
  });

  test('of two sealers racing, one seals and the other gives way', async () => {
    await store.append('s', [newEvent(), newEvent()], 'no_stream');

    const [a, b] = await Promise.all([new ChainSealer(store, options()).seal(), new ChainSealer(store, options()).seal()]);

    expect([a.length, b.length].sort()).toEqual([0, 1]);
    expect(await inner.readStream(SEAL_STREAM)).toHaveLength(1);
  });

  test('stop() seals what is left', async () => {
    const sealer = new ChainSealer(store, options({ intervalMs: 60_000 }));
    sealer.start();
    await store.append('s', [newEvent()], 'no_stream');

    await sealer.stop();

    expect(await inner.readStream(SEAL_STREAM)).toHaveLength(1);
    expect((await verifyChain(inner)).seals.unsealedEvents).toBe(1);
    // A second stop (Nest runs shutdown hooks on every close) seals nothing more.
    await sealer.stop();
    expect(await inner.readStream(SEAL_STREAM)).toHaveLength(1);
  });
});

/**
 * The log the tamper tests start from, written through the decorator into a file:
 *   user-a: 4 events, user-b: 3, user-c: 2, interleaved; a seal after the first 8 events;
 *   then 2 more events (user-a revision 4, user-c revision 2) left unsealed.
 */
async function writeSampleLog(file: string): Promise<void> {
  const inner = SqliteEventStore.open({ file });
  const store = new HashChainedEventStore(inner);
  const plan: Array<[string, string]> = [
    ['user-a', 'UserProvisioned'],
    ['user-b', 'UserProvisioned'],
    ['user-a', 'UserAttributesUpdated'],
    ['user-c', 'UserProvisioned'],
    ['user-b', 'UserAttributesUpdated'],
    ['user-a', 'UserAttributesUpdated'],
    ['user-c', 'UserDeactivated'],
    ['user-b', 'UserDeactivated'],
    ['user-a', 'UserDeactivated'],
  ];
  for (const [stream, type] of plan) await appendAtEnd(store, stream, [userEvent(type, { userId: stream, at: randomUUID() })]);
  await new ChainSealer(store).seal();
  await appendAtEnd(store, 'user-a', [userEvent('UserReactivated', { userId: 'user-a' })]);
  await appendAtEnd(store, 'user-c', [userEvent('UserReactivated', { userId: 'user-c' })]);
  await store.close();
}

describe('verifyChain on a tampered SQLite file', () => {
  let file: string;
  let raw: SqliteEventLogFile;

  beforeEach(async () => {
    file = newDatabaseFile();
    await writeSampleLog(file);
    raw = SqliteEventLogFile.open(file);
  });

  afterEach(() => raw.close());

  async function verify(anchors?: string[]) {
    const reader = SqliteEventStore.open({ file, readonly: true });
    try {
      return await verifyChain(reader, anchors ? { anchors } : {});
    } finally {
      await reader.close();
    }
  }

  const row = (streamId: string, revision: number) => {
    const found = raw.rows().find((candidate) => candidate.streamId === streamId && candidate.revision === revision);
    if (!found) throw new Error(`no ${streamId}@${revision}`);
    return found;
  };
  const kinds = (problems: readonly ChainProblem[]) => problems.map((problem) => problem.kind);

  test('passes on the untouched log: every event, stream and position checked, one seal', async () => {
    const result = await verify();

    expect(result).toMatchObject({
      ok: true,
      events: 12,
      streams: 4,
      headPosition: 12,
      positionsChecked: true,
      problemCount: 0,
      // After the seal: the seal itself and the two later events.
      seals: { count: 1, sealedThrough: 9, unsealedEvents: 3 },
    });
    expect(result.seals.last?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a changed data field names the event', async () => {
    const target = row('user-b', 1);
    raw.setData(target.position, { ...target.data, userId: 'someone-else' });

    const result = await verify();

    expect(result.ok).toBe(false);
    expect(result.firstProblem).toMatchObject({
      kind: 'content-changed',
      position: target.position,
      event: { id: target.eventId, streamId: 'user-b', revision: 1, type: 'UserAttributesUpdated' },
    });
    expect(result.firstProblem?.reason).toContain(`event ${target.eventId} (UserAttributesUpdated, stream user-b revision 1, position ${target.position})`);
    expect(result.problemCount).toBe(1);
  });

  test('changed metadata (who did it) is caught like changed data', async () => {
    const target = row('user-a', 2);
    raw.setMetadata(target.position, { ...target.metadata, actor: { kind: 'scim-token', tokenId: 'forged' } });

    expect((await verify()).firstProblem).toMatchObject({ kind: 'content-changed', event: { id: target.eventId } });
  });

  test('a deleted row in the middle of a stream: the missing position, the stream revision and the seal all say so', async () => {
    const target = row('user-a', 1);
    raw.deleteRow(target.position);

    const result = await verify();

    expect(result.firstProblem).toMatchObject({ kind: 'position-gap', position: target.position });
    expect(kinds(result.problems)).toEqual(['position-gap', 'revision-gap', 'seal-mismatch']);
    const gap = result.problems.find((problem) => problem.kind === 'revision-gap');
    expect(gap?.event).toMatchObject({ streamId: 'user-a', revision: 2 });
    expect(gap?.reason).toContain('revision 1 is missing');
  });

  test("deleting a stream's last events, which its chain cannot see, is caught by positions and the seal", async () => {
    const target = row('user-b', 2);
    raw.deleteRow(target.position);

    const result = await verify();

    expect(kinds(result.problems)).toEqual(['position-gap', 'seal-mismatch']);
    expect(result.firstProblem?.position).toBe(target.position);
  });

  test('deleting a whole stream is caught', async () => {
    for (const revision of [0, 1, 2]) raw.deleteRow(row('user-b', revision).position);

    const result = await verify();

    expect(result.ok).toBe(false);
    expect(kinds(result.problems)).toContain('seal-mismatch');
    expect(result.problems.filter((problem) => problem.kind === 'position-gap')).toHaveLength(3);
  });

  test('deleting the last event of the log is caught by the position sequence', async () => {
    const last = raw.rows().at(-1)!;
    raw.deleteRow(last.position);

    const result = await verify();

    expect(result.problems).toEqual([expect.objectContaining({ kind: 'tail-missing', position: last.position })]);
  });

  test('two swapped rows of one stream are named as out of order', async () => {
    const [first, second] = [row('user-a', 1), row('user-a', 2)];
    raw.swapPositions(first.position, second.position);

    const result = await verify();

    expect(result.firstProblem).toMatchObject({ kind: 'revision-gap', position: first.position, event: { id: second.eventId, revision: 2 } });
    expect(result.problems).toContainEqual(
      expect.objectContaining({ kind: 'out-of-order', position: second.position, event: expect.objectContaining({ id: first.eventId, revision: 1 }) }),
    );
  });

  test('swapping the contents of two rows of one stream (revisions stay) changes both hashes', async () => {
    const [first, second] = [row('user-c', 0), row('user-c', 1)];
    raw.swapContents(first.position, second.position);

    const result = await verify();

    expect(result.firstProblem).toMatchObject({ kind: 'content-changed', event: { id: second.eventId, revision: 0 } });
  });

  test('swapping rows of two different streams keeps every stream chain valid; the seal catches it', async () => {
    const [first, second] = [row('user-b', 0), row('user-c', 0)];
    raw.swapPositions(first.position, second.position);

    const result = await verify();

    expect(result.problems).toEqual([expect.objectContaining({ kind: 'seal-mismatch' })]);
  });

  test("a sealed event's commit time, which the chain cannot cover, is covered by the seal; an unsealed one's is not", async () => {
    const sealed = row('user-a', 1);
    const unsealed = row('user-a', 4);
    raw.setRecordedAt(unsealed.position, '2000-01-01T00:00:00.000Z');

    const onlyUnsealed = await verify();
    raw.setRecordedAt(sealed.position, '2000-01-01T00:00:00.000Z');
    const withSealed = await verify();

    expect(onlyUnsealed.ok).toBe(true);
    expect(kinds(withSealed.problems)).toEqual(['seal-mismatch']);
  });

  test('rewriting an event and re-hashing the rest of its stream passes the stream chain, not the seal', async () => {
    let prev = GENESIS_HASH;
    for (const revision of [0, 1, 2, 3, 4]) {
      const target = row('user-a', revision);
      const data = revision === 1 ? { ...target.data, userId: 'forged' } : target.data;
      const { chain: _chain, ...metadata } = target.metadata;
      const hash = eventHash({ id: target.eventId, streamId: 'user-a', revision, type: target.type, data, metadata }, prev);
      raw.setData(target.position, data);
      raw.setMetadata(target.position, { ...metadata, chain: { prev, hash } });
      prev = hash;
    }

    const result = await verify();

    expect(kinds(result.problems)).toEqual(['seal-mismatch']);
  });

  test('only an anchor recorded earlier catches a truncation that also removed the seal and rewound the sequence', async () => {
    const anchor = (await verify()).seals.last!.hash;
    const sealPosition = raw.rows().find((candidate) => candidate.streamId === SEAL_STREAM)!.position;
    for (const candidate of raw.rows().filter((candidate) => candidate.position >= sealPosition)) raw.deleteRow(candidate.position);
    // What an attacker aware of AUTOINCREMENT would also do.
    rewindSequence(file, sealPosition - 1);

    const withoutAnchor = await verify();
    const withAnchor = await verify([anchor]);

    expect(withoutAnchor.ok).toBe(true);
    expect(withAnchor.problems).toEqual([expect.objectContaining({ kind: 'anchor-missing' })]);
  });

  test('checks the log as it was when it began: events and seals written meanwhile are left for the next run', async () => {
    const reader = SqliteEventStore.open({ file, readonly: true });
    let written = 0;
    try {
      const result = await verifyChain(reader, {
        batchSize: 2,
        // Another process appends while the walk is under way: an unchained event and a bogus seal.
        onProgress: () => {
          if (written++ > 0) return;
          raw.insertRow({ streamId: 'user-z', revision: 0, eventId: randomUUID(), type: 'UserProvisioned', data: {}, metadata: {} });
          raw.insertRow({ streamId: SEAL_STREAM, revision: 1, eventId: randomUUID(), type: 'ChainSealed', data: { fromPosition: 3 }, metadata: {} });
        },
      });

      expect(result).toMatchObject({ ok: true, events: 12, headPosition: 12, seals: { count: 1 } });
      expect(kinds((await verifyChain(reader)).problems).sort()).toEqual(['seal-invalid', 'unchained', 'unchained']);
    } finally {
      await reader.close();
    }
  });

  test('verifies through a read-only store while a writer has the file open', async () => {
    const writer = new HashChainedEventStore(SqliteEventStore.open({ file }));
    await writer.append('user-d', [newEvent()], 'no_stream');

    const result = await verify();
    await writer.append('user-d', [newEvent()], 0);
    await writer.close();

    expect(result).toMatchObject({ ok: true, events: 13 });
  });
});

function rewindSequence(file: string, to: number): void {
  const raw = SqliteEventLogFile.open(file);
  try {
    raw.setSequence(to);
  } finally {
    raw.close();
  }
}

describe('readAll through the decorator', () => {
  test('passes events through unchanged, chain included', async () => {
    const inner = SqliteEventStore.open({ file: ':memory:' });
    const store = new HashChainedEventStore(inner);
    await store.append('s', [newEvent()], 'no_stream');

    const [viaDecorator] = await readAllEvents(store, {});
    const [viaInner] = await readAllEvents(inner, {});

    expect(viaDecorator).toEqual(viaInner);
    expect(chainLinkOf(viaDecorator.metadata)).toBeDefined();
    await store.close();
  });
});
