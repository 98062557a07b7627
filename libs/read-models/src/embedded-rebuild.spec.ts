import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@scim/event-store';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import { rebuildEmbeddedFile } from './embedded-rebuild';
import type { Projection } from './projection';
import { ProjectionRunner, type RunnerLogger } from './projection-runner';
import { PROJECTION_VERSIONS } from './projection-versions';
import type { ReadStore } from './read-store.port';
import { storeWriter } from './rebuild-writer';
import { CommitTooLargeError } from './store-limits';
import { TALLIES, tallyEvent, tallyProjection } from './testing/tally-projection';

const silent: RunnerLogger = { log: () => undefined, error: () => undefined };
// The writer thread from its TypeScript source (ts-jest does not reach into worker threads).
const writer = { script: join(__dirname, '..', '..', '..', 'test', 'support', 'rebuild-writer-worker.js') };
const noIndexes = async () => undefined;

describe('rebuildEmbeddedFile: documents written by a thread of their own', () => {
  let directory: string;
  let eventStore: SqliteEventStore;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'embedded-rebuild-'));
    eventStore = SqliteEventStore.open({ file: ':memory:' });
  });
  afterEach(async () => {
    await eventStore.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Tallies opened, counted, closed and opened again, across many small batches: loads go to the writer. */
  async function seedTallies(): Promise<number> {
    let position = 0;
    for (let round = 0; round < 3; round++) {
      for (const id of ['a', 'b', 'c', 'd', 'e']) {
        const stream = `tally-${id}`;
        const events = round === 0 ? [tallyEvent('TallyOpened', id)] : [tallyEvent('TallyIncremented', id, { by: round * id.charCodeAt(0) })];
        ({ position } = await eventStore.append(stream, events, round === 0 ? 'no_stream' : round - 1));
      }
    }
    await eventStore.append('tally-b', [tallyEvent('TallyClosed', 'b')], 2);
    ({ position } = await eventStore.append('tally-b', [tallyEvent('TallyOpened', 'b')], 3));
    return position;
  }

  async function liveReadModel(): Promise<EmbeddedReadStore> {
    const live = EmbeddedReadStore.open({ file: ':memory:' });
    const runner = new ProjectionRunner(eventStore, live, [tallyProjection()], { logger: silent, batchSize: 1 });
    await runner.start();
    expect(await runner.waitFor(await eventStore.headPosition(), 5_000)).toBe(true);
    await runner.stop();
    return live;
  }

  it('equals the live read model, insertion order and checkpoint included, and records the version', async () => {
    const head = await seedTallies();
    const live = await liveReadModel();
    const file = join(directory, 'rebuilt.db');

    const progress = await rebuildEmbeddedFile({ eventStore, projections: [tallyProjection({ version: 3 })], file, prepare: noIndexes, logger: silent, batchSize: 2, writer });

    const rebuilt = EmbeddedReadStore.open({ file });
    try {
      expect(progress).toMatchObject({ events: 17, position: head });
      expect(await rebuilt.find(TALLIES, {})).toEqual(await live.find(TALLIES, {}));
      expect((await rebuilt.find(TALLIES, {})).map((doc) => doc._id)).toEqual(['a', 'c', 'd', 'e', 'b']);
      expect(await rebuilt.checkpoint('tallies')).toBe(head);
      expect(await rebuilt.get(PROJECTION_VERSIONS, 'tallies')).toEqual({ _id: 'tallies', version: 3 });
    } finally {
      await rebuilt.close();
      await live.close();
    }
  });

  it('fails with the writer thread\'s error when a commit is refused, and the thread ends', async () => {
    await seedTallies();
    // No tally has an owner: a unique index on it (null for each, as in MongoDB) refuses the second.
    const prepare = (store: ReadStore) => store.ensureIndexes(TALLIES, [{ name: 'owner', fields: [['owner', 1]], unique: true }]);

    const rebuilding = rebuildEmbeddedFile({ eventStore, projections: [tallyProjection()], file: join(directory, 'rebuilt.db'), prepare, logger: silent, writer });

    await expect(rebuilding).rejects.toThrow(/owner/);
  });
});

describe('a rebuild commits a batch whole, in parts only when the store refuses it as too large', () => {
  it('splits a batch of 20 documents of 1 MB each (MongoDB allows 16 MB a commit)', async () => {
    const eventStore = SqliteEventStore.open({ file: ':memory:' });
    const target = EmbeddedReadStore.open({ file: ':memory:' });
    try {
      let position = 0;
      for (let index = 0; index < 20; index++) ({ position } = await eventStore.append(`tally-${index}`, [tallyEvent('TallyOpened', `t${index}`)], 'no_stream'));
      const large = tallyProjection();
      const projection: Projection = {
        ...large,
        evolve: (ref, doc, event) => {
          const next = large.evolve(ref, doc, event);
          return next && { ...next, padding: 'x'.repeat(1_000_000) };
        },
      };
      const commits = jest.spyOn(target, 'commit');

      await new ProjectionRunner(eventStore, target, [projection], { logger: silent, rebuildBatchSize: 100 }).rebuildThrough(storeWriter(target));

      expect(await target.count(TALLIES, {})).toBe(20);
      expect(await target.checkpoint('tallies')).toBe(position);
      // The whole batch, refused; then its parts; then the version record.
      expect(commits.mock.calls[0][0]).toHaveLength(20);
      await expect(commits.mock.results[0].value).rejects.toThrow(CommitTooLargeError);
      expect(commits.mock.calls.length).toBeGreaterThanOrEqual(4);
      for (const { value } of commits.mock.results.slice(1)) await expect(value).resolves.toBeUndefined();
    } finally {
      await eventStore.close();
      await target.close();
    }
  });
});
