import {
  DelegatingEventStore,
  SqliteEventStore,
  type AppendResult,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllMatchingOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '@scim/event-store';
import { AccountIndexedEventStore } from './account-indexed-event-store';
import { CatchUpTracker, CheckpointWaiter } from './catch-up';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { accountLogIndexes, accountLogProjection, ACCOUNT_LOG } from './projections/account-log.projection';
import { tallyEvent } from './testing/tally-projection';

/** Bytes between consecutive events, as in EventStoreDB's log. */
const STRIDE = 100;

/**
 * The embedded log with EventStoreDB's positions: byte offsets, far apart, and a read from any
 * other position than an event's (or 0) is refused, as the server refuses it (`InvalidPosition`).
 * So `position - 1`, `next - 1` or a window's arithmetic fails here as it would in production.
 */
class BytePositions extends DelegatingEventStore {
  readonly refused: number[] = [];

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const result = await this.inner.append(streamId, events, expected);
    return { ...result, position: result.position * STRIDE };
  }

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamId, options)).map(toBytes);
  }

  override async *readAll(options: ReadAllOptions = {}): AsyncIterable<readonly RecordedEvent[]> {
    for await (const batch of this.inner.readAll(this.toInner(options))) yield batch.map(toBytes);
  }

  override async *readAllMatching(options: ReadAllMatchingOptions): AsyncIterable<readonly RecordedEvent[]> {
    for await (const batch of this.inner.readAllMatching({ ...options, ...this.toInner(options) })) yield batch.map(toBytes);
  }

  override subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler, onError?: (error: unknown) => void): Subscription {
    return this.inner.subscribeToAll(
      { ...options, ...this.toInner(options), ...(options.onSkipped ? { onSkipped: (position: number) => options.onSkipped!(position * STRIDE) } : {}) },
      (events) => handler(events.map(toBytes)),
      onError,
    );
  }

  override async headPosition(): Promise<number> {
    return (await this.inner.headPosition()) * STRIDE;
  }

  private toInner(options: ReadAllOptions): ReadAllOptions {
    const from = options.fromPosition ?? 0;
    if (from % STRIDE !== 0) {
      this.refused.push(from);
      throw new Error(`InvalidPosition: ${from} is not the position of an event`);
    }
    // An upper bound is only compared with, never sent: any number will do.
    const to = options.toPosition === undefined ? {} : { toPosition: Math.floor(options.toPosition / STRIDE) };
    return { ...options, fromPosition: from / STRIDE, ...to };
  }
}

const toBytes = (event: RecordedEvent): RecordedEvent => ({ ...event, position: event.position * STRIDE });

const auditProjection: Projection = {
  name: 'audit',
  version: 1,
  streamPrefixes: ['audit-'],
  targets: (event) => [{ collection: 'audit', id: event.streamId }],
  evolve: (ref, doc) => ({ _id: ref.id, count: ((doc?.count as number) ?? 0) + 1 }),
};

const quiet = { log: () => undefined, error: () => undefined };

describe('positions as EventStoreDB gives them (byte offsets): never computed, only compared', () => {
  let sqlite: SqliteEventStore;
  let log: BytePositions;
  let readStore: EmbeddedReadStore;

  beforeEach(() => {
    sqlite = SqliteEventStore.open({ file: ':memory:' });
    log = new BytePositions(sqlite);
    readStore = EmbeddedReadStore.open({ file: ':memory:' });
  });
  afterEach(async () => {
    await sqlite.close();
    await readStore.close();
  });

  test('read-your-writes: the catch-up tracker and the checkpoint waiter read only from positions the log gave', async () => {
    const tracker = new CatchUpTracker(log);
    const audited = await log.append('audit-1', [tallyEvent('Audited', 'none')], 'no_stream');
    const quietOne = await log.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    const quietTwo = await log.append('tally-b', [tallyEvent('TallyOpened', 'b')], 'no_stream');

    expect(await tracker.includes(auditProjection, 0, quietOne.position)).toBe(false);
    expect(await tracker.includes(auditProjection, audited.position, quietOne.position)).toBe(true);
    expect(await tracker.includes(auditProjection, audited.position, quietTwo.position)).toBe(true);

    const runner = new ProjectionRunner(log, readStore, [auditProjection], { logger: quiet });
    await runner.start();
    expect(await new CheckpointWaiter(log, readStore, [auditProjection]).waitFor(quietTwo.position, 5_000)).toBe(true);
    expect(await runner.waitFor(quietTwo.position, 5_000)).toBe(true);
    await runner.stop();
    expect(log.refused).toEqual([]);
  });

  test('account histories through the index: the tail is read from the checkpoint, whatever position the caller computed', async () => {
    const appended: number[] = [];
    const write = async (count: number) => {
      for (let n = 0; n < count; n++) {
        const { position } = await log.append(`user-${n % 3}`, [{ ...tallyEvent('UserProvisioned', 'u'), metadata: { accountId: n % 2 === 0 ? 'a1' : 'a2' } }], 'any');
        appended.push(position);
      }
    };
    await write(12);
    await readStore.ensureIndexes(ACCOUNT_LOG, accountLogIndexes);
    const runner = new ProjectionRunner(log, readStore, [accountLogProjection], { logger: quiet });
    await runner.start();
    expect(await runner.waitFor(await log.headPosition(), 5_000)).toBe(true);
    await runner.stop();
    await write(6);
    const indexed = new AccountIndexedEventStore(log, readStore);

    // As the events API's `at(position)` asks: from one byte before the event it wants.
    for (const position of [appended[4], appended[16]]) {
      const [first] = await firstBatch(indexed.readAllMatching({ metadata: { accountId: 'a1' }, fromPosition: position - 1, batchSize: 1 }));
      expect(first.position).toBe(position);
    }
    expect(log.refused).toEqual([]);
    // The same question straight to the log is refused, as EventStoreDB refuses it.
    await expect(firstBatch(log.readAllMatching({ metadata: { accountId: 'a1' }, fromPosition: appended[16] - 1 }))).rejects.toThrow(/InvalidPosition/);
  });
});

async function firstBatch(batches: AsyncIterable<readonly RecordedEvent[]>): Promise<readonly RecordedEvent[]> {
  for await (const batch of batches) return batch;
  return [];
}
