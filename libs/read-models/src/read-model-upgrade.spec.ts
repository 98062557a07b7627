import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@scim/event-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { PROJECTION_VERSIONS } from './projection-versions';
import type { ReadStore } from './read-store.port';
import { openEmbeddedReadModels } from './read-model-upgrade';
import { TALLIES, tallyEvent, tallyProjection, type TallyView } from './testing/tally-projection';

/** Version 2 of the tallies: the same totals, and a field version 1 never wrote. */
const talliesV2: Projection = {
  ...tallyProjection(),
  version: 2,
  evolve: (ref, doc, event) => {
    const next = tallyProjection().evolve(ref, doc, event);
    return next && { ...next, shape: 2 };
  },
};

const prepare = (store: ReadStore) => store.ensureIndexes(TALLIES, [{ name: 'total', fields: [['total', 1]] }]);

describe('openEmbeddedReadModels', () => {
  let directory: string;
  let file: string;
  let eventStore: SqliteEventStore;
  let logged: string[];
  const logger = { log: (message: string) => logged.push(message), error: (message: string) => logged.push(`error: ${message}`) };
  const open = (projection: Projection) => openEmbeddedReadModels({ file, eventStore, projections: [projection], prepare, logger, progressEvery: 2 });

  /** Projects the log into the live file as a running service would, then closes it. */
  async function projectLive(projection: Projection): Promise<void> {
    const store = await open(projection);
    const runner = new ProjectionRunner(eventStore, store, [projection], { logger });
    await runner.start();
    expect(await runner.waitFor(await eventStore.headPosition(), 5_000)).toBe(true);
    await runner.stop();
    await store.close();
  }

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'read-model-upgrade-'));
    file = join(directory, 'read-models.db');
    eventStore = SqliteEventStore.open({ file: ':memory:' });
    logged = [];
    await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 2 })], 'no_stream');
    await eventStore.append('tally-b', [tallyEvent('TallyOpened', 'b'), tallyEvent('TallyIncremented', 'b', { by: 5 })], 'no_stream');
  });

  afterEach(async () => {
    await eventStore.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('records the versions of a new store and rebuilds nothing while they match', async () => {
    await projectLive(tallyProjection());
    const store = await open(tallyProjection());
    expect(await store.get(PROJECTION_VERSIONS, 'tallies')).toMatchObject({ version: 1 });
    expect((await store.get<TallyView>(TALLIES, 'b'))?.total).toBe(5);
    await store.close();
    expect(logged.some((line) => line.includes('rebuilding'))).toBe(false);
  });

  it('rebuilds a projection whose version changed, swapping the rebuilt file in, with progress in the log', async () => {
    await projectLive(tallyProjection());
    logged = [];
    const store = await open(talliesV2);
    const tallies = await store.find<TallyView>(TALLIES, {}, { sort: [['_id', 1]] });
    expect(tallies.map(({ _id, total, shape }) => ({ _id, total, shape }))).toEqual([
      { _id: 'a', total: 2, shape: 2 },
      { _id: 'b', total: 5, shape: 2 },
    ]);
    expect(await store.get(PROJECTION_VERSIONS, 'tallies')).toMatchObject({ version: 2 });
    expect(await store.checkpoint('tallies')).toBe(await eventStore.headPosition());
    // The indexes were given to the rebuilt file before it filled.
    await expect(store.ensureIndexes(TALLIES, [{ name: 'total', fields: [['other', 1]] }])).rejects.toThrow();
    await store.close();
    expect(logged[0]).toBe('Read models of another version (tallies v1, now v2): rebuilding them from the event log');
    // One batch of 4 events passes 2 and 4: one line, not one per multiple.
    expect(logged.filter((line) => line.startsWith('Rebuilding the read models: '))).toEqual([expect.stringMatching(/^Rebuilding the read models: 4 events, position 4 of 4 \(\d+ events\/s\)$/)]);
    expect(logged.at(-1)).toMatch(/^Rebuilt the read models from 4 events in [\d.]+ s \(\d+ events\/s\)$/);
    expect(readdirSync(directory).filter((name) => name.includes('rebuilding'))).toEqual([]);
  });

  it('builds missing read models of a non-empty log through the rebuild, not by projecting live', async () => {
    const store = await open(tallyProjection());
    expect(logged[0]).toBe('No read models beside a non-empty event log: building them from the event log');
    expect(logged.at(-1)).toMatch(/^Rebuilt the read models from 4 events in [\d.]+ s/);
    expect(await store.get<TallyView>(TALLIES, 'b')).toMatchObject({ total: 5 });
    expect(await store.checkpoint('tallies')).toBe(await eventStore.headPosition());
    expect(await store.get(PROJECTION_VERSIONS, 'tallies')).toMatchObject({ version: 1 });
    await store.close();
  });

  it('opens a missing store over an empty log as it is, with nothing to rebuild', async () => {
    const empty = SqliteEventStore.open({ file: ':memory:' });
    const store = await openEmbeddedReadModels({ file, eventStore: empty, projections: [tallyProjection()], prepare, logger });
    expect(logged).toEqual([]);
    expect(await store.checkpoint('tallies')).toBe(0);
    await store.close();
    await empty.close();
  });

  it('rebuilds a store written before versions were recorded', async () => {
    await projectLive(tallyProjection());
    const unversioned = await open(tallyProjection());
    await unversioned.commit([{ collection: PROJECTION_VERSIONS, id: 'tallies', doc: null }], { projection: 'tallies', position: await unversioned.checkpoint('tallies') });
    await unversioned.close();
    logged = [];

    const store = await open(talliesV2);
    expect(logged[0]).toContain('tallies unversioned, now v2');
    expect(await store.get<TallyView>(TALLIES, 'a')).toMatchObject({ total: 2, shape: 2 });
    await store.close();
  });

  it('leaves the live file as it was when the rebuild fails', async () => {
    await projectLive(tallyProjection());
    await eventStore.append('tally-a', [tallyEvent('TallyPoisoned', 'a')], 1);
    await expect(open({ ...talliesV2, evolve: tallyProjection().evolve })).rejects.toThrow('poisoned tally');
    expect(readdirSync(directory).filter((name) => name.includes('rebuilding'))).toEqual([]);

    const store = await open(tallyProjection());
    expect((await store.get<TallyView>(TALLIES, 'a'))?.total).toBe(2);
    expect(await store.get(PROJECTION_VERSIONS, 'tallies')).toMatchObject({ version: 1 });
    await store.close();
    expect(existsSync(file)).toBe(true);
  });
});
