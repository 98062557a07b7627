import { ProjectionRunner, type RunnerLogger } from './projection-runner';
import { CheckpointMovedError, type ReadStore } from './read-store.port';
import { inMemoryStores } from './testing/in-memory-stores';
import { TALLIES, tallyEvent, tallyProjection, type TallyView } from './testing/tally-projection';

const silent: RunnerLogger = { log: () => undefined, error: () => undefined };

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Two runners of one projection on one store, as during a rolling deploy of the projector: the
 * old one computed a batch, then stalled before committing it while the new one went further.
 */
describe('two projection runners on one read store', () => {
  const stores = inMemoryStores();

  test('a lagging runner never moves a document backwards', async () => {
    // Every version of the tally the store ever held, in order.
    const versions: number[] = [];
    const commit = stores.readStore.commit.bind(stores.readStore);
    jest.spyOn(stores.readStore, 'commit').mockImplementation(async (changes, checkpoint) => {
      await commit(changes, checkpoint);
      const tally = await stores.readStore.get<TallyView>(TALLIES, 'a');
      if (tally) versions.push(tally._position as number);
    });
    // The old runner's commits wait until released: it has computed its batch, then stalls.
    let releaseStalled!: () => void;
    const stalled = new Promise<void>((resolve) => (releaseStalled = resolve));
    let stalledCommits = 0;
    let settledCommits = 0;
    const stallingStore = new Proxy(stores.readStore, {
      get: (target, property) =>
        property === 'commit'
          ? async (...args: Parameters<ReadStore['commit']>) => {
              stalledCommits++;
              await stalled;
              try {
                return await target.commit(...args);
              } finally {
                settledCommits++;
              }
            }
          : (Reflect.get(target, property) as unknown as (...args: unknown[]) => unknown).bind(target),
    });
    await stores.eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 1 })], 'no_stream');
    const old = new ProjectionRunner(stores.eventStore, stallingStore, [tallyProjection()], { logger: silent });
    await old.start();
    await until(() => stalledCommits === 1);

    const fresh = new ProjectionRunner(stores.eventStore, stores.readStore, [tallyProjection()], { logger: silent });
    await fresh.start();
    const { position } = await stores.eventStore.append('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 10 })], 1);
    expect(await fresh.waitFor(position, 10_000)).toBe(true);
    releaseStalled();
    await until(() => settledCommits === 1);
    await Promise.all([old.stop(), fresh.stop()]);

    expect(versions.length).toBeGreaterThanOrEqual(1);
    versions.forEach((version, index) => expect(version).toBeGreaterThanOrEqual(versions[index - 1] ?? 0));
    expect(await stores.readStore.get<TallyView>(TALLIES, 'a')).toEqual({ _id: 'a', total: 11, _position: position });
    expect(old.status()[0].error).toBeInstanceOf(CheckpointMovedError);
  });
});
