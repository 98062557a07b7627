import type { Projection } from './projection';
import { ProjectionRunner, type RunnerLogger } from './projection-runner';
import type { DocumentChange } from './read-store.port';
import { inMemoryStores } from './testing/in-memory-stores';
import { changeSizeInBytes, MAX_COMMIT_BYTES } from './store-limits';

const MEMBERS_PER_EVENT = 50_000;
const EVENTS = 5;

/** One event touches many documents, as a group's membership change touches its members. */
const fanOutProjection: Projection = {
  name: 'fan-out',
  version: 1,
  streamPrefixes: ['fan-'],
  targets: (event) => {
    const first = event.data.first as number;
    return Array.from({ length: event.data.count as number }, (_, index) => ({ collection: 'members', id: `member-${first + index}` }));
  },
  evolve: (ref, doc, event) => ({ _id: ref.id, groups: [...((doc?.groups as string[]) ?? []), event.streamId], note: 'x'.repeat(16) }),
};

const silent: RunnerLogger = { log: () => undefined, error: () => undefined };

describe('projection commits at any size (embedded store, MongoDB limits on)', () => {
  const stores = inMemoryStores();

  test('a catch-up over batches touching 250,000 documents completes, each commit within the limit', async () => {
    let position = 0;
    for (let index = 0; index < EVENTS; index++) {
      ({ position } = await stores.eventStore.append(`fan-${index}`, [{ id: `fan-event-${index}`, type: 'Fanned', data: { first: index * MEMBERS_PER_EVENT, count: MEMBERS_PER_EVENT }, metadata: {} }], 'no_stream'));
    }
    const commits = jest.spyOn(stores.readStore, 'commit');
    // All five events arrive as one batch: one projected batch of 250,000 documents.
    const runner = new ProjectionRunner(stores.eventStore, stores.readStore, [fanOutProjection], { logger: silent, batchSize: EVENTS });

    await runner.start();
    const caughtUp = await runner.waitFor(position, 120_000);
    await runner.stop();

    expect(runner.status()[0]).toMatchObject({ state: 'stopped', checkpoint: position });
    expect(caughtUp).toBe(true);
    expect(await stores.readStore.count('members', {})).toBe(EVENTS * MEMBERS_PER_EVENT);
    expect(await stores.readStore.get('members', `member-${EVENTS * MEMBERS_PER_EVENT - 1}`)).toMatchObject({ groups: [`fan-${EVENTS - 1}`] });
    const sizes = commits.mock.calls.map(([changes]) => (changes as readonly DocumentChange[]).reduce((sum, change) => sum + changeSizeInBytes(change), 0));
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_COMMIT_BYTES);
    // Each commit names the checkpoint it follows, which the commit before it stored.
    const checkpoints = commits.mock.calls.map(([, checkpoint]) => checkpoint);
    checkpoints.forEach((checkpoint, index) => expect(checkpoint.after).toBe(index === 0 ? 0 : checkpoints[index - 1].position));
    expect(checkpoints[checkpoints.length - 1].position).toBe(position);
  }, 180_000);

  test('a batch too large for one commit is committed in whole events, each commit moving the checkpoint', async () => {
    let position = 0;
    for (let index = 0; index < 16; index++) {
      ({ position } = await stores.eventStore.append(`fan-${index}`, [{ id: `fan-small-${index}`, type: 'Fanned', data: { first: index * 8_000, count: 8_000 }, metadata: {} }], 'no_stream'));
    }
    const commits = jest.spyOn(stores.readStore, 'commit');
    const runner = new ProjectionRunner(stores.eventStore, stores.readStore, [fanOutProjection], { logger: silent, batchSize: 16 });

    await runner.start();
    expect(await runner.waitFor(position, 120_000)).toBe(true);
    await runner.stop();

    const checkpoints = commits.mock.calls.map(([, checkpoint]) => checkpoint);
    expect(checkpoints.length).toBeGreaterThan(1);
    // No sub-commit that restates the checkpoint: a crash or a second projector finds documents and checkpoint agreeing.
    for (const checkpoint of checkpoints) expect(checkpoint.position).toBeGreaterThan(checkpoint.after as number);
    expect(await stores.readStore.count('members', {})).toBe(16 * 8_000);
  }, 120_000);
});
