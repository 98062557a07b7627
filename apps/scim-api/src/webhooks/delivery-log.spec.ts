import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadStore } from '@scim/read-models';
import { DeliveryLog } from './delivery-log';

describe('the webhook delivery log', () => {
  let dir: string;
  let store: EmbeddedReadStore;
  let log: DeliveryLog;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'delivery-log-'));
    store = EmbeddedReadStore.open({ file: join(dir, 'read-models.db') });
    log = new DeliveryLog(store);
    await log.onModuleInit();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const attempt = (eventId: string, at: string, ok: boolean) =>
    log.attempt({ endpointId: 'w1', accountId: 'a1', eventId, eventType: 'user.created', cursor: '7', trigger: 'automatic' }, new Date(at), { ok, status: ok ? 204 : 500, latencyMs: 3 });

  it('moves the checkpoint with the attempts, and lists them newest first', async () => {
    await log.commit('w1', [attempt('e1', '2026-01-01T00:00:00Z', false), attempt('e1', '2026-01-01T00:00:01Z', true)], 7);
    expect(await log.checkpoint('w1')).toBe(7);
    expect((await log.list('w1', 10)).map((a) => [a.attemptedAt, a.ok])).toEqual([
      ['2026-01-01T00:00:01.000Z', true],
      ['2026-01-01T00:00:00.000Z', false],
    ]);
    expect(await log.list('w2', 10)).toEqual([]);
  });

  it('counts the failures of an event since its last delivery and since the endpoint last changed, across restarts', async () => {
    await log.commit(
      'w1',
      [
        attempt('e1', '2026-01-01T00:00:00Z', false),
        attempt('e1', '2026-01-01T00:00:05Z', true),
        attempt('e1', '2026-01-01T00:01:00Z', false),
        attempt('e1', '2026-01-01T00:02:00Z', false),
        attempt('e2', '2026-01-01T00:00:30Z', false),
      ],
      0,
    );
    const restarted = new DeliveryLog(store);
    expect(await restarted.failuresOf('w1', 'e1', '2025-12-31T00:00:00.000Z')).toEqual({ failures: 2, failingSince: Date.parse('2026-01-01T00:01:00Z') });
    expect(await restarted.failuresOf('w1', 'e1', '2026-01-01T00:01:30.000Z')).toEqual({ failures: 1, failingSince: Date.parse('2026-01-01T00:02:00Z') });
    expect((await restarted.failuresOf('w1', 'e3', '2025-12-31T00:00:00.000Z')).failures).toBe(0);
  });
});
