import { randomUUID } from 'node:crypto';
import { existsSync, fdatasyncSync, fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  delay,
  describeEventStoreContract,
  newEvent,
  readAllEvents,
  waitFor,
} from '@scim/event-store/testing/event-store.contract';
import Database from 'better-sqlite3';
import { DelegatingEventStore } from '../delegating-event-store';
import { DuplicateEventIdError, type RecordedEvent, WrongExpectedRevisionError } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

const temporaryDirectories: string[] = [];

/** A database file in a fresh directory that does not exist yet (open() must create it). */
function newDatabaseFile(): string {
  const directory = mkdtempSync(join(tmpdir(), 'scim-event-store-'));
  temporaryDirectories.push(directory);
  return join(directory, 'nested', 'events.sqlite');
}

afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

describeEventStoreContract('SQLite', async () => ({
  store: SqliteEventStore.open({ file: newDatabaseFile() }),
  streamPrefix: `contract-${randomUUID()}-`,
}));

/** Delegates everything but readAllMatching, so the port's default implementation runs. */
class PortDefaults extends DelegatingEventStore {}

// The port's default readAllMatching (read and filter), which adapters without an index inherit.
describeEventStoreContract('SQLite through the port defaults', async () => ({
  store: new PortDefaults(SqliteEventStore.open({ file: newDatabaseFile() })),
  streamPrefix: `contract-${randomUUID()}-`,
}));

describe('SqliteEventStore read-only and audit support', () => {
  test('a read-only store reads a file another store writes, and refuses to append', async () => {
    const file = newDatabaseFile();
    const writer = SqliteEventStore.open({ file });
    await writer.append('s', [newEvent()], 'no_stream');
    const reader = SqliteEventStore.open({ file, readonly: true });
    try {
      await writer.append('s', [newEvent()], 0);

      expect(await reader.readStream('s')).toHaveLength(2);
      expect(await reader.headPosition()).toBe(2);
      await expect(reader.append('s', [newEvent()], 1)).rejects.toThrow(/read-only/);
      expect(await writer.readStream('s')).toHaveLength(2);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  test('a read-only open never creates a file', () => {
    expect(() => SqliteEventStore.open({ file: newDatabaseFile(), readonly: true })).toThrow();
  });

  test("an account's history is read through the accountId index, not by scanning the log", async () => {
    const file = newDatabaseFile();
    const store = SqliteEventStore.open({ file });
    await store.append('s', [{ ...newEvent(), metadata: { accountId: 'a1' } }], 'no_stream');
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      // The statement readAllMatching prepares for { accountId } (sqlite-event-store.ts).
      const plan = db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT position FROM events WHERE json_extract(metadata, '$.accountId') = ? AND json_type(metadata, '$.accountId') = 'text' AND position > ? ORDER BY position LIMIT ?",
        )
        .all('a1', 0, 10) as { detail: string }[];

      expect(plan.map((step) => step.detail).join('\n')).toMatch(/USING INDEX events_account_position/);
      expect(plan.map((step) => step.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
    } finally {
      db.close();
    }
  });

  // verifyChain reads a missing position as a deleted event: failed appends must not burn positions.
  test('failed appends leave no gap in positions', async () => {
    const store = SqliteEventStore.open({ file: ':memory:' });
    try {
      const taken = newEvent();
      await store.append('owner', [taken], 'no_stream');
      await Promise.allSettled([
        store.append('other', [newEvent(), taken], 'no_stream'),
        store.append('other', [taken], 'any'),
        store.append('owner', [newEvent()], 5),
        store.append('next', [newEvent()], 'no_stream'),
      ]);
      await store.append('owner', [taken], 'any');
      await store.append('next', [newEvent(), newEvent()], 0);

      const positions = (await readAllEvents(store, {})).map((event) => event.position);
      expect(positions).toEqual([1, 2, 3, 4]);
      expect(await store.highestAssignedPosition()).toBe(4);
    } finally {
      await store.close();
    }
  });

  test('highestAssignedPosition remembers positions whose events were deleted', async () => {
    const file = newDatabaseFile();
    const store = SqliteEventStore.open({ file });
    await store.append('s', [newEvent(), newEvent(), newEvent()], 'no_stream');
    await store.close();
    const db = new Database(file);
    db.prepare('DELETE FROM events WHERE position = 3').run();
    db.close();

    const reopened = SqliteEventStore.open({ file, readonly: true });
    try {
      expect(await reopened.headPosition()).toBe(2);
      expect(await reopened.highestAssignedPosition()).toBe(3);
    } finally {
      await reopened.close();
    }
  });
});

describe('SqliteEventStore specifics', () => {
  let store: SqliteEventStore;

  beforeEach(() => {
    store = SqliteEventStore.open({ file: ':memory:' });
  });

  afterEach(async () => {
    await store.close();
  });

  test('survives a reopen of the file: events, revisions and positions continue', async () => {
    const file = newDatabaseFile();
    const writer = SqliteEventStore.open({ file });
    const first = newEvent({ nested: { name: 'Zoë' } });
    await writer.append('user-1', [first, newEvent()], 'no_stream');
    const before = await writer.headPosition();
    await writer.close();

    const reader = SqliteEventStore.open({ file });
    try {
      const read = await reader.readStream('user-1');
      const next = await reader.append('user-1', [newEvent()], 1);

      expect(read.map((event) => event.revision)).toEqual([0, 1]);
      expect(read[0]).toMatchObject({ id: first.id, data: first.data, metadata: first.metadata });
      expect(await reader.headPosition()).toBe(next.position);
      expect(next.position).toBeGreaterThan(before);
    } finally {
      await reader.close();
    }
  });

  test('a filtered subscription reports how far it read past other streams\' events, in order with its deliveries', async () => {
    const seen: string[] = [];
    const subscription = store.subscribeToAll(
      {
        streamPrefixes: ['mine-'],
        onSkipped: (position) => {
          seen.push(`skipped to ${position}`);
        },
      },
      (events) => {
        seen.push(`delivered ${events.map((event) => event.position).join(',')}`);
      },
    );
    try {
      await store.append('other-1', [newEvent(), newEvent()], 'no_stream');
      await waitFor(() => seen.length === 1, 'the first skip');
      const mine = await store.append('mine-1', [newEvent()], 'no_stream');
      const other = await store.append('other-2', [newEvent()], 'no_stream');
      await waitFor(() => seen.includes(`skipped to ${other.position}`), 'the second skip');
      expect(seen).toEqual(['skipped to 2', `delivered ${mine.position}`, `skipped to ${other.position}`]);
    } finally {
      await subscription.close();
    }
  });

  test('headPosition is 0 when empty', async () => {
    expect(await store.headPosition()).toBe(0);
  });

  test('appends of one tick share one transaction and see each other in arrival order', async () => {
    const before = store.commitStats;
    const results = await Promise.all([
      store.append('group', [newEvent()], 'no_stream'),
      store.append('group', [newEvent()], 0),
      store.append('group', [newEvent(), newEvent()], 1),
    ]);

    expect(results.map((result) => result.nextExpectedRevision)).toEqual([0, 1, 3]);
    expect(store.commitStats).toMatchObject({ transactions: before.transactions + 1, appends: before.appends + 3 });
    const read = await store.readStream('group');
    expect(new Set(read.map((event) => event.recordedAt)).size).toBe(1);
  });

  test('a failing append in a batch does not affect the others', async () => {
    const taken = newEvent();
    await store.append('owner', [taken], 'no_stream');
    const valid = newEvent();

    const outcomes = await Promise.allSettled([
      store.append('batch', [newEvent()], 'no_stream'),
      store.append('batch', [newEvent()], 7),
      store.append('batch', [newEvent(), taken], 0),
      store.append('batch', [valid], 0),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
    const read = await store.readStream('batch');
    expect(read.map((event) => event.revision)).toEqual([0, 1]);
    expect(read[1].id).toBe(valid.id);
  });

  test('an idempotent retry resolves with the original result, even within the same batch', async () => {
    const events = [newEvent(), newEvent()];
    await store.append('other', [newEvent()], 'no_stream');

    const [original, sameTickRetry] = await Promise.all([
      store.append('retried', events, 'no_stream'),
      store.append('retried', events, 'no_stream'),
    ]);
    const laterRetry = await store.append('retried', events, 'any');

    expect(sameTickRetry).toEqual(original);
    expect(laterRetry).toEqual(original);
    expect(await store.readStream('retried')).toHaveLength(2);
  });

  test('event ids recorded in another stream are rejected with DuplicateEventIdError', async () => {
    const event = newEvent();
    await store.append('first', [event], 'no_stream');

    const error = await store.append('second', [event], 'no_stream').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DuplicateEventIdError);
    expect(error).toMatchObject({ streamId: 'second', eventIds: [event.id] });
    expect(await store.readStream('second')).toEqual([]);
  });

  test('rejects malformed appends before queueing them', async () => {
    const event = newEvent();

    await expect(store.append('s', [event, event], 'no_stream')).rejects.toThrow(/appears twice/);
    await expect(store.append('s', [newEvent()], -1)).rejects.toThrow(RangeError);
    await expect(store.append('', [newEvent()], 'any')).rejects.toThrow(TypeError);
    expect(await store.headPosition()).toBe(0);
  });

  test('stream prefixes match literally and case-sensitively', async () => {
    await store.append('a%b-1', [newEvent()], 'no_stream');
    await store.append('axb-1', [newEvent()], 'no_stream');
    await store.append('A%b-1', [newEvent()], 'no_stream');
    await store.append('ü-1', [newEvent()], 'no_stream');

    const percent = await readAllEvents(store, { streamPrefixes: ['a%b'] });
    const unicode = await readAllEvents(store, { streamPrefixes: ['ü-'] });

    expect(percent.map((event) => event.streamId)).toEqual(['a%b-1']);
    expect(unicode.map((event) => event.streamId)).toEqual(['ü-1']);
  });

  test('close commits appends already queued, then rejects new ones', async () => {
    const file = newDatabaseFile();
    const closing = SqliteEventStore.open({ file });
    const pending = closing.append('late', [newEvent()], 'no_stream');

    await closing.close();

    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0 });
    await expect(closing.append('late', [newEvent()], 0)).rejects.toThrow(/closed/);
    const reopened = SqliteEventStore.open({ file });
    expect(await reopened.readStream('late')).toHaveLength(1);
    await reopened.close();
  });

  test('close stops subscriptions', async () => {
    const file = newDatabaseFile();
    const closing = SqliteEventStore.open({ file });
    const received: RecordedEvent[] = [];
    closing.subscribeToAll({}, (batch) => {
      received.push(...batch);
    });
    await closing.append('s', [newEvent()], 'no_stream');
    await waitFor(() => received.length === 1, 'the first event');

    await closing.close();
    await delay(20);

    expect(received).toHaveLength(1);
  });

  test('a filtered subscription delivers only its streams, past events of other streams', async () => {
    for (let index = 0; index < 20; index++) await store.append(`noise-${index}`, [newEvent()], 'no_stream');
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ streamPrefixes: ['wanted-'], batchSize: 2 }, (batch) => {
      received.push(...batch);
    });
    await store.append('wanted-1', [newEvent(), newEvent(), newEvent()], 'no_stream');
    await store.append('noise-x', [newEvent()], 'no_stream');
    await store.append('wanted-2', [newEvent()], 'no_stream');

    await waitFor(() => received.length === 4, 'the wanted events');
    await subscription.close();

    expect(received.map((event) => event.streamId)).toEqual(['wanted-1', 'wanted-1', 'wanted-1', 'wanted-2']);
  });

  test('subscriptions handed one commit of several streams each get their own events, decoded once for all', async () => {
    const received = { a: [] as RecordedEvent[], b: [] as RecordedEvent[], all: [] as RecordedEvent[], typed: [] as RecordedEvent[] };
    const subscriptions = [
      store.subscribeToAll({ streamPrefixes: ['a-'] }, (batch) => void received.a.push(...batch)),
      store.subscribeToAll({ streamPrefixes: ['b-'] }, (batch) => void received.b.push(...batch)),
      store.subscribeToAll({}, (batch) => void received.all.push(...batch)),
      store.subscribeToAll({ eventTypes: ['Wanted'] }, (batch) => void received.typed.push(...batch)),
    ];
    await settleTurns();
    const events = ['a-1', 'b-1', 'a-2', 'b-2'].map((name) => newEvent({ name }, name === 'b-2' ? 'Wanted' : 'Other'));
    // One tick: one transaction, handed to the subscriptions waiting at the head.
    await Promise.all(events.map((event, index) => store.append(['a-1', 'b-1', 'a-2', 'b-2'][index], [event], 'no_stream')));
    await waitFor(() => received.all.length === 4 && received.a.length === 2 && received.b.length === 2 && received.typed.length === 1, 'every delivery');
    await Promise.all(subscriptions.map((subscription) => subscription.close()));

    const named = (list: RecordedEvent[]) => list.map((event) => [event.streamId, event.id, event.data.name]);
    expect(named(received.a)).toEqual([['a-1', events[0].id, 'a-1'], ['a-2', events[2].id, 'a-2']]);
    expect(named(received.b)).toEqual([['b-1', events[1].id, 'b-1'], ['b-2', events[3].id, 'b-2']]);
    expect(named(received.typed)).toEqual([['b-2', events[3].id, 'b-2']]);
    expect(named(received.all)).toEqual([...events.keys()].map((index) => [['a-1', 'b-1', 'a-2', 'b-2'][index], events[index].id, events[index].data.name]));
    expect([received.a[0], received.b[0], received.a[1], received.typed[0]]).toEqual(received.all);
    received.all.forEach((event, index) => expect([received.a[0], received.b[0], received.a[1], received.typed[0]][index]).toBe(event));
  });
});

/** A WAL sync the test completes by hand (after the real fdatasync), or fails. */
function heldSyncs() {
  const held: { fd: number; finish: (error?: Error) => void }[] = [];
  let started: (() => void) | undefined;
  return {
    held,
    syncWal: (fd: number) =>
      new Promise<void>((resolve, reject) => {
        held.push({ fd, finish: (error) => (error ? reject(error) : resolve(fdatasyncSync(fd))) });
        started?.();
      }),
    /** Resolves once `count` syncs have started. */
    async started(count: number): Promise<void> {
      while (held.length < count) await new Promise<void>((resolve) => (started = resolve));
    },
  };
}

/** Lets every queued callback, immediate and promise continuation run: what could happen has. */
async function settleTurns(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('SqliteEventStore durability: nothing answers before the WAL is synced', () => {
  const opened: SqliteEventStore[] = [];
  function openHeld(file = newDatabaseFile()) {
    const syncs = heldSyncs();
    const store = SqliteEventStore.open({ file, syncWal: syncs.syncWal });
    opened.push(store);
    return { store, syncs, file };
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  });

  test('an append resolves, and subscriptions and readers see its rows, only after its sync', async () => {
    const { store, syncs, file } = openHeld();
    const order: string[] = [];
    const subscription = store.subscribeToAll({}, (events) => {
      order.push(`delivered ${events.map((event) => event.streamId).join(',')}`);
    });
    const appended = store.append('s', [newEvent()], 'no_stream').then(() => order.push('append resolved'));
    await syncs.started(1);
    const reads = [
      store.readStream('s').then((events) => order.push(`read ${events.length}`)),
      store.streamRevision('s').then((revision) => order.push(`revision ${revision}`)),
      store.headPosition().then((head) => order.push(`head ${head}`)),
    ];
    await settleTurns();

    // Committed (another connection sees it), but nothing of this store has answered.
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(1);
    other.close();
    expect(order).toEqual([]);

    order.push('synced');
    syncs.held[0].finish();
    await Promise.all([appended, ...reads]);
    await waitFor(() => order.includes('delivered s'), 'the delivery');
    await subscription.close();
    expect(order[0]).toBe('synced');
    expect(order.slice(1).sort()).toEqual(['append resolved', 'delivered s', 'head 1', 'read 1', 'revision 0']);
  });

  test('appends made during a sync commit together and ride on the next one; a catching-up subscription stops at the synced head', async () => {
    const { store, syncs } = openHeld();
    const first = store.append('a', [newEvent()], 'no_stream');
    await syncs.started(1);
    const second = store.append('b', [newEvent()], 'no_stream');
    await settleTurns();
    const third = store.append('c', [newEvent()], 'no_stream');
    await settleTurns();
    expect(syncs.held).toHaveLength(1);
    expect(store.commitStats).toMatchObject({ transactions: 1, appends: 1 });

    syncs.held[0].finish();
    await first;
    await syncs.started(2);
    const received: string[] = [];
    const subscription = store.subscribeToAll({}, (events) => {
      received.push(...events.map((event) => event.streamId));
    });
    await waitFor(() => received.length === 1, 'the synced event');
    await settleTurns();
    expect(received).toEqual(['a']);

    syncs.held[1].finish();
    await Promise.all([second, third]);
    await waitFor(() => received.length === 3, 'the events of the second sync');
    await subscription.close();
    expect(received).toEqual(['a', 'b', 'c']);
    expect(syncs.held).toHaveLength(2);
    expect(store.commitStats).toMatchObject({ transactions: 2, appends: 3 });
  });

  test('a failed sync rejects the appends waiting on it and every later one; reads of the unknown stop too', async () => {
    const { store, syncs } = openHeld();
    await Promise.all([store.append('kept', [newEvent()], 'no_stream'), syncs.started(1).then(() => syncs.held[0].finish())]);
    const waiting = [store.append('lost-1', [newEvent()], 'no_stream'), store.append('lost-2', [newEvent()], 'no_stream')];
    await syncs.started(2);
    waiting.push(store.append('queued-during-the-sync', [newEvent()], 'no_stream'));
    const outcomes = Promise.allSettled(waiting);
    syncs.held[1].finish(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));

    for (const outcome of await outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { name: 'EventLogSyncFailedError' } });
    }
    await expect(store.append('later', [newEvent()], 'no_stream')).rejects.toThrow(/could not be synced to disk \(EIO/);
    await expect(store.headPosition()).rejects.toThrow(/restart the service/);
    await expect(store.readStream('lost-1')).rejects.toThrow(/could not be synced/);
    expect(syncs.held).toHaveLength(2);
  });

  test('close waits for the sync in flight before closing the file', async () => {
    const { store, syncs, file } = openHeld();
    const appended = store.append('s', [newEvent()], 'no_stream');
    await syncs.started(1);
    let closed = false;
    const closing = store.close().then(() => (closed = true));
    await settleTurns();
    expect(closed).toBe(false);

    syncs.held[0].finish();
    await closing;
    await expect(appended).resolves.toMatchObject({ nextExpectedRevision: 0 });
    const reopened = SqliteEventStore.open({ file });
    expect(await reopened.readStream('s')).toHaveLength(1);
    await reopened.close();
  });

  test('close commits and syncs an append that queued behind the sync in flight', async () => {
    const { store, syncs, file } = openHeld();
    const first = store.append('first', [newEvent()], 'no_stream');
    await syncs.started(1);
    const queued = store.append('queued', [newEvent()], 'no_stream');
    const closing = store.close();
    await settleTurns();

    syncs.held[0].finish();
    await syncs.started(2);
    syncs.held[1].finish();
    await closing;
    await expect(first).resolves.toMatchObject({ nextExpectedRevision: 0 });
    await expect(queued).resolves.toMatchObject({ nextExpectedRevision: 0 });
    const reopened = SqliteEventStore.open({ file });
    expect(await reopened.readStream('queued')).toHaveLength(1);
    await reopened.close();
  });

  test('the file synced is the WAL the log is written to, across checkpoints that restart and truncate it', async () => {
    const { store, syncs, file } = openHeld();
    const walInode = () => statSync(`${file}-wal`).ino;
    const checkpointer = new Database(file);
    try {
      for (const mode of ['PASSIVE', 'RESTART', 'TRUNCATE']) {
        const appended = store.append(`s-${mode}`, [newEvent()], 'no_stream');
        const count = syncs.held.length + 1;
        await syncs.started(count);
        expect(fstatSync(syncs.held[count - 1].fd).ino).toBe(walInode());
        syncs.held[count - 1].finish();
        await appended;
        checkpointer.pragma(`wal_checkpoint(${mode})`);
      }
    } finally {
      checkpointer.close();
    }
  });

  test('the WAL is copied back by the checkpointer thread, and the main connection closes last (the WAL is deleted)', async () => {
    const file = newDatabaseFile();
    const store = SqliteEventStore.open({ file });
    const sizeBefore = statSync(file).size;
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, index) => store.append(`s-${batch}-${index}`, [newEvent()], 'no_stream')));
    }
    await waitFor(() => store.commitStats.checkpoints > 0, 'a checkpoint');

    // Far below the backstop auto-checkpoint's pages: only the thread can have grown the file.
    expect(statSync(file).size).toBeGreaterThan(sizeBefore);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = SqliteEventStore.open({ file });
    expect(await reopened.headPosition()).toBe(300);
    await reopened.close();
  });

  test('an in-memory store has no file to sync: appends resolve as they commit', async () => {
    const store = SqliteEventStore.open({ file: ':memory:', syncWal: () => Promise.reject(new Error('never called')) });
    opened.push(store);
    await expect(store.append('s', [newEvent()], 'no_stream')).resolves.toMatchObject({ position: 1 });
  });
});
