import { randomUUID } from 'node:crypto';
import { DelegatingEventStore } from './delegating-event-store';
import { type AppendResult, type ExpectedRevision, type NewEvent, type RecordedEvent, WrongExpectedRevisionError } from './event-store.port';
import {
  aggregateStream,
  ConcurrencyError,
  type Decider,
  handleCommand,
  type HandleCommandOptions,
  PreconditionFailedError,
  appendOnlyLog,
  decideAndAppend,
} from './handle-command';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

// A tiny counter aggregate: enough to see folding, deciding, retries and preconditions.
type CounterCommand = { type: 'Increment'; by: number } | { type: 'Reset' };
type CounterEvent = { type: 'Incremented'; data: { by: number } } | { type: 'Reset'; data: Record<string, never> };
type CounterState = { readonly total: number };

class NegativeIncrementError extends Error {
  readonly code = 'invalid_value';
}

const counter: Decider<CounterCommand, CounterEvent, CounterState> = {
  initialState: { total: 0 },
  evolve: (state, event) => {
    switch (event.type) {
      case 'Incremented':
        return { total: state.total + event.data.by };
      case 'Reset':
        return { total: 0 };
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'Increment':
        if (command.by < 0) throw new NegativeIncrementError('cannot increment by a negative amount');
        return [{ type: 'Incremented', data: { by: command.by } }];
      case 'Reset':
        return state.total === 0 ? [] : [{ type: 'Reset', data: {} }];
    }
  },
};

const decide = (command: CounterCommand) => (state: CounterState) => counter.decide(command, state);

const options: HandleCommandOptions<CounterEvent> = {
  metadata: { correlationId: 'request-1' },
  eventId: () => randomUUID(),
};

// Lets the test write "from another request" right before the command's own append.
class InterleavingStore extends DelegatingEventStore {
  appendCalls = 0;
  private beforeNextAppends: Array<() => Promise<unknown>> = [];

  interleave(...writes: Array<() => Promise<unknown>>): void {
    this.beforeNextAppends.push(...writes);
  }

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.appendCalls++;
    await this.beforeNextAppends.shift()?.();
    return this.inner.append(streamId, events, expected);
  }
}

describe('handleCommand', () => {
  let sqlite: SqliteEventStore;
  let store: InterleavingStore;

  beforeEach(() => {
    sqlite = SqliteEventStore.open({ file: ':memory:' });
    store = new InterleavingStore(sqlite);
  });

  afterEach(async () => {
    await store.close();
  });

  const competingIncrement = (by: number) => () =>
    sqlite.append('counter-1', [{ id: randomUUID(), type: 'Incremented', data: { by }, metadata: {} }], 'any');

  test('creates the stream and returns the state after the new events', async () => {
    const result = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 5 }), options);

    expect(result).toEqual({
      state: { total: 5 },
      newEvents: [{ type: 'Incremented', data: { by: 5 } }],
      revision: 0,
      position: await sqlite.headPosition(),
    });
    const [recorded] = await sqlite.readStream('counter-1');
    expect(recorded).toMatchObject({ type: 'Incremented', data: { by: 5 }, metadata: { correlationId: 'request-1' } });
  });

  test('folds the existing stream before deciding and appends after the revision it read', async () => {
    await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 2 }), options);

    const result = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 3 }), options);

    expect(result.state).toEqual({ total: 5 });
    expect(result.revision).toBe(1);
  });

  test('appends nothing when decide returns no events', async () => {
    const result = await handleCommand(store, 'counter-1', counter, decide({ type: 'Reset' }), options);

    expect(result).toEqual({ state: { total: 0 }, newEvents: [], revision: -1, position: 0 });
    expect(store.appendCalls).toBe(0);
    expect(await sqlite.headPosition()).toBe(0);
  });

  test('lets a domain error through and appends nothing', async () => {
    await expect(
      handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: -1 }), options),
    ).rejects.toBeInstanceOf(NegativeIncrementError);
    expect(store.appendCalls).toBe(0);
  });

  test('takes metadata per event from a function and ids from eventId', async () => {
    const ids = ['id-a'];
    await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 4 }), {
      eventId: () => ids.shift() ?? 'unexpected',
      metadata: (event) => ({ eventType: event.type }),
    });

    const [recorded] = await sqlite.readStream('counter-1');
    expect(recorded).toMatchObject({ id: 'id-a', metadata: { eventType: 'Incremented' } });
  });

  test('reads recorded events through upcast', async () => {
    // An old, frozen event shape: `{ amount }` instead of `{ by }`.
    await sqlite.append('counter-1', [{ id: randomUUID(), type: 'Added', data: { amount: 7 }, metadata: {} }], 'no_stream');
    const upcast = (recorded: RecordedEvent): CounterEvent =>
      recorded.type === 'Added'
        ? { type: 'Incremented', data: { by: recorded.data.amount as number } }
        : (recorded as unknown as CounterEvent);

    const result = await handleCommand(store, 'counter-1', { ...counter, upcast }, decide({ type: 'Increment', by: 1 }), options);

    expect(result.state).toEqual({ total: 8 });
  });

  test('awaits an async decision, and adds the metadata it returns to each event', async () => {
    await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 2 }), options);

    const result = await handleCommand(store, 'counter-1', counter, async (state): Promise<{ events: CounterEvent[]; metadata: { normalizations: string[] } }> => {
      // Stands for a lookup in another stream (a userName holder) before deciding.
      await new Promise((resolve) => setImmediate(resolve));
      return { events: [{ type: 'Incremented', data: { by: state.total } }], metadata: { normalizations: ['doubled'] } };
    }, options);

    expect(result.state).toEqual({ total: 4 });
    const recorded = await sqlite.readStream('counter-1');
    expect(recorded[1].metadata).toMatchObject({ correlationId: 'request-1', normalizations: ['doubled'] });
    expect(recorded[0].metadata).not.toHaveProperty('normalizations');
  });

  test('an async decision that a concurrent write overtook is decided again on the new state', async () => {
    await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);
    store.interleave(competingIncrement(10));
    const seen: number[] = [];

    await handleCommand(store, 'counter-1', counter, async (state): Promise<CounterEvent[]> => {
      seen.push(state.total);
      return [{ type: 'Incremented', data: { by: 1 } }];
    }, options);

    expect(seen).toEqual([1, 11]);
  });

  describe('one attempt (decideAndAppend), for a write spanning several streams that retries as a whole', () => {
    test('appends at the revision the caller planned on, without reading the stream again', async () => {
      await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);
      const reads = jest.spyOn(store, 'readStream');

      const result = await decideAndAppend(store, 'counter-1', counter, decide({ type: 'Increment', by: 2 }), options, { state: { total: 1 }, revision: 0 });

      expect(reads).not.toHaveBeenCalled();
      expect(result).toMatchObject({ state: { total: 3 }, revision: 1 });
    });

    test('a stream that moved since the plan surfaces as the store conflict, for the caller to plan again', async () => {
      await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);
      await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);

      const error = await decideAndAppend(store, 'counter-1', counter, decide({ type: 'Increment', by: 2 }), options, { state: { total: 1 }, revision: 0 }).catch(
        (caught: unknown) => caught,
      );

      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect((await sqlite.readStream('counter-1')).map((event) => event.data)).toEqual([{ by: 1 }, { by: 1 }]);
    });
  });

  describe('on an append-only log (decisions that never depend on its events)', () => {
    test('reads only the revision and appends after it', async () => {
      const reads = jest.spyOn(store, 'readStream');
      const rejected = { type: 'Rejected', data: { reason: 'test' } };

      await handleCommand(store, 'log-1', appendOnlyLog(), () => [rejected], { metadata: {} });
      const second = await handleCommand(store, 'log-1', appendOnlyLog(), () => [rejected], { metadata: {} });

      expect(reads).not.toHaveBeenCalled();
      expect(second.revision).toBe(1);
    });

    test('many concurrent appends to one log are all recorded, each at an exact revision', async () => {
      const rejected = { type: 'Rejected', data: { reason: 'test' } };

      await Promise.all(Array.from({ length: 3 }, () => handleCommand(store, 'log-1', appendOnlyLog(), () => [rejected], { metadata: {} })));

      expect(await sqlite.readStream('log-1')).toHaveLength(3);
    });
  });

  describe('on a stream that most likely is new (an id minted for the command, a name never reserved)', () => {
    test('decides on the initial state without reading, and creates the stream', async () => {
      const reads = jest.spyOn(store, 'readStream');

      const result = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 5 }), { ...options, newStream: true });

      expect(reads).not.toHaveBeenCalled();
      expect(result).toMatchObject({ state: { total: 5 }, revision: 0 });
    });

    test('reads and decides again when the stream existed after all', async () => {
      await sqlite.append('counter-1', [{ id: randomUUID(), type: 'Incremented', data: { by: 10 }, metadata: {} }], 'no_stream');

      const result = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 5 }), { ...options, newStream: true });

      expect(store.appendCalls).toBe(2);
      expect(result).toMatchObject({ state: { total: 15 }, revision: 1 });
    });

    test('a wrong guess that the stream is new does not use up one of the retry policy\'s attempts', async () => {
      await sqlite.append('counter-1', [{ id: randomUUID(), type: 'Incremented', data: { by: 10 }, metadata: {} }], 'no_stream');
      store.interleave(async () => undefined, competingIncrement(1));

      const result = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 5 }), { ...options, newStream: true, retry: { maxAttempts: 2 } });

      expect(store.appendCalls).toBe(3);
      expect(result).toMatchObject({ state: { total: 16 }, revision: 2 });
    });
  });

  describe('without a client expected revision', () => {
    test('re-reads and decides again after a concurrent write', async () => {
      await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);
      store.interleave(competingIncrement(10));

      const result = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 2 }), options);

      expect(store.appendCalls).toBe(3);
      expect(result.state).toEqual({ total: 13 });
      expect(result.revision).toBe(2);
      expect((await sqlite.readStream('counter-1')).map((event) => event.data)).toEqual([{ by: 1 }, { by: 10 }, { by: 2 }]);
    });

    test('gives up with ConcurrencyError after the retry policy\'s attempts', async () => {
      store.interleave(competingIncrement(1), competingIncrement(1), competingIncrement(1));

      const error = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 2 }), {
        ...options,
        retry: { maxAttempts: 3 },
      }).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ code: 'concurrency_conflict', streamId: 'counter-1', attempts: 3 });
      expect(store.appendCalls).toBe(3);
      expect((await sqlite.readStream('counter-1')).map((event) => event.data)).toEqual([{ by: 1 }, { by: 1 }, { by: 1 }]);
    });
  });

  describe('with a client expected revision (If-Match)', () => {
    test('appends when the stream is at that revision', async () => {
      await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);

      const result = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), {
        ...options,
        ifMatch: 0,
      });

      expect(result.revision).toBe(1);
    });

    test('fails the precondition when the stream is at another revision, without appending', async () => {
      await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);
      await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);
      const appendsBefore = store.appendCalls;

      const error = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), {
        ...options,
        ifMatch: 0,
      }).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(PreconditionFailedError);
      expect(error).toMatchObject({ code: 'precondition_failed', expected: 0, actual: 1 });
      expect(store.appendCalls).toBe(appendsBefore);
    });

    test('fails the precondition when the stream does not exist', async () => {
      const error = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), {
        ...options,
        ifMatch: 0,
      }).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(PreconditionFailedError);
      expect(error).toMatchObject({ expected: 0, actual: 'no_stream' });
    });

    test('a concurrent write between read and append fails the precondition instead of retrying', async () => {
      await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 1 }), options);
      store.interleave(competingIncrement(10));

      const error = await handleCommand(store, 'counter-1', counter, decide({ type: 'Increment', by: 2 }), {
        ...options,
        ifMatch: 0,
      }).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(PreconditionFailedError);
      expect(error).toMatchObject({ expected: 0, actual: 1 });
      expect(store.appendCalls).toBe(2);
    });
  });
});

describe('aggregateStream', () => {
  let store: SqliteEventStore;

  beforeEach(() => {
    store = SqliteEventStore.open({ file: ':memory:' });
  });

  afterEach(async () => {
    await store.close();
  });

  test('is the initial state at revision -1 for a missing stream', async () => {
    expect(await aggregateStream(store, 'counter-9', counter)).toEqual({
      state: { total: 0 },
      revision: -1,
    });
  });

  test('folds every event and reports the last revision', async () => {
    const event = (by: number): NewEvent => ({ id: randomUUID(), type: 'Incremented', data: { by }, metadata: {} });
    await store.append('counter-9', [event(2), event(3)], 'no_stream');

    expect(await aggregateStream(store, 'counter-9', counter)).toEqual({
      state: { total: 5 },
      revision: 1,
    });
  });
});
