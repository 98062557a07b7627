/**
 * The behaviour every EventStore adapter must show (shared/STYLE.md §15). Streams of each test live
 * under a fresh random scope inside `streamPrefix`, so a long-lived shared server can be reused.
 */
import { randomUUID } from 'node:crypto';
import {
  type AppendResult,
  AppendTooLargeError,
  type EventStore,
  MAX_APPEND_BYTES,
  type NewEvent,
  type ReadAllMatchingOptions,
  type ReadAllOptions,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store.port';

export interface EventStoreContractFixture {
  readonly store: EventStore;
  /** Unique per run: every stream the suite writes starts with it. */
  readonly streamPrefix: string;
  /**
   * Metadata keys the store adds on append (a decorator's, e.g. the hash chain's `chain`): left
   * out when the suite compares the metadata it wrote with the metadata it reads back.
   */
  readonly addedMetadataKeys?: readonly string[];
  /**
   * The store refuses 'any' and 'stream_exists' with a TypeError (the hash chain: its links must
   * attach to a known revision). The service's writers append with exact revisions only.
   */
  readonly exactExpectationsOnly?: boolean;
}

export interface EventStoreContractSkip {
  readonly skip: string;
}

/**
 * Returns the skip synchronously (jest registers tests before anything async can run), or a
 * promise of the fixture. Called once per suite; the suite closes the store at the end.
 */
export type EventStoreContractSetup = () => EventStoreContractSkip | Promise<EventStoreContractFixture>;

const DELIVERY_TIMEOUT_MS = 5_000;
// How long "nothing more arrives" is observed; local and networked deliveries take a few ms.
const QUIET_PERIOD_MS = 150;

export function describeEventStoreContract(adapterName: string, setup: EventStoreContractSetup): void {
  const started = setup();
  // Outside describe: jest keeps what is logged there for the summary reporter to print.
  if (!('then' in started)) console.log(`SKIP ${adapterName} contract: ${started.skip}`);
  describe(`${adapterName} event store contract`, () => {
    if (!('then' in started)) {
      registerContractTests(it.skip, () => {
        throw new Error('skipped');
      });
      return;
    }
    // beforeAll awaits it; until then a failure must not surface as an unhandled rejection.
    started.catch(() => undefined);
    let fixture: EventStoreContractFixture | undefined;
    beforeAll(async () => {
      fixture = await started;
    });
    afterAll(async () => {
      await fixture?.store.close();
    });
    registerContractTests(it, () => {
      if (!fixture) throw new Error(`${adapterName} contract setup failed`);
      return fixture;
    });
  });
}

function registerContractTests(test: jest.It, current: () => EventStoreContractFixture): void {
  const store = (): EventStore => current().store;
  const asWritten = (metadata: Readonly<Record<string, unknown>>): Record<string, unknown> => {
    const copy = { ...metadata };
    for (const key of current().addedMetadataKeys ?? []) delete copy[key];
    return copy;
  };
  // A prefix no other test or run shares.
  const newScope = (): string => `${current().streamPrefix}${randomUUID()}-`;
  const newStream = (name = 'stream'): string => `${newScope()}${name}`;
  /** Appends after the stream's last event, as a writer that just read the stream would. */
  const appendAtEnd = async (streamId: string, events: readonly NewEvent[]) => {
    const revision = await store().streamRevision(streamId);
    return store().append(streamId, events, revision < 0 ? 'no_stream' : revision);
  };
  const refusedAsInexact = async (expected: 'any' | 'stream_exists'): Promise<boolean> => {
    if (!current().exactExpectationsOnly) return false;
    await expect(store().append(newStream(), [newEvent()], expected)).rejects.toThrow(TypeError);
    return true;
  };

  describe('append and expected revision', () => {
    test('creates a stream with no_stream, at revision 0', async () => {
      const stream = newStream();
      const event = newEvent({ n: 1 });
      const start = await store().headPosition();

      const result = await store().append(stream, [event], 'no_stream');

      expect(result.nextExpectedRevision).toBe(0);
      expect(result.position).toBeGreaterThan(0);
      const [read] = await store().readStream(stream);
      expect(read).toMatchObject({ id: event.id, streamId: stream, revision: 0, type: event.type, data: event.data });
      const [fromAll] = await readAllEvents(store(), { fromPosition: start, streamPrefixes: [stream] });
      expect(fromAll.position).toBe(result.position);
    });

    test('reports a stream revision without reading the stream: -1 when missing', async () => {
      const stream = newStream();
      expect(await store().streamRevision(stream)).toBe(-1);
      await store().append(stream, [newEvent(), newEvent(), newEvent()], 'no_stream');
      expect(await store().streamRevision(stream)).toBe(2);
    });

    test('appends after an exact expected revision', async () => {
      const stream = newStream();
      const [first, second, third] = [newEvent(), newEvent(), newEvent()];
      await store().append(stream, [first], 'no_stream');

      const result = await store().append(stream, [second, third], 0);

      expect(result.nextExpectedRevision).toBe(2);
      const read = await store().readStream(stream);
      expect(read.map((event) => [event.id, event.revision])).toEqual([
        [first.id, 0],
        [second.id, 1],
        [third.id, 2],
      ]);
    });

    test('rejects a wrong expected revision with the actual one, leaving the stream as it was', async () => {
      const stream = newStream();
      await store().append(stream, [newEvent(), newEvent()], 'no_stream');

      const ahead = await captureError(store().append(stream, [newEvent()], 5));
      const stale = await captureError(store().append(stream, [newEvent()], 0));

      expect(ahead).toBeInstanceOf(WrongExpectedRevisionError);
      expect(ahead).toMatchObject({ streamId: stream, expected: 5, actual: 1 });
      expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
      expect(stale).toMatchObject({ expected: 0, actual: 1 });
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    test('rejects no_stream when the stream exists', async () => {
      const stream = newStream();
      await store().append(stream, [newEvent()], 'no_stream');

      const error = await captureError(store().append(stream, [newEvent()], 'no_stream'));

      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ streamId: stream, expected: 'no_stream', actual: 0 });
    });

    test('stream_exists fails on a missing stream and succeeds on an existing one', async () => {
      if (await refusedAsInexact('stream_exists')) return;
      const stream = newStream();

      const error = await captureError(store().append(stream, [newEvent()], 'stream_exists'));
      await store().append(stream, [newEvent()], 'no_stream');
      const result = await store().append(stream, [newEvent()], 'stream_exists');

      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(1);
    });

    test('any appends whether or not the stream exists', async () => {
      if (await refusedAsInexact('any')) return;
      const stream = newStream();

      const created = await store().append(stream, [newEvent()], 'any');
      const appended = await store().append(stream, [newEvent(), newEvent()], 'any');

      expect(created.nextExpectedRevision).toBe(0);
      expect(appended.nextExpectedRevision).toBe(2);
    });

    test('an empty append only checks the expectation and reports the current revision', async () => {
      const stream = newStream();

      const missing = await store().append(stream, [], 'no_stream');
      const created = await store().append(stream, [newEvent()], 'no_stream');
      const unchanged = await store().append(stream, [], 0);
      const error = await captureError(store().append(stream, [], 3));

      expect(missing.nextExpectedRevision).toBe(-1);
      expect(unchanged.nextExpectedRevision).toBe(0);
      expect(unchanged.position).toBeGreaterThanOrEqual(created.position);
      expect(error).toMatchObject({ expected: 3, actual: 0 });
      expect(await store().readStream(stream)).toHaveLength(1);
    });

    test('numbers revisions 0..n-1 per stream and strictly increasing positions across streams', async () => {
      const scope = newScope();
      const [first, second] = [`${scope}first`, `${scope}second`];
      const start = await store().headPosition();

      const results = [
        await store().append(first, [newEvent(), newEvent()], 'no_stream'),
        await store().append(second, [newEvent()], 'no_stream'),
        await store().append(first, [newEvent()], 1),
        await store().append(second, [newEvent(), newEvent()], 0),
      ];

      const all = await readAllEvents(store(), { fromPosition: start, streamPrefixes: [scope] });
      expect(all).toHaveLength(6);
      expectStrictlyIncreasing(all.map((event) => event.position));
      expectStrictlyIncreasing(results.map((result) => result.position));
      expect(revisionsOf(all, first)).toEqual([0, 1, 2]);
      expect(revisionsOf(all, second)).toEqual([0, 1, 2]);
      // Each append reports the position of its own last event.
      expect(results.map((result) => result.position)).toEqual([all[1], all[2], all[3], all[5]].map((e) => e.position));
    });

    test('a retry with the same event ids is an idempotent success; partly recorded ids are rejected', async () => {
      const stream = newStream();
      const events = [newEvent(), newEvent()];
      const first = await store().append(stream, events, 'no_stream');

      const retry = await store().append(stream, events, 'no_stream');
      const mixed = await captureError(store().append(stream, [events[0], newEvent()], 'no_stream'));

      expect(retry.nextExpectedRevision).toBe(first.nextExpectedRevision);
      expect(mixed).toBeInstanceOf(Error);
      expect((await store().readStream(stream)).map((event) => event.id)).toEqual(events.map((event) => event.id));
    });

    test('of 50 concurrent appends expecting the same revision exactly one wins', async () => {
      const stream = newStream();
      await store().append(stream, [newEvent()], 'no_stream');

      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, () => store().append(stream, [newEvent()], 0)),
      );

      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(49);
      for (const loser of losers) {
        expect(loser).toBeInstanceOf(WrongExpectedRevisionError);
        expect(loser).toMatchObject({ expected: 0, actual: 1 });
      }
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    // EventStoreDB refuses an append over its MaxAppendSize (1 MiB by default); the embedded store
    // refuses the same, so a write that passes the tests here does not fail in production.
    test('refuses an append over MAX_APPEND_BYTES with AppendTooLargeError, writing none of it', async () => {
      const stream = newStream();
      await store().append(stream, [newEvent()], 'no_stream');
      const half = 'x'.repeat(MAX_APPEND_BYTES / 2);

      const split = await captureError(store().append(stream, [newEvent({ half }), newEvent({ half })], 0));
      // Counted in UTF-8 bytes: 'é' is two.
      const multibyte = await captureError(store().append(stream, [newEvent({ text: 'é'.repeat(MAX_APPEND_BYTES / 2 + 16) })], 0));
      const under = await store().append(stream, [newEvent({ text: 'x'.repeat(MAX_APPEND_BYTES - 8_192) })], 0);

      for (const error of [split, multibyte]) {
        expect(error).toBeInstanceOf(AppendTooLargeError);
        expect(error).toMatchObject({ streamId: stream, maxBytes: MAX_APPEND_BYTES });
      }
      expect(under.nextExpectedRevision).toBe(1);
      expect((await store().readStream(stream)).map((event) => event.revision)).toEqual([0, 1]);
    });

    test('100 concurrent appends to different streams all succeed', async () => {
      const scope = newScope();
      const start = await store().headPosition();

      const results = await Promise.all(
        Array.from({ length: 100 }, (_, index) => store().append(`${scope}${index}`, [newEvent()], 'no_stream')),
      );

      expect(results.every((result) => result.nextExpectedRevision === 0)).toBe(true);
      expect(new Set(results.map((result) => result.position)).size).toBe(100);
      expect(await readAllEvents(store(), { fromPosition: start, streamPrefixes: [scope] })).toHaveLength(100);
    });
  });

  describe('reading', () => {
    test('readStream of a missing stream is empty', async () => {
      expect(await store().readStream(newStream('missing'))).toEqual([]);
    });

    test('readStream starts at fromRevision', async () => {
      const stream = newStream();
      const events = Array.from({ length: 5 }, () => newEvent());
      await store().append(stream, events, 'no_stream');

      const tail = await store().readStream(stream, { fromRevision: 2 });
      const beyond = await store().readStream(stream, { fromRevision: 5 });

      expect(tail.map((event) => [event.id, event.revision])).toEqual([
        [events[2].id, 2],
        [events[3].id, 3],
        [events[4].id, 4],
      ]);
      expect(beyond).toEqual([]);
    });

    test('readStream reads at most maxCount events', async () => {
      const stream = newStream();
      const events = Array.from({ length: 5 }, () => newEvent());
      await store().append(stream, events, 'no_stream');

      const one = await store().readStream(stream, { fromRevision: 3, maxCount: 1 });
      const pastTheEnd = await store().readStream(stream, { fromRevision: 3, maxCount: 10 });

      expect(one.map((event) => [event.id, event.revision])).toEqual([[events[3].id, 3]]);
      expect(pastTheEnd.map((event) => event.revision)).toEqual([3, 4]);
    });

    test('readAll returns commit order, filters by stream prefix, starts after fromPosition, batches', async () => {
      const [scopeA, scopeB, scopeC] = [newScope(), newScope(), newScope()];
      const start = await store().headPosition();
      const written: Array<{ stream: string; event: NewEvent }> = [];
      for (const stream of [`${scopeA}1`, `${scopeB}1`, `${scopeC}1`, `${scopeA}2`, `${scopeB}1`]) {
        const event = newEvent();
        await appendAtEnd(stream, [event]);
        written.push({ stream, event });
      }
      const wanted = written.filter(({ stream }) => !stream.startsWith(scopeC)).map(({ event }) => event.id);

      const filtered = await readAllEvents(store(), { fromPosition: start, streamPrefixes: [scopeA, scopeB] });
      const afterSecond = await readAllEvents(store(), {
        fromPosition: filtered[1].position,
        streamPrefixes: [scopeA, scopeB],
      });
      const batches = await readAllBatches(store(), { fromPosition: start, streamPrefixes: [scopeA, scopeB], batchSize: 3 });

      expect(filtered.map((event) => event.id)).toEqual(wanted);
      expect(afterSecond.map((event) => event.id)).toEqual(wanted.slice(2));
      expect(batches.map((batch) => batch.length)).toEqual([3, 1]);
      expect(batches.flat().map((event) => event.id)).toEqual(wanted);
    });

    test('readAll and readAllMatching stop at toPosition', async () => {
      const [mine, other] = [newScope(), newScope()];
      const start = await store().headPosition();
      const tagged = { ...newEvent(), metadata: { correlationId: randomUUID(), accountId: `account-${randomUUID()}` } };
      const first = await store().append(`${mine}1`, [tagged], 'no_stream');
      const bound = await store().append(`${other}1`, [newEvent()], 'no_stream');
      await store().append(`${mine}2`, [{ ...newEvent(), metadata: tagged.metadata }], 'no_stream');

      const upToBound = await readAllEvents(store(), { fromPosition: start, toPosition: bound.position, streamPrefixes: [mine], batchSize: 1 });
      const matching = await readMatching(store(), { fromPosition: start, toPosition: bound.position, metadata: { accountId: tagged.metadata.accountId } });

      expect(upToBound.map((event) => event.position)).toEqual([first.position]);
      expect(matching.map((event) => event.position)).toEqual([first.position]);
    });

    test('event data and metadata round-trip exactly (nested objects, unicode)', async () => {
      const stream = newStream('round-trip');
      const data = {
        userName: 'zoë.王@example.com',
        name: { givenName: 'Zoë', familyName: '王', formatted: 'Zoë 王 🦄 — e\u0301' },
        emails: [{ value: 'zoe@example.com', type: 'work', primary: true }],
        enterprise: { manager: { value: null, nested: { deeper: ['x', 1, 2.5, { empty: [] }] } } },
        active: false,
        quota: 0,
      };
      const metadata = { correlationId: randomUUID(), causationId: randomUUID(), actor: { id: 'admin', roles: ['𝒜'] } };

      await store().append(stream, [{ id: randomUUID(), type: 'UserProvisioned', data, metadata }], 'no_stream');

      const [read] = await store().readStream(stream);
      expect(read.type).toBe('UserProvisioned');
      expect(read.data).toEqual(data);
      expect(asWritten(read.metadata)).toEqual(metadata);
      expect(Math.abs(Date.parse(read.recordedAt) - Date.now())).toBeLessThan(5 * 60_000);
    });

    test('headPosition covers the last append and later appends come after it', async () => {
      const stream = newStream();
      const first = await store().append(stream, [newEvent()], 'no_stream');

      const head = await store().headPosition();
      const later = newEvent();
      const second = await store().append(stream, [later], 0);

      expect(head).toBeGreaterThanOrEqual(first.position);
      expect(second.position).toBeGreaterThan(head);
      const afterHead = await readAllEvents(store(), { fromPosition: head, streamPrefixes: [stream] });
      expect(afterHead.map((event) => event.id)).toEqual([later.id]);
    });
  });

  describe('readAllMatching (metadata filter)', () => {
    const tagged = (metadata: Record<string, unknown>): NewEvent => ({ ...newEvent(), metadata: { correlationId: randomUUID(), ...metadata } });

    test('returns only events whose metadata holds the values, in commit order, in batches', async () => {
      const scope = newScope();
      const [accountA, accountB] = [randomUUID(), randomUUID()];
      const start = await store().headPosition();
      const wanted: string[] = [];
      for (let index = 0; index < 7; index++) {
        const mine = tagged({ accountId: accountA, n: index });
        await appendAtEnd(`${scope}s-${index % 3}`, [mine, tagged({ accountId: accountB })]);
        wanted.push(mine.id);
      }
      await store().append(`${scope}no-account`, [newEvent()], 'no_stream');

      const batches = await readMatchingBatches(store(), { fromPosition: start, metadata: { accountId: accountA }, batchSize: 3 });
      const all = batches.flat();

      expect(all.map((event) => event.id)).toEqual(wanted);
      expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
      expectStrictlyIncreasing(all.map((event) => event.position));
      expect(all.every((event) => event.metadata.accountId === accountA)).toBe(true);
    });

    test('combines with fromPosition, stream prefixes and several keys', async () => {
      const [scopeA, scopeB] = [newScope(), newScope()];
      const account = randomUUID();
      const start = await store().headPosition();
      const first = tagged({ accountId: account, kind: 'x' });
      const second = tagged({ accountId: account, kind: 'x' });
      const otherKind = tagged({ accountId: account, kind: 'y' });
      const otherScope = tagged({ accountId: account, kind: 'x' });
      await store().append(`${scopeA}1`, [first, otherKind], 'no_stream');
      await store().append(`${scopeB}1`, [otherScope], 'no_stream');
      await store().append(`${scopeA}2`, [second], 'no_stream');

      const matching = await readMatching(store(), { fromPosition: start, metadata: { accountId: account, kind: 'x' }, streamPrefixes: [scopeA] });
      const afterFirst = await readMatching(store(), { fromPosition: matching[0].position, metadata: { accountId: account }, streamPrefixes: [scopeA] });

      expect(matching.map((event) => event.id)).toEqual([first.id, second.id]);
      expect(afterFirst.map((event) => event.id)).toEqual([otherKind.id, second.id]);
    });

    test('matches strings only: a number or an object never equals the filter value', async () => {
      const stream = newStream();
      const account = randomUUID();
      const start = await store().headPosition();
      const text = tagged({ accountId: account });
      await store().append(stream, [text, tagged({ accountId: 42 }), tagged({ accountId: { id: account } }), tagged({})], 'no_stream');

      const byText = await readMatching(store(), { fromPosition: start, metadata: { accountId: account } });
      const byNumber = await readMatching(store(), { fromPosition: start, metadata: { accountId: '42' } });
      const byJson = await readMatching(store(), { fromPosition: start, metadata: { accountId: JSON.stringify({ id: account }) } });

      expect(byText.map((event) => event.id)).toEqual([text.id]);
      expect(byNumber).toEqual([]);
      expect(byJson).toEqual([]);
    });

    test('rejects an empty filter and keys that are not identifiers', async () => {
      await expect(readMatching(store(), { metadata: {} })).rejects.toThrow(RangeError);
      await expect(readMatching(store(), { metadata: { "a') OR 1=1 --": 'x' } })).rejects.toThrow(TypeError);
    });
  });

  describe('subscribeToAll', () => {
    // A subscriber whose streams are quiet must still learn how far the log was read, or its
    // checkpoint never moves and every restart rereads everything since (EventStoreDB: the filtered
    // subscription's checkpoints, sent every 32 events it looked at).
    test("reports progress past other streams' events through onSkipped", async () => {
      const scope = newScope();
      const start = await store().headPosition();
      const skippedTo: number[] = [];
      const delivered: RecordedEvent[] = [];
      const subscription = store().subscribeToAll(
        { fromPosition: start, streamPrefixes: [`${scope}mine-`], onSkipped: (position) => void skippedTo.push(position) },
        (events) => void delivered.push(...events),
      );
      try {
        const others: AppendResult[] = [];
        for (let index = 0; index < 100; index++) others.push(await store().append(`${scope}other-${index}`, [newEvent()], 'no_stream'));
        await waitFor(() => skippedTo.some((position) => position >= others[63].position), 'progress past the other streams');

        expect(delivered).toEqual([]);
        expectStrictlyIncreasing(skippedTo);
      } finally {
        await subscription.close();
      }
    });

    test('catches up then goes live without gaps or duplicates, even for events written during catch-up', async () => {
      const scope = newScope();
      const start = await store().headPosition();
      for (let index = 0; index < 6; index++) {
        await appendAtEnd(`${scope}history-${index % 3}`, [newEvent(), newEvent(), newEvent(), newEvent()]);
      }
      const writeDuringCatchUp = async (): Promise<void> => {
        for (let index = 0; index < 5; index++) {
          await Promise.all([
            appendAtEnd(`${scope}live-x`, [newEvent(), newEvent()]),
            appendAtEnd(`${scope}live-y`, [newEvent()]),
          ]);
        }
      };
      const expectedCount = 24 + 15;
      const received: RecordedEvent[] = [];
      let liveWrites: Promise<void> | undefined;

      const subscription = store().subscribeToAll(
        { fromPosition: start, streamPrefixes: [scope], batchSize: 4 },
        async (batch) => {
          received.push(...batch);
          liveWrites ??= writeDuringCatchUp();
          await delay(2);
        },
      );
      try {
        await waitFor(() => received.length >= expectedCount, 'all events delivered');
        await liveWrites;
        await delay(QUIET_PERIOD_MS);
      } finally {
        await subscription.close();
      }

      const committed = await readAllEvents(store(), { fromPosition: start, streamPrefixes: [scope] });
      expect(committed).toHaveLength(expectedCount);
      expect(received.map((event) => event.id)).toEqual(committed.map((event) => event.id));
    });

    test('from a checkpoint delivers only later events, then live ones', async () => {
      const scope = newScope();
      const start = await store().headPosition();
      await store().append(`${scope}a`, [newEvent(), newEvent(), newEvent()], 'no_stream');
      await store().append(`${scope}b`, [newEvent(), newEvent()], 'no_stream');
      const history = await readAllEvents(store(), { fromPosition: start, streamPrefixes: [scope] });
      const received: RecordedEvent[] = [];

      const subscription = store().subscribeToAll(
        { fromPosition: history[2].position, streamPrefixes: [scope] },
        (batch) => {
          received.push(...batch);
        },
      );
      try {
        await waitFor(() => received.length >= 2, 'events after the checkpoint');
        const live = newEvent();
        await store().append(`${scope}a`, [live], 2);
        await waitFor(() => received.length >= 3, 'the live event');
        await delay(QUIET_PERIOD_MS);

        expect(received.map((event) => event.id)).toEqual([history[3].id, history[4].id, live.id]);
      } finally {
        await subscription.close();
      }
    });

    test('with eventTypes, delivers only events of those types, in order', async () => {
      const scope = newScope();
      const start = await store().headPosition();
      const wanted = [newEvent({ n: 1 }, 'Wanted'), newEvent({ n: 2 }, 'Other'), newEvent({ n: 3 }, 'Wanted')];
      await store().append(`${scope}a`, wanted, 'no_stream');
      await store().append(`${scope}b`, [newEvent({ n: 4 }, 'Other')], 'no_stream');
      const received: RecordedEvent[] = [];

      const subscription = store().subscribeToAll({ fromPosition: start, streamPrefixes: [scope], eventTypes: ['Wanted'] }, (batch) => {
        received.push(...batch);
      });
      try {
        await waitFor(() => received.length >= 2, 'the events of the wanted type');
        const live = newEvent({ n: 5 }, 'Wanted');
        await store().append(`${scope}b`, [newEvent({ n: 6 }, 'Other'), live], 0);
        await waitFor(() => received.length >= 3, 'the live event');
        await delay(QUIET_PERIOD_MS);

        expect(received.map((event) => event.id)).toEqual([wanted[0].id, wanted[2].id, live.id]);
      } finally {
        await subscription.close();
      }
    });

    test('delivers live events exactly as reading the log gives them', async () => {
      const scope = newScope();
      const start = await store().headPosition();
      const received: RecordedEvent[] = [];
      const subscription = store().subscribeToAll({ fromPosition: start, streamPrefixes: [`${scope}in-`] }, (batch) => {
        received.push(...batch);
      });
      try {
        // Appends issued together (one commit where the store groups them), other streams between.
        for (let round = 0; round < 3; round++) {
          await Promise.all([
            appendAtEnd(`${scope}in-a`, [newEvent({ round, nested: { list: [1, 'two'] } }), newEvent()]),
            appendAtEnd(`${scope}out`, [newEvent()]),
            appendAtEnd(`${scope}in-b`, [newEvent({ round })]),
          ]);
          await delay(5);
        }
        await waitFor(() => received.length >= 9, 'the live events');
        await delay(QUIET_PERIOD_MS);
      } finally {
        await subscription.close();
      }

      const committed = await readAllEvents(store(), { fromPosition: start, streamPrefixes: [`${scope}in-`] });
      expect(committed).toHaveLength(9);
      expect(received).toEqual(committed);
    });

    test('close waits for the handler in flight and stops delivery', async () => {
      const stream = newStream();
      const start = await store().headPosition();
      await store().append(stream, [newEvent()], 'no_stream');
      const received: RecordedEvent[] = [];
      const handlerStarted = deferred();
      const handlerMayFinish = deferred();

      const subscription = store().subscribeToAll({ fromPosition: start, streamPrefixes: [stream] }, async (batch) => {
        received.push(...batch);
        handlerStarted.resolve();
        await handlerMayFinish.promise;
      });
      await handlerStarted.promise;
      let closed = false;
      const closing = subscription.close().then(() => (closed = true));
      await delay(30);
      const closedWhileHandlerRan = closed;
      handlerMayFinish.resolve();
      await closing;
      await store().append(stream, [newEvent()], 0);
      await delay(QUIET_PERIOD_MS);

      expect(closedWhileHandlerRan).toBe(false);
      expect(received).toHaveLength(1);
    });

    test('a handler error goes to onError and stops the subscription', async () => {
      const stream = newStream();
      const start = await store().headPosition();
      await store().append(stream, [newEvent()], 'no_stream');
      await store().append(stream, [newEvent()], 0);
      const failure = new Error('projection bug');
      const errors: unknown[] = [];
      let calls = 0;

      const subscription = store().subscribeToAll(
        { fromPosition: start, streamPrefixes: [stream], batchSize: 1 },
        () => {
          calls++;
          throw failure;
        },
        (error) => errors.push(error),
      );
      await waitFor(() => errors.length > 0, 'onError');
      await store().append(stream, [newEvent()], 1);
      await delay(QUIET_PERIOD_MS);
      await subscription.close();

      expect(errors).toEqual([failure]);
      expect(calls).toBe(1);
    });
  });
}

export function newEvent(data: Record<string, unknown> = { value: randomUUID() }, type = 'ContractTested'): NewEvent {
  return { id: randomUUID(), type, data, metadata: { correlationId: randomUUID() } };
}

export async function readAllBatches(store: EventStore, options: ReadAllOptions): Promise<RecordedEvent[][]> {
  const batches: RecordedEvent[][] = [];
  for await (const batch of store.readAll(options)) batches.push([...batch]);
  return batches;
}

export async function readMatchingBatches(store: EventStore, options: ReadAllMatchingOptions): Promise<RecordedEvent[][]> {
  const batches: RecordedEvent[][] = [];
  for await (const batch of store.readAllMatching(options)) batches.push([...batch]);
  return batches;
}

export async function readMatching(store: EventStore, options: ReadAllMatchingOptions): Promise<RecordedEvent[]> {
  return (await readMatchingBatches(store, options)).flat();
}

export async function readAllEvents(store: EventStore, options: ReadAllOptions): Promise<RecordedEvent[]> {
  return (await readAllBatches(store, options)).flat();
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(5);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

async function captureError(promise: Promise<AppendResult>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the append to be rejected, but it succeeded');
}

function revisionsOf(events: readonly RecordedEvent[], streamId: string): number[] {
  return events.filter((event) => event.streamId === streamId).map((event) => event.revision);
}

function expectStrictlyIncreasing(values: readonly number[]): void {
  values.slice(1).forEach((value, index) => expect(value).toBeGreaterThan(values[index]));
}
