import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newEvent, readAllEvents } from '@scim/event-store/testing/event-store.contract';
import { SqliteEventLogFile } from '@scim/event-store/testing/sqlite-event-log-file';
import { DelegatingEventStore } from '../delegating-event-store';
import type { EventStore, NewEvent, RecordedEvent } from '../event-store.port';
import { ChainSealer } from '../hash-chain/chain-sealer';
import { HashChainedEventStore } from '../hash-chain/hash-chained-event-store';
import { type DigestedRange, RangeDigest, type RangeToDigest, SEAL_STREAM } from '../hash-chain/seal';
import { verifyChain } from '../hash-chain/verify-chain';
import { SqliteEventStore } from './sqlite-event-store';
import { SqliteRangeDigester } from './sqlite-range-digester';

const directories: string[] = [];
const digesters: SqliteRangeDigester[] = [];

function newDatabaseFile(): string {
  const directory = mkdtempSync(join(tmpdir(), 'scim-range-digester-'));
  directories.push(directory);
  return join(directory, 'events.db');
}

function digesterOf(file: string): SqliteRangeDigester {
  const digester = new SqliteRangeDigester(file);
  digesters.push(digester);
  return digester;
}

afterEach(async () => {
  await Promise.all(digesters.splice(0).map((digester) => digester.close()));
});

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** Stream ids the digest line writes as JSON: separators, quotes, escapes and non-ASCII inside. */
const AWKWARD_STREAMS = ['plain', 'tab\there', 'quote"d', 'back\\slash', 'new\nline', 'unicode-éü-漢字-😀', 'nul\u0000byte', 'ctl-\u001f-sep-\u2028'];

async function appendAtEnd(store: EventStore, streamId: string, events: readonly NewEvent[]): Promise<void> {
  const revision = await store.streamRevision(streamId);
  await store.append(streamId, events, revision < 0 ? 'no_stream' : revision);
}

/** `RangeDigest` over the range's events as the store reads them: what the thread must equal. */
async function digestOnTheLoop(store: EventStore, range: RangeToDigest): Promise<DigestedRange> {
  const events = (await readAllEvents(store, { fromPosition: range.fromPosition, toPosition: range.toPosition })).slice(0, range.maxEvents);
  const digest = new RangeDigest();
  for (const event of events) digest.add(event);
  return {
    events: events.length,
    toPosition: events.at(-1)?.position ?? range.fromPosition,
    onlySeals: events.every((event) => event.streamId === SEAL_STREAM),
    digest: digest.digest(),
  };
}

/** Every range with ends in `positions` (from ≤ to) and each of `maxEvents`. */
function rangesOver(positions: readonly number[], maxEvents: readonly number[]): RangeToDigest[] {
  return positions.flatMap((fromPosition) =>
    positions.filter((toPosition) => toPosition >= fromPosition).flatMap((toPosition) => maxEvents.map((max) => ({ fromPosition, toPosition, maxEvents: max }))),
  );
}

describe('SqliteRangeDigester', () => {
  let file: string;
  let inner: SqliteEventStore;
  let store: HashChainedEventStore;

  beforeEach(() => {
    file = newDatabaseFile();
    inner = SqliteEventStore.open({ file });
    store = new HashChainedEventStore(inner);
  });

  afterEach(async () => {
    await store.close();
  });

  test('digests every range exactly as RangeDigest over the same events, stream ids with tabs, quotes and unicode included', async () => {
    for (let round = 0; round < 3; round++) {
      for (const streamId of AWKWARD_STREAMS) await appendAtEnd(store, streamId, [newEvent(), newEvent({ text: 'ü\t"' })]);
      // Seals among the events; two in a row in the first round (17, 18): a range of seals only.
      await new ChainSealer(store, { maxEventsPerSeal: round === 0 ? 8 : 10_000 }).seal();
    }
    const head = await store.headPosition();
    const digester = digesterOf(file);

    const ranges = rangesOver([0, 1, 2, 16, 17, 18, 19, head - 1, head, head + 3], [1, 2, 3, 17, 1_000]);
    for (const range of ranges) {
      expect({ range, digested: await digester.digest(range) }).toEqual({ range, digested: await digestOnTheLoop(store, range) });
    }
    // Ranges holding nothing but seals, and holding none, were among them.
    expect(await digester.digest({ fromPosition: 16, toPosition: 18, maxEvents: 10 })).toMatchObject({ events: 2, onlySeals: true });
    expect(await digester.digest({ fromPosition: head, toPosition: head + 3, maxEvents: 10 })).toMatchObject({ events: 0, toPosition: head });
  });

  test('leaves a range undigested from an event without a well-formed link on: the caller digests it as linkHashOf does', async () => {
    await appendAtEnd(store, 'chained', [newEvent(), newEvent()]);
    // Written before the chain existed: no link at all.
    await inner.append('legacy', [newEvent()], 'no_stream');
    await appendAtEnd(store, 'chained', [newEvent()]);
    const raw = SqliteEventLogFile.open(file);
    const linkOf = (position: number) => raw.rows()[position - 1].metadata.chain as Record<string, unknown>;
    const malformed: Array<[string, (position: number) => Record<string, unknown>]> = [
      ['an upper-case hash', (position) => ({ chain: { ...linkOf(position), hash: String(linkOf(position).hash).toUpperCase() } })],
      ['no prev', (position) => ({ chain: { hash: linkOf(position).hash } })],
      ['a hash that is a number', (position) => ({ chain: { ...linkOf(position), hash: 7 } })],
      ['a link that is an array', (position) => ({ chain: [linkOf(position).prev, linkOf(position).hash] })],
      ['a hash one digit short', (position) => ({ chain: { ...linkOf(position), hash: String(linkOf(position).hash).slice(1) } })],
    ];
    for (const [, metadata] of malformed) {
      const position = (await store.headPosition()) + 1;
      await appendAtEnd(store, `broken-${position}`, [newEvent()]);
      raw.setMetadata(position, metadata(position));
    }
    raw.close();
    const digester = digesterOf(file);

    expect(await digester.digest({ fromPosition: 0, toPosition: 100, maxEvents: 100 })).toBeUndefined();
    // Up to the unchained event, and after it, the ranges are digested as usual.
    expect(await digester.digest({ fromPosition: 0, toPosition: 2, maxEvents: 100 })).toEqual(await digestOnTheLoop(store, { fromPosition: 0, toPosition: 2, maxEvents: 100 }));
    expect(await digester.digest({ fromPosition: 0, toPosition: 100, maxEvents: 2 })).toEqual(await digestOnTheLoop(store, { fromPosition: 0, toPosition: 100, maxEvents: 2 }));
    expect(await digester.digest({ fromPosition: 3, toPosition: 4, maxEvents: 100 })).toEqual(await digestOnTheLoop(store, { fromPosition: 3, toPosition: 4, maxEvents: 100 }));
    for (let position = 5; position < 5 + malformed.length; position++) {
      expect({ why: malformed[position - 5][0], digested: await digester.digest({ fromPosition: position - 1, toPosition: position, maxEvents: 1 }) }).toEqual({
        why: malformed[position - 5][0],
        digested: undefined,
      });
    }
  });

  test('leaves a range undigested from an event the store could not read: data or metadata that is not JSON', async () => {
    await appendAtEnd(store, 's', [newEvent(), newEvent(), newEvent()]);
    const raw = new Database(file);
    raw.prepare('UPDATE events SET data = ? WHERE position = 2').run('{"cut":');
    raw.prepare('UPDATE events SET metadata = ? WHERE position = 3').run('{chain: {}}');
    raw.close();
    const digester = digesterOf(file);

    // The store's own read fails on both, so a seal read on the loop fails as before.
    await expect(readAllEvents(store, { fromPosition: 1, toPosition: 2 })).rejects.toThrow(SyntaxError);
    await expect(readAllEvents(store, { fromPosition: 2, toPosition: 3 })).rejects.toThrow(SyntaxError);
    expect(await digester.digest({ fromPosition: 1, toPosition: 2, maxEvents: 10 })).toBeUndefined();
    expect(await digester.digest({ fromPosition: 2, toPosition: 3, maxEvents: 10 })).toBeUndefined();
    expect(await digester.digest({ fromPosition: 0, toPosition: 1, maxEvents: 10 })).toMatchObject({ events: 1 });
  });

  test('reads a link given twice as the store does: the last of duplicate keys', async () => {
    await appendAtEnd(store, 's', [newEvent(), newEvent()]);
    const raw = new Database(file);
    const metadata = raw.prepare<[], string>('SELECT metadata FROM events WHERE position = 2').pluck().get() as string;
    const decoy = JSON.stringify({ prev: 'a'.repeat(64), hash: 'b'.repeat(64) });
    raw.prepare('UPDATE events SET metadata = ? WHERE position = 2').run(`{"chain":${decoy},${metadata.slice(1)}`);
    raw.close();
    const range = { fromPosition: 0, toPosition: 2, maxEvents: 10 };

    expect(await digesterOf(file).digest(range)).toEqual(await digestOnTheLoop(store, range));
  });

  test('answers undefined once closed, and a failure to read as a rejection', async () => {
    await appendAtEnd(store, 's', [newEvent()]);
    const digester = digesterOf(file);
    const inFlight = digester.digest({ fromPosition: 0, toPosition: 1, maxEvents: 10 });

    await digester.close();

    // The range asked before close() was digested; close() waited for it.
    expect(await inFlight).toMatchObject({ events: 1 });
    expect(await digester.digest({ fromPosition: 0, toPosition: 1, maxEvents: 10 })).toBeUndefined();
    await expect(digesterOf(join(tmpdir(), `no-such-folder-${randomUUID()}`, 'events.db')).digest({ fromPosition: 0, toPosition: 1, maxEvents: 1 })).rejects.toThrow(
      /were not digested/,
    );
  });
});

describe('ChainSealer with a SqliteRangeDigester', () => {
  /** Writes events to a file, then gives two copies of it (one per sealer compared) and its head. */
  async function twoCopiesOfLog(write: (store: HashChainedEventStore, inner: SqliteEventStore) => Promise<void>) {
    const file = newDatabaseFile();
    const inner = SqliteEventStore.open({ file });
    await write(new HashChainedEventStore(inner), inner);
    const head = await inner.headPosition();
    await inner.close();
    const copy = newDatabaseFile();
    copyFileSync(file, copy);
    return { files: [file, copy], head };
  }

  /**
   * The seals of the two copies, to compare: all of them whole while they cover copied events only;
   * a later one's digest covers seals each sealer appended at its own time, so its range only.
   */
  async function sealBoth({ files, head }: { files: string[]; head: number }, options: { maxEventsPerSeal?: number }) {
    const results = [];
    for (const [index, file] of files.entries()) {
      const store = new HashChainedEventStore(SqliteEventStore.open({ file }));
      const sealer = new ChainSealer(store, { ...options, ...(index === 0 ? { rangeDigester: digesterOf(file) } : {}) });
      try {
        const seals = await sealer.seal();
        const comparable = seals.map((seal) => (seal.toPosition <= head ? seal : { ...seal, digest: 'over seals appended since the copy' }));
        results.push({ seals, comparable, verification: await verifyChain(store) });
      } finally {
        await sealer.stop();
        await store.close();
      }
    }
    return { threaded: results[0], onTheLoop: results[1] };
  }

  // Positions 5 and 6 are seals: with 1 or 2 events per seal the next range holds only seals.
  test.each([
    [1, []],
    [2, []],
    [3, [3, 3]],
    [5, [5, 2]],
    [6, [6]],
    [7, [6]],
    [10_000, [6]],
  ])('seals exactly what the sealer on the event loop seals, at most %i events per seal', async (maxEventsPerSeal, events) => {
    const files = await twoCopiesOfLog(async (store) => {
      for (const streamId of AWKWARD_STREAMS.slice(0, 4)) await appendAtEnd(store, streamId, [newEvent()]);
      await new ChainSealer(store, { maxEventsPerSeal: 2 }).seal();
      for (const streamId of AWKWARD_STREAMS.slice(4)) await appendAtEnd(store, streamId, [newEvent()]);
    });

    const { threaded, onTheLoop } = await sealBoth(files, { maxEventsPerSeal });

    expect(threaded.seals.map((seal) => seal.events)).toEqual(events);
    expect(threaded.comparable).toEqual(onTheLoop.comparable);
    expect(threaded.verification.problems).toEqual([]);
  });

  test('seals a log with events written before the chain existed as the sealer on the event loop does', async () => {
    const files = await twoCopiesOfLog(async (store, inner) => {
      await appendAtEnd(store, 'chained', [newEvent(), newEvent()]);
      await inner.append('legacy', [newEvent(), newEvent()], 'no_stream');
      await appendAtEnd(store, 'legacy', [newEvent()]);
      for (let index = 0; index < 4; index++) await appendAtEnd(store, `after-${index}`, [newEvent()]);
    });

    const { threaded, onTheLoop } = await sealBoth(files, { maxEventsPerSeal: 3 });

    expect(threaded.seals.map((seal) => [seal.fromPosition, seal.toPosition])).toEqual([[0, 3], [3, 6], [6, 9]]);
    expect(threaded.comparable).toEqual(onTheLoop.comparable);
    expect(threaded.verification.problems.map((problem) => problem.kind)).toEqual(['unchained', 'unchained']);
  });

  test('seals round after round as writes go on, each seal verified, and only-seal ranges get none', async () => {
    const file = newDatabaseFile();
    const store = new HashChainedEventStore(SqliteEventStore.open({ file }));
    const sealer = new ChainSealer(store, { maxEventsPerSeal: 4, rangeDigester: digesterOf(file) });
    const sealed = [];
    for (let round = 0; round < 4; round++) {
      for (const streamId of AWKWARD_STREAMS.slice(round, round + 3)) await appendAtEnd(store, streamId, [newEvent(), newEvent()]);
      sealed.push(await sealer.seal());
      sealed.push(await sealer.seal());
    }
    await sealer.stop();
    const verification = await verifyChain(store);
    await store.close();

    expect(sealed.map((seals) => seals.map((seal) => seal.events))).toEqual([[4, 3], [], [4, 4], [], [4, 4], [], [4, 4], []]);
    expect(verification).toMatchObject({ ok: true, seals: { count: 8, unsealedEvents: 1 } });
  });

  test('reads no event on the event loop for a range the thread digests', async () => {
    class NoReadsOfTheLog extends DelegatingEventStore {
      override readAll(): AsyncIterable<readonly RecordedEvent[]> {
        throw new Error('the range was to be read on the thread');
      }
    }
    const file = newDatabaseFile();
    const store = new HashChainedEventStore(new NoReadsOfTheLog(SqliteEventStore.open({ file })));
    for (const streamId of AWKWARD_STREAMS) await appendAtEnd(store, streamId, [newEvent()]);

    const seals = await new ChainSealer(store, { maxEventsPerSeal: 5, rangeDigester: digesterOf(file) }).seal();
    await store.close();

    expect(seals.map((seal) => [seal.fromPosition, seal.toPosition])).toEqual([[0, 5], [5, 9]]);
  });

  test('stop() seals the rest through the thread, then closes it before the store: the store closes last and removes the WAL', async () => {
    const file = newDatabaseFile();
    const store = new HashChainedEventStore(SqliteEventStore.open({ file }));
    const sealer = new ChainSealer(store, { rangeDigester: digesterOf(file) });
    sealer.start();
    await appendAtEnd(store, 's', [newEvent(), newEvent()]);

    await sealer.stop();
    // A seal asked after stop() is read on the event loop: the CLI and tests may still call it.
    await appendAtEnd(store, 's', [newEvent()]);
    const later = await sealer.seal();
    const verification = await verifyChain(store);
    await store.close();

    expect(later).toEqual([{ fromPosition: 2, toPosition: 4, events: 2, digest: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(verification).toMatchObject({ ok: true, seals: { count: 2 } });
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
