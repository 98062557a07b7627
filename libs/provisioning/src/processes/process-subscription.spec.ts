import type { RecordedEvent } from '@scim/event-store';
import { inMemoryStores } from '@scim/read-models/testing/in-memory-stores';
import { ProcessSubscription, reactionContext } from './process-subscription';

const event = (type: string) => ({ id: crypto.randomUUID(), type, data: {}, metadata: { accountId: 'a1', correlationId: 'req-1', occurredAt: '2026-01-01T00:00:00.000Z' } });

// A failing batch is logged; what matters here is what the subscription does next.
const logger = { error: () => undefined };

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await check()).toBe(true);
}

describe('ProcessSubscription', () => {
  const stores = inMemoryStores();

  it('reacts to the events of its streams only, and moves its checkpoint after each batch', async () => {
    await stores.eventStore.append('thing-1', [event('Made'), event('Changed')], 'no_stream');
    await stores.eventStore.append('other-1', [event('Ignored')], 'no_stream');
    const seen: string[] = [];
    const process = new ProcessSubscription(stores.eventStore, stores.readStore, { name: 'process:test', logger, streamPrefixes: ['thing-'], react: async (e) => void seen.push(e.type) });

    await process.start();
    await until(async () => (await process.checkpoint()) >= 2);
    await process.stop();

    expect(seen).toEqual(['Made', 'Changed']);
  });

  it("moves its checkpoint past other streams' events, so a restart does not read them again", async () => {
    await stores.eventStore.append('thing-1', [event('Made')], 'no_stream');
    for (let i = 0; i < 1200; i++) await stores.eventStore.append(`other-${i}`, [event('Ignored')], 'no_stream');
    const process = new ProcessSubscription(stores.eventStore, stores.readStore, { name: 'process:test', logger, streamPrefixes: ['thing-'], react: async () => undefined });

    await process.start();
    await until(async () => (await process.checkpoint()) > 1000);
    await until(() => process.report().position === 1201);
    await process.stop();
  });

  it('after a failing batch, starts again from its checkpoint and reacts again to what failed', async () => {
    await stores.eventStore.append('thing-1', [event('Made')], 'no_stream');
    let failures = 0;
    const seen: string[] = [];
    const process = new ProcessSubscription(stores.eventStore, stores.readStore, {
      name: 'process:test',
      logger,
      streamPrefixes: ['thing-'],
      react: async (e) => {
        if (failures++ === 0) throw new Error('transient');
        seen.push(e.type);
      },
    });

    expect(process.report()).toEqual({ name: 'process:test', state: 'stopped', position: 0 });
    await process.start();
    await until(() => process.report().state === 'failing');
    await until(() => seen.length === 1);
    await until(async () => (await process.checkpoint()) === 1);
    expect(process.report()).toEqual({ name: 'process:test', state: 'running', position: 1 });
    await process.stop();

    expect(seen).toEqual(['Made']);
    expect(process.report().state).toBe('stopped');
  });

  it('issues reactions in the name of the event: same account and request, caused by it, at its time', () => {
    const recorded = { id: 'e1', metadata: { accountId: 'a1', correlationId: 'req-1', occurredAt: '2026-01-01T00:00:00.000Z' }, recordedAt: '2026-01-01T00:00:01.000Z' } as unknown as RecordedEvent;

    expect(reactionContext(recorded, 'p')).toEqual({ accountId: 'a1', actor: { kind: 'system', process: 'p' }, requestId: 'req-1', causationId: 'e1', at: '2026-01-01T00:00:00.000Z' });
  });
});
