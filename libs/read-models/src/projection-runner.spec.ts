import {
  DelegatingEventStore,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  SqliteEventStore,
  type Subscription,
  type SubscriptionHandler,
} from '@scim/event-store';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import { ProjectionEventError } from './project-batch';
import type { Projection } from './projection';
import { ProjectionRunner, type RebuildProgress, type RunnerLogger } from './projection-runner';
import { TALLIES, tallyEvent, tallyProjection, type TallyView } from './testing/tally-projection';

/**
 * At-least-once delivery, as after a reconnect from an older position: after each batch, the
 * previous batch is delivered once more.
 */
class RedeliveringEventStore extends DelegatingEventStore {
  override subscribeToAll(options: ReadAllOptions, handler: SubscriptionHandler, onError?: (error: unknown) => void): Subscription {
    let previous: readonly RecordedEvent[] | undefined;
    return this.inner.subscribeToAll(
      options,
      async (events) => {
        await handler(events);
        if (previous) await handler(previous);
        previous = events;
      },
      onError,
    );
  }
}

/** A projection over other streams, to check that waitFor does not wait for events it never sees. */
const auditProjection: Projection = {
  name: 'audit',
  version: 1,
  streamPrefixes: ['audit-'],
  targets: (event) => [{ collection: 'audit', id: event.streamId }],
  evolve: (ref, doc, event) => ({ _id: ref.id, last: event.type, count: ((doc?.count as number) ?? 0) + 1 }),
};

describe('ProjectionRunner', () => {
  let eventStore: SqliteEventStore;
  let readStore: EmbeddedReadStore;
  let logger: RunnerLogger & { error: jest.Mock; log: jest.Mock };
  const runners: ProjectionRunner[] = [];

  const newRunner = (projections: readonly Projection[], store: EventStore = eventStore, batchSize?: number) => {
    const runner = new ProjectionRunner(store, readStore, projections, { logger, batchSize, waitPollMs: 10 });
    runners.push(runner);
    return runner;
  };
  const tally = (id: string) => readStore.get<TallyView>(TALLIES, id);
  const allTallies = () => readStore.find<TallyView>(TALLIES, {});

  beforeEach(() => {
    eventStore = SqliteEventStore.open({ file: ':memory:' });
    readStore = EmbeddedReadStore.open({ file: ':memory:' });
    logger = { log: jest.fn(), error: jest.fn() };
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await eventStore.close();
    await readStore.close();
  });

  it('projects appended events; waitFor resolves once a following read sees them', async () => {
    const runner = newRunner([tallyProjection(), auditProjection]);
    await runner.start();

    const { position } = await eventStore.append(
      'tally-a',
      [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 2 }), tallyEvent('TallyIncremented', 'a', { by: 3 })],
      'no_stream',
    );

    expect(await runner.waitFor(position, 5_000)).toBe(true);
    expect(await tally('a')).toEqual({ _id: 'a', total: 5, _position: position });
    expect(await readStore.checkpoint('tallies')).toBe(position);
    expect(runner.status()).toEqual([
      { projection: 'tallies', state: 'running', checkpoint: position, readThrough: position },
      // The audit projection read past the tally events: it includes them without storing a checkpoint.
      { projection: 'audit', state: 'running', checkpoint: 0, readThrough: position },
    ]);
  });

  it('waitFor does not wait for a projection whose streams have no event up to the position', async () => {
    const runner = newRunner([tallyProjection(), auditProjection]);
    await runner.start();
    await eventStore.append('audit-1', [tallyEvent('Audited', 'none')], 'no_stream');
    const { position } = await eventStore.append('unrelated-1', [tallyEvent('Other', 'none')], 'no_stream');

    expect(await runner.waitFor(position, 5_000)).toBe(true);
    // The audit event before `position` was projected; nothing was needed from the tallies projection.
    expect(await readStore.get('audit', 'audit-1')).toMatchObject({ count: 1 });
    expect(await readStore.checkpoint('tallies')).toBe(0);
  });

  it("waitFor learns from the subscriptions that read past other streams' events, without scanning the log", async () => {
    const runner = newRunner([tallyProjection(), auditProjection]);
    await runner.start();
    const scans = jest.spyOn(eventStore, 'readAll');

    for (let i = 0; i < 20; i++) {
      const { position } = await eventStore.append(`tally-${i}`, [tallyEvent('TallyOpened', `${i}`)], 'no_stream');
      expect(await runner.waitFor(position, 5_000)).toBe(true);
    }

    // The audit projection read past the tally events: once it had said so (after the first at the
    // latest), no write had to ask the event store.
    expect(scans.mock.calls.length).toBeLessThanOrEqual(1);
    expect(await readStore.checkpoint('audit')).toBe(0);
  });

  it('waitFor answers false when the time runs out', async () => {
    const runner = newRunner([tallyProjection()]);
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');

    const startedAt = Date.now();
    expect(await runner.waitFor(position, 100)).toBe(false);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(95);
    expect(await runner.waitFor(0, 100)).toBe(true);
  });

  it('a redelivered batch changes nothing, and does not resurrect a deleted document', async () => {
    const evolved: number[] = [];
    const runner = newRunner([tallyProjection({ onEvolve: (event) => evolved.push(event.position) })], new RedeliveringEventStore(eventStore));
    await runner.start();
    const appendAndWait = async (streamId: string, events: NewEvent[], expected: ExpectedRevision) => {
      const { position } = await eventStore.append(streamId, events, expected);
      expect(await runner.waitFor(position, 5_000)).toBe(true);
      return position;
    };
    await appendAndWait('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 4 })], 'no_stream');
    const lastOfA = await appendAndWait('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 1 })], 1);
    await appendAndWait('tally-b', [tallyEvent('TallyOpened', 'b')], 'no_stream');
    const closed = await appendAndWait('tally-b', [tallyEvent('TallyClosed', 'b')], 0);
    // The batch that opened b is delivered again after the one that closed it.
    await appendAndWait('tally-c', [tallyEvent('TallyOpened', 'c')], 'no_stream');

    expect(await tally('a')).toEqual({ _id: 'a', total: 5, _position: lastOfA });
    expect(await tally('b')).toBeNull();
    expect(await readStore.checkpoint('tallies')).toBeGreaterThan(closed);
    expect(new Set(evolved).size).toBe(evolved.length);
  });

  it('replaying events the documents already include changes nothing', async () => {
    const live = newRunner([tallyProjection()]);
    await live.start();
    const opened = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    await eventStore.append('tally-b', [tallyEvent('TallyOpened', 'b'), tallyEvent('TallyIncremented', 'b', { by: 7 })], 'no_stream');
    await eventStore.append('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 2 })], 0);
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 3 })], 1);
    expect(await live.waitFor(position, 5_000)).toBe(true);
    await live.stop();
    const before = await allTallies();

    // The same logic under another name, with a checkpoint behind the documents (as after restoring
    // an older checkpoint): it replays every increment onto documents that already include it.
    await readStore.commit([], { projection: 'tallies-replay', position: opened.position });
    const replay = newRunner([tallyProjection({ name: 'tallies-replay' })]);
    await replay.start();
    expect(await replay.waitFor(position, 5_000)).toBe(true);

    expect(await allTallies()).toEqual(before);
    expect(before.map(({ _id, total }) => [_id, total])).toEqual([
      ['a', 5],
      ['b', 7],
    ]);
  });

  it('resumes from the checkpoint after a restart, without re-applying projected events', async () => {
    const first = newRunner([tallyProjection()]);
    await first.start();
    const opened = await eventStore.append(
      'tally-a',
      [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 1 })],
      'no_stream',
    );
    expect(await first.waitFor(opened.position, 5_000)).toBe(true);
    await first.stop();

    const later = await eventStore.append(
      'tally-a',
      [tallyEvent('TallyIncremented', 'a', { by: 10 }), tallyEvent('TallyIncremented', 'a', { by: 100 })],
      1,
    );
    expect(await first.waitFor(later.position, 50)).toBe(false);
    expect(await tally('a')).toMatchObject({ total: 1 });

    const evolved: number[] = [];
    const second = newRunner([tallyProjection({ onEvolve: (event) => evolved.push(event.position) })]);
    await second.start();
    expect(await second.waitFor(later.position, 5_000)).toBe(true);
    expect(evolved).toEqual([later.position - 1, later.position]);
    expect(await tally('a')).toEqual({ _id: 'a', total: 111, _position: later.position });
  });

  it('moves its checkpoint past other streams\' events, and after a restart resumes from there, applying what came next', async () => {
    const options = { logger, waitPollMs: 10, skippedEventsPerCheckpoint: 5 };
    const first = new ProjectionRunner(eventStore, readStore, [tallyProjection()], options);
    runners.push(first);
    await first.start();
    await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 1 })], 'no_stream');
    const few = await eventStore.append('other-1', [1, 2, 3].map((n) => tallyEvent('Noise', `x${n}`)), 'no_stream');
    expect(await first.waitFor(few.position, 5_000)).toBe(true);
    // Three events of other streams: not yet worth storing.
    expect(await readStore.checkpoint('tallies')).toBe(2);
    const more = await eventStore.append('other-2', [1, 2, 3, 4, 5, 6].map((n) => tallyEvent('Noise', `y${n}`)), 'no_stream');
    for (let attempt = 0; attempt < 100 && (await readStore.checkpoint('tallies')) < more.position; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await readStore.checkpoint('tallies')).toBe(more.position);
    await first.stop();

    const next = await eventStore.append('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 10 })], 1);
    const subscribedFrom: number[] = [];
    const watched = new RedeliveringEventStore(eventStore);
    const subscribe = watched.subscribeToAll.bind(watched);
    watched.subscribeToAll = (subscribeOptions, handler, onError) => {
      subscribedFrom.push(subscribeOptions.fromPosition ?? 0);
      return subscribe(subscribeOptions, handler, onError);
    };
    const evolved: number[] = [];
    const second = new ProjectionRunner(watched, readStore, [tallyProjection({ onEvolve: (event) => evolved.push(event.position) })], options);
    runners.push(second);
    await second.start();
    expect(await second.waitFor(next.position, 5_000)).toBe(true);
    expect(subscribedFrom).toEqual([more.position]);
    expect(evolved).toEqual([next.position]);
    expect(await tally('a')).toEqual({ _id: 'a', total: 11, _position: next.position });
  });

  it('stops a projection whose evolve throws, at its checkpoint, reports it, and retries on start', async () => {
    let poisonIsFatal = true;
    const runner = newRunner([tallyProjection({ poisonIsFatal: () => poisonIsFatal }), auditProjection]);
    await runner.start();
    const opened = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    expect(await runner.waitFor(opened.position, 5_000)).toBe(true);

    const poisoned = await eventStore.append('tally-a', [tallyEvent('TallyPoisoned', 'a'), tallyEvent('TallyIncremented', 'a', { by: 5 })], 0);
    const startedAt = Date.now();
    expect(await runner.waitFor(poisoned.position, 5_000)).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(4_000);

    const [tallies, audit] = runner.status();
    expect(tallies).toMatchObject({ projection: 'tallies', state: 'failed', checkpoint: opened.position });
    expect(tallies.error).toBeInstanceOf(ProjectionEventError);
    expect(tallies.error?.message).toContain(`TallyPoisoned`);
    expect(tallies.error?.message).toContain(`position ${poisoned.position - 1}`);
    expect(audit.state).toBe('running');
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(await tally('a')).toEqual({ _id: 'a', total: 0, _position: opened.position });
    expect(await readStore.checkpoint('tallies')).toBe(opened.position);

    poisonIsFatal = false;
    await runner.start();
    expect(await runner.waitFor(poisoned.position, 5_000)).toBe(true);
    expect(await tally('a')).toEqual({ _id: 'a', total: 5, _position: poisoned.position });
    expect(runner.status()[0]).toEqual({ projection: 'tallies', state: 'running', checkpoint: poisoned.position, readThrough: poisoned.position });
  });

  it('reports each projection’s checkpoint against the head of the log', async () => {
    const runner = newRunner([tallyProjection(), auditProjection]);
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    expect(await runner.lag()).toEqual({ tallies: { checkpoint: 0, head: position }, audit: { checkpoint: 0, head: position } });
    await runner.start();
    expect(await runner.waitFor(position, 5_000)).toBe(true);
    expect(await runner.lag()).toEqual({ tallies: { checkpoint: position, head: position }, audit: { checkpoint: 0, head: position } });
  });

  it('rebuild produces exactly the live read model, checkpoints included', async () => {
    const projections = [tallyProjection(), auditProjection];
    const live = newRunner(projections, eventStore, 3);
    await live.start();
    let position = 0;
    for (const id of ['a', 'b', 'c', 'd']) {
      const events = [tallyEvent('TallyOpened', id), tallyEvent('TallyIncremented', id, { by: id.charCodeAt(0) })];
      await eventStore.append(`tally-${id}`, events, 'no_stream');
      await eventStore.append(`audit-${id}`, [tallyEvent('Audited', id)], 'no_stream');
    }
    await eventStore.append('tally-b', [tallyEvent('TallyClosed', 'b')], 1);
    await eventStore.append('tally-b', [tallyEvent('TallyOpened', 'b')], 2);
    ({ position } = await eventStore.append('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 1 })], 1));
    expect(await live.waitFor(position, 5_000)).toBe(true);

    const rebuilt = EmbeddedReadStore.open({ file: ':memory:' });
    try {
      await rebuilt.commit([{ collection: TALLIES, id: 'stale', doc: { _id: 'stale', total: -1 } }], { projection: 'tallies', position: 999 });
      const progress: RebuildProgress[] = [];
      const rebuilder = new ProjectionRunner(eventStore, readStore, projections, { logger, rebuildBatchSize: 4 });

      const result = await rebuilder.rebuild(rebuilt, (update) => progress.push(update));

      for (const collection of [TALLIES, 'audit']) {
        expect(await rebuilt.find(collection, {})).toEqual(await readStore.find(collection, {}));
      }
      expect((await rebuilt.find(TALLIES, {})).map((doc) => doc._id)).toEqual(['a', 'c', 'd', 'b']);
      for (const name of ['tallies', 'audit']) expect(await rebuilt.checkpoint(name)).toBe(await readStore.checkpoint(name));
      expect(progress.length).toBe(Math.ceil(position / 4));
      expect(result).toMatchObject({ events: position, position, head: position });
      expect(result.eventsPerSecond).toBeGreaterThan(0);
    } finally {
      await rebuilt.close();
    }
  });

  it('rebuild reads only the streams its projections read', async () => {
    await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    await eventStore.append('unrelated-1', [tallyEvent('TallyOpened', 'x')], 'no_stream');
    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 2 })], 0);
    await eventStore.append('unrelated-2', [tallyEvent('TallyOpened', 'y')], 'no_stream');
    const rebuilt = EmbeddedReadStore.open({ file: ':memory:' });
    try {
      const result = await new ProjectionRunner(eventStore, readStore, [tallyProjection()], { logger }).rebuild(rebuilt);

      expect(result).toMatchObject({ events: 2, position });
      expect((await rebuilt.find(TALLIES, {})).map((doc) => doc._id)).toEqual(['a']);
      expect(await rebuilt.checkpoint('tallies')).toBe(position);
    } finally {
      await rebuilt.close();
    }
  });

  it('reports a projection it could not subscribe as failed', async () => {
    class RefusingEventStore extends RedeliveringEventStore {
      override subscribeToAll(): Subscription {
        throw new Error('subscriptions unavailable');
      }
    }
    const runner = newRunner([tallyProjection()], new RefusingEventStore(eventStore));
    await runner.start();
    expect(runner.status()[0]).toMatchObject({ state: 'failed', error: new Error('subscriptions unavailable') });
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('reports a subscription that stops with an error, and waitFor answers false at once', async () => {
    const runner = newRunner([tallyProjection()]);
    await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    await eventStore.close();
    await runner.start();

    const startedAt = Date.now();
    expect(await runner.waitFor(1, 5_000)).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect(runner.status()[0].state).toBe('failed');
    eventStore = SqliteEventStore.open({ file: ':memory:' });
  });

  it('refuses two projections with one name', () => {
    expect(() => newRunner([tallyProjection(), tallyProjection()])).toThrow(/named tallies/);
  });
});
