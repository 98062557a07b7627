import { SqliteEventStore } from '@scim/event-store';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import type { Projection } from './projection';
import { ProjectionRunner, type RunnerLogger } from './projection-runner';
import type { DocumentChange } from './read-store.port';
import { changeSizeInBytes, MAX_COMMIT_BYTES } from './store-limits';

const MEMBERS_PER_EVENT = 50_000;
const EVENTS = 5;

/** One event touches many documents, as a group's membership change touches its members. */
const fanOutProjection: Projection = {
  name: 'fan-out',
  streamPrefixes: ['fan-'],
  targets: (event) => {
    const first = event.data.first as number;
    return Array.from({ length: event.data.count as number }, (_, index) => ({ collection: 'members', id: `member-${first + index}` }));
  },
  evolve: (ref, doc, event) => ({ _id: ref.id, groups: [...((doc?.groups as string[]) ?? []), event.streamId], note: 'x'.repeat(64) }),
};

const silent: RunnerLogger = { log: () => undefined, error: () => undefined };

describe('projection commits at any size (embedded store, MongoDB limits on)', () => {
  let eventStore: SqliteEventStore;
  let readStore: EmbeddedReadStore;

  beforeEach(() => {
    eventStore = SqliteEventStore.open({ file: ':memory:' });
    readStore = EmbeddedReadStore.open({ file: ':memory:' });
  });
  afterEach(async () => {
    await eventStore.close();
    await readStore.close();
  });

  test('a catch-up over batches touching 250,000 documents completes, each commit within the limit', async () => {
    let position = 0;
    for (let index = 0; index < EVENTS; index++) {
      ({ position } = await eventStore.append(`fan-${index}`, [{ id: `fan-event-${index}`, type: 'Fanned', data: { first: index * MEMBERS_PER_EVENT, count: MEMBERS_PER_EVENT }, metadata: {} }], 'no_stream'));
    }
    const commits = jest.spyOn(readStore, 'commit');
    // All five events arrive as one batch: one projected batch of 250,000 documents.
    const runner = new ProjectionRunner(eventStore, readStore, [fanOutProjection], { logger: silent, batchSize: EVENTS });

    await runner.start();
    const caughtUp = await runner.waitFor(position, 120_000);
    await runner.stop();

    expect(runner.status()[0]).toMatchObject({ state: 'stopped', checkpoint: position });
    expect(caughtUp).toBe(true);
    expect(await readStore.count('members', {})).toBe(EVENTS * MEMBERS_PER_EVENT);
    expect(await readStore.get('members', `member-${EVENTS * MEMBERS_PER_EVENT - 1}`)).toMatchObject({ groups: [`fan-${EVENTS - 1}`] });
    const sizes = commits.mock.calls.map(([changes]) => (changes as readonly DocumentChange[]).reduce((sum, change) => sum + changeSizeInBytes(change), 0));
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_COMMIT_BYTES);
    // Only the last sub-commit moved the checkpoint.
    expect(commits.mock.calls.map(([, checkpoint]) => [checkpoint.position, checkpoint.after])).toEqual([...sizes.slice(1).map(() => [0, 0]), [position, 0]]);
  }, 180_000);
});
