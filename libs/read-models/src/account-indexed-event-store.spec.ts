import { DelegatingEventStore, SqliteEventStore, type NewEvent, type ReadAllMatchingOptions, type ReadAllOptions, type RecordedEvent } from '@scim/event-store';
import { randomUUID } from 'node:crypto';
import { AccountIndexedEventStore } from './account-indexed-event-store';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import { ProjectionRunner } from './projection-runner';
import { accountLogIndexes, accountLogProjection, ACCOUNT_LOG } from './projections/account-log.projection';

/**
 * A log without an index on metadata, as EventStoreDB is: the port's default `readAllMatching`
 * reads every event through `readAll`, and this counts them.
 */
class LogWithoutIndex extends DelegatingEventStore {
  eventsRead = 0;
  readonly readsFrom: number[] = [];

  override readAllMatching(options: ReadAllMatchingOptions): AsyncIterable<readonly RecordedEvent[]> {
    this.readsFrom.push(options.fromPosition ?? 0);
    return super.readAllMatching(options);
  }

  override async *readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]> {
    for await (const batch of this.inner.readAll(options)) {
      this.eventsRead += batch.length;
      yield batch;
    }
  }
}

const event = (accountId: string | undefined, type = 'UserAttributesUpdated'): NewEvent => ({
  id: randomUUID(),
  type,
  data: { n: 1 },
  metadata: accountId === undefined ? { correlationId: 'c' } : { accountId, correlationId: 'c' },
});

async function all(batches: AsyncIterable<readonly RecordedEvent[]>, batchSize?: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const batch of batches) {
    if (batchSize !== undefined) expect(batch.length).toBeLessThanOrEqual(batchSize);
    expect(batch.length).toBeGreaterThan(0);
    events.push(...batch);
  }
  return events;
}

describe('AccountIndexedEventStore: an account history from the account-log index', () => {
  let sqlite: SqliteEventStore;
  let log: LogWithoutIndex;
  let readStore: EmbeddedReadStore;
  let runner: ProjectionRunner;
  let indexed: AccountIndexedEventStore;

  /** Interleaved writes of three accounts over user, group and membership streams, and events of no account. */
  async function write(rounds: number): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      for (const account of ['a1', 'a2', 'a3']) {
        await sqlite.append(`user-${account}-${round % 4}`, [event(account, 'UserProvisioned')], 'any');
        await sqlite.append(`group-members-${account}`, [event(account, 'GroupMembersAdded'), event(account, 'GroupMembersAdded')], 'any');
      }
      await sqlite.append('seal', [event(undefined, 'LogSealed')], 'any');
      if (round % 3 === 0) await sqlite.append(`group-a1-${round}`, [event('a1', 'GroupCreated')], 'any');
    }
  }

  async function indexUpToHead(): Promise<void> {
    await runner.start();
    expect(await runner.waitFor(await sqlite.headPosition(), 10_000)).toBe(true);
    await runner.stop();
  }

  beforeEach(async () => {
    sqlite = SqliteEventStore.open({ file: ':memory:' });
    log = new LogWithoutIndex(sqlite);
    readStore = EmbeddedReadStore.open({ file: ':memory:' });
    await readStore.ensureIndexes(ACCOUNT_LOG, accountLogIndexes);
    runner = new ProjectionRunner(log, readStore, [accountLogProjection], { logger: { log: () => undefined, error: () => undefined } });
    indexed = new AccountIndexedEventStore(log, readStore);
  });
  afterEach(async () => {
    await runner.stop();
    await sqlite.close();
    await readStore.close();
  });

  test('answers every account query as the log does: positions, bounds, stream prefixes, batch sizes, an index behind the log', async () => {
    await write(20);
    await indexUpToHead();
    await write(5); // not indexed yet: read from the log past the checkpoint
    const head = await sqlite.headPosition();
    const cases: ReadAllMatchingOptions[] = [];
    for (const accountId of ['a1', 'a2', 'nobody']) {
      for (const fromPosition of [0, 7, Math.floor(head / 2), head - 3, head]) {
        for (const batchSize of [1, 4, 500]) {
          cases.push({ metadata: { accountId }, fromPosition, batchSize });
          cases.push({ metadata: { accountId }, fromPosition, batchSize, toPosition: fromPosition + 30 });
          cases.push({ metadata: { accountId }, fromPosition, batchSize, streamPrefixes: ['group-', 'user-a1-1'] });
        }
      }
    }
    for (const options of cases) {
      // SQLite's own index on metadata.accountId is the reference answer.
      expect({ options, events: await all(indexed.readAllMatching(options), options.batchSize) }).toEqual({ options, events: await all(sqlite.readAllMatching(options)) });
    }
  });

  test('reads no event of the log for the indexed part, only the tail the index has not reached', async () => {
    await write(30);
    await indexUpToHead();
    const everything = await sqlite.headPosition();
    await write(2);
    const tail = (await sqlite.headPosition()) - everything;

    log.eventsRead = 0;
    const history = await all(indexed.readAllMatching({ metadata: { accountId: 'a2' } }));
    const fromIndex = log.eventsRead;
    log.eventsRead = 0;
    const scanned = await all(log.readAllMatching({ metadata: { accountId: 'a2' } }));

    expect(history).toEqual(scanned);
    expect(history.length).toBe(32 * 3);
    expect(fromIndex).toBe(tail);
    expect(log.eventsRead).toBe(everything + tail);
  });

  test('reads the tail from the index checkpoint, never from a position the caller computed', async () => {
    await write(10);
    await indexUpToHead();
    const indexedTo = await readStore.checkpoint(accountLogProjection.name);
    await write(3);
    const head = await sqlite.headPosition();
    const computed = indexedTo + Math.floor((head - indexedTo) / 2);

    const history = await all(indexed.readAllMatching({ metadata: { accountId: 'a3' }, fromPosition: computed }));

    expect(log.readsFrom).toEqual([indexedTo]);
    expect(history).toEqual(await all(sqlite.readAllMatching({ metadata: { accountId: 'a3' }, fromPosition: computed })));
    expect(history.length).toBeGreaterThan(0);
  });

  test('other metadata filters go to the wrapped store unchanged', async () => {
    await write(3);
    await indexUpToHead();
    const byCorrelation = { metadata: { correlationId: 'c' } };
    const byAccountAndCorrelation = { metadata: { accountId: 'a1', correlationId: 'c' } };

    expect(await all(indexed.readAllMatching(byCorrelation))).toEqual(await all(sqlite.readAllMatching(byCorrelation)));
    expect(await all(indexed.readAllMatching(byAccountAndCorrelation))).toEqual(await all(sqlite.readAllMatching(byAccountAndCorrelation)));
  });

  test('an index entry that no longer names its event (a stream deleted and written again) is left out, as the log leaves it out', async () => {
    await write(2);
    await indexUpToHead();
    const [gone] = await sqlite.readStream('user-a1-0');
    const entry = await readStore.get(ACCOUNT_LOG, gone.id);
    // The index points at revision 0 of a stream that now holds another event there.
    await readStore.commit([{ collection: ACCOUNT_LOG, id: gone.id, doc: { ...entry!, streamId: 'user-a1-1' } }], { projection: 'test', position: 1 });

    const history = await all(indexed.readAllMatching({ metadata: { accountId: 'a1' } }));

    expect(history.map((e) => e.id)).not.toContain(gone.id);
    expect(history).toHaveLength((await all(sqlite.readAllMatching({ metadata: { accountId: 'a1' } }))).length - 1);
  });
});
