import { DelegatingEventStore, type EventStore, type ReadAllOptions, type RecordedEvent, SqliteEventStore } from '@scim/event-store';
import { CatchUpTracker, CheckpointWaiter } from './catch-up';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { inMemoryStores } from './testing/in-memory-stores';
import { TALLIES, tallyEvent, tallyProjection, type TallyView } from './testing/tally-projection';

const auditProjection: Projection = {
  name: 'audit',
  version: 1,
  streamPrefixes: ['audit-'],
  targets: (event) => [{ collection: 'audit', id: event.streamId }],
  evolve: (ref, doc, event) => ({ _id: ref.id, count: ((doc?.count as number) ?? 0) + 1, last: event.type }),
};

const quietLogger = { log: () => undefined, error: () => undefined };

describe('CheckpointWaiter (read-your-writes without running the projections)', () => {
  let eventStore: SqliteEventStore;
  let readStore: EmbeddedReadStore;
  const runners: ProjectionRunner[] = [];

  /** Stands for the projector: another runner committing into the same read store. */
  const startProjector = async (projections: readonly Projection[]) => {
    const runner = new ProjectionRunner(eventStore, readStore, projections, { logger: quietLogger });
    runners.push(runner);
    await runner.start();
    return runner;
  };

  beforeEach(() => {
    eventStore = SqliteEventStore.open({ file: ':memory:' });
    readStore = EmbeddedReadStore.open({ file: ':memory:' });
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    jest.restoreAllMocks();
    await eventStore.close();
    await readStore.close();
  });

  it('waits until the checkpoints another process commits include the position', async () => {
    const waiter = new CheckpointWaiter(eventStore, readStore, [tallyProjection(), auditProjection]);
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 4 })], 'no_stream');

    expect(await waiter.waitFor(position, 60)).toBe(false);

    const waiting = waiter.waitFor(position, 5_000);
    await startProjector([tallyProjection(), auditProjection]);
    expect(await waiting).toBe(true);
    // What the waiter promised: a following read sees the write.
    expect(await readStore.get<TallyView>(TALLIES, 'a')).toMatchObject({ total: 4 });
  });

  it('does not wait for a projection whose streams have no event up to the position', async () => {
    const waiter = new CheckpointWaiter(eventStore, readStore, [tallyProjection(), auditProjection]);
    await startProjector([tallyProjection(), auditProjection]);
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');

    expect(await waiter.waitFor(position, 5_000)).toBe(true);
    expect(await readStore.checkpoint('audit')).toBe(0);
  });

  it('waits for an event of a projection’s streams that lies before the position and is not projected yet', async () => {
    const waiter = new CheckpointWaiter(eventStore, readStore, [tallyProjection(), auditProjection]);
    await eventStore.append('audit-1', [tallyEvent('Audited', 'none')], 'no_stream');
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    await startProjector([tallyProjection()]);

    // The tallies are projected, but the audit event before `position` is not.
    expect(await waiter.waitFor(position, 80)).toBe(false);
    await startProjector([auditProjection]);
    expect(await waiter.waitFor(position, 5_000)).toBe(true);
  });

  it('never claims a position beyond the head of the log', async () => {
    const waiter = new CheckpointWaiter(eventStore, readStore, [auditProjection]);
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');

    expect(await waiter.waitFor(position, 5_000)).toBe(true);
    expect(await waiter.waitFor(position + 1, 40)).toBe(false);
  });

  it('answers false, not an error, while the read store cannot be read', async () => {
    const waiter = new CheckpointWaiter(eventStore, readStore, [tallyProjection()]);
    jest.spyOn(readStore, 'checkpoint').mockRejectedValue(new Error('connection refused'));
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');

    expect(await waiter.waitFor(position, 40)).toBe(false);
  });

  it('shares one read of the checkpoints among concurrent waiters', async () => {
    const projections = [tallyProjection(), auditProjection];
    await startProjector(projections);
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    expect(await new CheckpointWaiter(eventStore, readStore, projections).waitFor(position, 5_000)).toBe(true);

    const waiter = new CheckpointWaiter(eventStore, readStore, projections);
    const reads = jest.spyOn(readStore, 'checkpoint');
    const answers = await Promise.all(Array.from({ length: 20 }, () => waiter.waitFor(position, 5_000)));

    expect(answers).toEqual(Array(20).fill(true));
    expect(reads).toHaveBeenCalledTimes(projections.length);
  });

  it('backs off between polls while the read models are behind', async () => {
    const waiter = new CheckpointWaiter(eventStore, readStore, [tallyProjection()], { firstPollMs: 5, maxPollMs: 100 });
    const reads = jest.spyOn(readStore, 'checkpoint');
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');

    expect(await waiter.waitFor(position, 400)).toBe(false);
    // Pauses of 5, 10, 20, 40, 80, 100, 100, 100 ms: about 9 checks in 400 ms, where a fixed 5 ms poll makes about 80.
    expect(reads.mock.calls.length).toBeGreaterThanOrEqual(5);
    expect(reads.mock.calls.length).toBeLessThanOrEqual(12);
  });
});

/** An event store whose scans of the log wait for `release` (a slow EventStoreDB $all read). */
class SlowScans extends DelegatingEventStore {
  readonly scans: ReadAllOptions[] = [];
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));

  constructor(inner: EventStore) {
    super(inner);
  }

  release(): void {
    this.opened();
  }

  override async *readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]> {
    this.scans.push(options ?? {});
    await this.gate;
    yield* this.inner.readAll(options);
  }
}

describe('read-your-writes on the request path (distributed mode)', () => {
  const stores = inMemoryStores();

  it('answers false at the deadline while a scan of the log is still running', async () => {
    const slow = new SlowScans(stores.eventStore);
    const { position } = await stores.eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');

    // The scan never ends: the answer must come from the deadline, not from the scan.
    expect(await new CheckpointWaiter(slow, stores.readStore, [auditProjection]).waitFor(position, 50)).toBe(false);
    expect(await new ProjectionRunner(slow, stores.readStore, [auditProjection], { logger: quietLogger }).waitFor(position, 50)).toBe(false);
    slow.release();
  });

  it('concurrent writes share one scan per projection, bounded by the head it read', async () => {
    const slow = new SlowScans(stores.eventStore);
    const positions: number[] = [];
    for (let index = 0; index < 10; index++) positions.push((await stores.eventStore.append(`tally-${index}`, [tallyEvent('TallyOpened', `${index}`)], 'no_stream')).position);
    const waiter = new CheckpointWaiter(slow, stores.readStore, [auditProjection]);

    const answers = Promise.all(positions.map((position) => waiter.waitFor(position, 5_000)));
    await new Promise((resolve) => setImmediate(resolve));
    slow.release();

    expect(await answers).toEqual(positions.map(() => true));
    expect(slow.scans).toEqual([expect.objectContaining({ fromPosition: 0, toPosition: positions[positions.length - 1], streamPrefixes: ['audit-'] })]);
  });
});

describe('CatchUpTracker', () => {
  let eventStore: SqliteEventStore;

  beforeEach(() => {
    eventStore = SqliteEventStore.open({ file: ':memory:' });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await eventStore.close();
  });

  it('remembers a quiet stretch, so the next question only scans the log written since', async () => {
    const tracker = new CatchUpTracker(eventStore);
    const first = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    expect(await tracker.includes(auditProjection, 0, first.position)).toBe(true);
    expect(tracker.knownToInclude(auditProjection, 0, first.position)).toBe(true);

    const reads = jest.spyOn(eventStore, 'readAll');
    const second = await eventStore.append('tally-b', [tallyEvent('TallyOpened', 'b')], 'no_stream');
    expect(await tracker.includes(auditProjection, 0, second.position)).toBe(true);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reads.mock.calls[0][0]).toMatchObject({ fromPosition: first.position, streamPrefixes: ['audit-'] });

    // Known without asking the store again.
    expect(await tracker.includes(auditProjection, 0, second.position)).toBe(true);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('one scan answers every position up to the head, not only the one asked about', async () => {
    const tracker = new CatchUpTracker(eventStore);
    const first = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    const second = await eventStore.append('tally-b', [tallyEvent('TallyOpened', 'b')], 'no_stream');
    const reads = jest.spyOn(eventStore, 'readAll');

    expect(await tracker.includes(auditProjection, 0, first.position)).toBe(true);
    expect(await tracker.includes(auditProjection, 0, second.position)).toBe(true);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(tracker.knownToInclude(auditProjection, 0, second.position)).toBe(true);
  });

  it('knows the quiet stretch up to the next event of the projection’s streams', async () => {
    const tracker = new CatchUpTracker(eventStore);
    const quiet = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    const audited = await eventStore.append('audit-1', [tallyEvent('Audited', 'none')], 'no_stream');

    expect(await tracker.includes(auditProjection, 0, quiet.position)).toBe(true);
    expect(await tracker.includes(auditProjection, 0, audited.position)).toBe(false);
    expect(tracker.knownToInclude(auditProjection, 0, quiet.position)).toBe(true);
    expect(tracker.knownToInclude(auditProjection, 0, audited.position)).toBe(false);
  });

  it('does not ask the store again while the event it found is still beyond the checkpoint', async () => {
    const tracker = new CatchUpTracker(eventStore);
    const audited = await eventStore.append('audit-1', [tallyEvent('Audited', 'none')], 'no_stream');
    const later = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    const reads = jest.spyOn(eventStore, 'readAll');

    expect(await tracker.includes(auditProjection, 0, later.position)).toBe(false);
    expect(await tracker.includes(auditProjection, 0, later.position)).toBe(false);
    expect(reads).toHaveBeenCalledTimes(1);
    // Once projected (the checkpoint passed it), the store is asked about the rest.
    expect(await tracker.includes(auditProjection, audited.position, later.position)).toBe(true);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('answers false when an event of the projection’s streams lies between checkpoint and position', async () => {
    const tracker = new CatchUpTracker(eventStore);
    const audited = await eventStore.append('audit-1', [tallyEvent('Audited', 'none')], 'no_stream');
    const later = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');

    expect(await tracker.includes(auditProjection, 0, later.position)).toBe(false);
    expect(await tracker.includes(auditProjection, audited.position, later.position)).toBe(true);
  });

  it('does not carry a quiet stretch over to a lower checkpoint (a read store rebuilt from scratch)', async () => {
    const tracker = new CatchUpTracker(eventStore);
    const audited = await eventStore.append('audit-1', [tallyEvent('Audited', 'none')], 'no_stream');
    const later = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    expect(await tracker.includes(auditProjection, audited.position, later.position)).toBe(true);

    expect(tracker.knownToInclude(auditProjection, 0, later.position)).toBe(false);
    expect(await tracker.includes(auditProjection, 0, later.position)).toBe(false);
  });

  it('answers false when the event store fails', async () => {
    const tracker = new CatchUpTracker(eventStore);
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    jest.spyOn(eventStore, 'headPosition').mockRejectedValue(new Error('unavailable'));

    expect(await tracker.includes(auditProjection, 0, position)).toBe(false);
  });
});
