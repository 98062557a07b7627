import { SqliteEventStore } from '@scim/event-store';
import { MongoReadStore } from './mongo/mongo-read-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { PROJECTION_VERSIONS, recordProjectionVersions } from './projection-versions';
import type { ReadStore } from './read-store.port';
import { ReadStoreLease } from './lease';
import { REBUILD_LEASE, rebuildStaleReadModels, type ScratchRebuildOptions } from './scratch-rebuild';
import { FakeDb, FakeMongoClient } from './testing/fake-mongo-client';
import { TALLIES, tallyEvent, tallyProjection, type TallyView } from './testing/tally-projection';

/** Version 2 of the tallies: the same totals, and a field version 1 never wrote. */
function talliesV2(onEvolve?: (event: { readonly data: Record<string, unknown> }) => void, poisoned = false): Projection {
  const v1 = tallyProjection({ onEvolve, poisonIsFatal: () => poisoned });
  return { ...v1, version: 2, evolve: (ref, doc, event) => {
    const next = v1.evolve(ref, doc, event);
    return next && { ...next, shape: 2 };
  } };
}

// MongoDB's side through the driver-shaped fake (no server here); the event log is SQLite's.
describe('rebuildStaleReadModels', () => {
  let client: FakeMongoClient;
  let live: MongoReadStore;
  let eventStore: SqliteEventStore;
  let logged: string[];
  const logger = { log: (message: string) => logged.push(message), error: (message: string) => logged.push(`error: ${message}`) };
  const collections = async () => (await client.db('scim').listCollections().toArray()).map(({ name }) => name);
  const scratchCollections = async () => (await collections()).filter((name) => name.includes('__rebuild_'));
  const rebuild = (projection: Projection, options: Partial<ScratchRebuildOptions> = {}) =>
    rebuildStaleReadModels({
      eventStore,
      live,
      space: live,
      projections: [projection],
      collectionsOf: (name) => (name === 'tallies' ? [TALLIES] : []),
      prepare: (store: ReadStore) => store.ensureIndexes(TALLIES, [{ name: 'total', fields: [['total', 1]] }]),
      logger,
      holder: 'projector-1',
      progressEvery: 2,
      waitMs: 5,
      ...options,
    });

  beforeEach(async () => {
    client = new FakeMongoClient();
    live = MongoReadStore.over(client.asClient(), 'scim');
    eventStore = SqliteEventStore.open({ file: ':memory:' });
    logged = [];
    await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 2 })], 'no_stream');
    await eventStore.append('tally-b', [tallyEvent('TallyOpened', 'b'), tallyEvent('TallyIncremented', 'b', { by: 5 })], 'no_stream');
    // Version 1 projected live, as the last release's projector left it.
    const runner = new ProjectionRunner(eventStore, live, [tallyProjection()], { logger });
    await runner.start();
    expect(await runner.waitFor(await eventStore.headPosition(), 5_000)).toBe(true);
    await runner.stop();
    await recordProjectionVersions(live, [tallyProjection()]);
    logged = [];
    client.operations.length = 0;
  });

  afterEach(async () => {
    await eventStore.close();
  });

  it('rebuilds a projection of another version into scratch collections, which readers do not see, then swaps them in', async () => {
    const readDuringRebuild: Promise<TallyView | null>[] = [];
    await rebuild(talliesV2(() => readDuringRebuild.push(live.get<TallyView>(TALLIES, 'a'))));

    // Readers kept the version 1 documents until the swap.
    expect(readDuringRebuild.length).toBeGreaterThan(0);
    for (const read of await Promise.all(readDuringRebuild)) expect(read).toEqual({ _id: 'a', total: 2, _position: expect.any(Number) });
    expect(await live.get<TallyView>(TALLIES, 'b')).toMatchObject({ total: 5, shape: 2 });
    expect(await live.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 2 });
    expect(await live.checkpoint('tallies')).toBe(await eventStore.headPosition());
    // The scratch collection, indexed before it filled, became the live one.
    const renames = client.operations.filter((operation) => operation.startsWith('rename'));
    expect(renames).toEqual([expect.stringMatching(/^rename tallies__rebuild_[0-9a-f]{12} -> tallies \(dropTarget\)$/)]);
    expect(client.db('scim').collection(TALLIES).indexNames()).toContain('total');
    expect(await scratchCollections()).toEqual([]);
    expect(logged).toEqual([
      expect.stringMatching(/^Read models of another version \(tallies v1, now v2\): rebuilding them/),
      expect.stringMatching(/^Rebuilding the read models: 4 events, position 4 of 4/),
      expect.stringMatching(/^Rebuilt tallies from 4 events .*; catching up with the events appended since$/),
      'Catching up the rebuilt read models: Projection tallies started from position 4',
      'Swapped in the rebuilt tallies; tallies is now v2',
    ]);
  });

  it('does nothing while the versions match', async () => {
    await rebuild(tallyProjection());
    expect(logged).toEqual([]);
    expect(client.operations.filter((operation) => !operation.startsWith('update checkpoints'))).toEqual([]);
  });

  it('drops the scratch collections a rebuild cut short left, then rebuilds from the start', async () => {
    await live.scratch('dead').commit([{ collection: TALLIES, id: 'x', doc: { _id: 'x', total: 99 } }], { projection: 'tallies', position: 1 });

    await rebuild(talliesV2());

    expect(logged).toContain('Dropped the scratch collections of a rebuild cut short: checkpoints__rebuild_dead, tallies__rebuild_dead');
    expect(await scratchCollections()).toEqual([]);
    expect((await live.find(TALLIES, {})).map((doc) => doc._id)).toEqual(['a', 'b']);
  });

  it('includes the events appended while it rebuilt', async () => {
    // An API replica appends once the rebuild has read the log to its end.
    const appendingAfterReads = new Proxy(eventStore, {
      get: (target, property) =>
        property === 'readAll'
          ? async function* (options: Parameters<SqliteEventStore['readAll']>[0]) {
              yield* target.readAll(options);
              await target.append('tally-c', [tallyEvent('TallyOpened', 'c')], 'no_stream');
            }
          : (Reflect.get(target, property) as unknown),
    });
    await rebuild(talliesV2(), { eventStore: appendingAfterReads });

    expect(await eventStore.readStream('tally-c')).toHaveLength(1);
    expect(await live.get<TallyView>(TALLIES, 'c')).toMatchObject({ total: 0, shape: 2 });
    expect(await live.checkpoint('tallies')).toBe(await eventStore.headPosition());
  });

  it('leaves the live read models as they were when the rebuild fails, and drops its scratch collections', async () => {
    await eventStore.append('tally-a', [tallyEvent('TallyPoisoned', 'a')], 1);
    const before = await live.find(TALLIES, {});

    await expect(rebuild(talliesV2(undefined, true))).rejects.toThrow('poisoned tally');

    expect(await live.find(TALLIES, {})).toEqual(before);
    expect(await live.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 1 });
    expect(await scratchCollections()).toEqual([]);
    // The lease was given up: a fixed release rebuilds at once, without waiting for it to expire.
    await rebuild(talliesV2(), { waitMs: 60_000 });
    expect(await live.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 2 });
  });

  it('refuses a write to a collection the projection does not declare (it would not be swapped in)', async () => {
    await expect(rebuild(talliesV2(), { collectionsOf: () => ['elsewhere'] })).rejects.toThrow(/wrote to tallies, which it does not declare/);
    expect(await live.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 1 });
    expect(await scratchCollections()).toEqual([]);
  });

  it('of two projectors starting at once, one rebuilds; the other waits, then finds the versions current', async () => {
    let evolved = 0;
    const second = MongoReadStore.over(client.asClient(), 'scim');
    const projection = talliesV2(() => evolved++);

    await Promise.all([rebuild(projection), rebuild(projection, { live: second, space: second, holder: 'projector-2' })]);

    expect(evolved).toBe(4);
    expect(logged.filter((line) => line.includes('rebuilding them from the event log'))).toHaveLength(1);
    expect(logged).toContain('Another projector is rebuilding the read models: waiting for it');
    expect(client.operations.filter((operation) => operation.startsWith('rename'))).toHaveLength(1);
    expect(await live.get<TallyView>(TALLIES, 'a')).toMatchObject({ total: 2, shape: 2 });
  });

  it('swaps nothing in once another projector took the lease (this one was paused past its TTL)', async () => {
    // The other projector's clock says this one's lease has expired.
    const thief = new ReadStoreLease(live, { name: REBUILD_LEASE, holder: 'projector-2', ttlMs: 60_000, now: () => Date.now() + 3_600_000 });
    let stolen: Promise<boolean> | undefined;

    await expect(rebuild(talliesV2(() => (stolen ??= thief.acquire())))).rejects.toThrow('Another projector took the rebuild lease');

    expect(await stolen).toBe(true);
    expect(client.operations.filter((operation) => operation.startsWith('rename'))).toEqual([]);
    expect(await live.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 1 });
    expect(await scratchCollections()).toEqual([]);
  });

  it('after a crash in the middle of a swap, the next start rebuilds again from the start', async () => {
    // The process dies once the collection is renamed, before the checkpoints and versions are set.
    const renameCollection = FakeDb.prototype.renameCollection;
    const rename = jest.spyOn(FakeDb.prototype, 'renameCollection').mockImplementationOnce(async function (this: FakeDb, ...args) {
      await renameCollection.apply(this, args);
      throw new Error('process killed');
    });
    await expect(rebuild(talliesV2())).rejects.toThrow('process killed');
    rename.mockRestore();
    // Swapped in, yet the versions say otherwise: rebuilt again rather than trusted.
    expect(await live.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 1 });

    await rebuild(talliesV2());

    expect(await live.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 2 });
    expect(await live.get<TallyView>(TALLIES, 'a')).toMatchObject({ total: 2, shape: 2 });
    expect(await live.checkpoint('tallies')).toBe(await eventStore.headPosition());
    expect(await scratchCollections()).toEqual([]);
  });

  it('gives up when the process stops meanwhile, leaving the live read models as they were', async () => {
    let stopping = false;
    await expect(rebuild(talliesV2(() => (stopping = true)), { stopping: () => stopping })).rejects.toThrow(/Stopping/);
    expect(await live.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 1 });
    expect(await scratchCollections()).toEqual([]);
  });
});
