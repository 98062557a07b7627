import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { EventStore, SqliteEventStore } from '@scim/event-store';
import { SqliteSubjectKeyStore, SubjectKeyStore } from '@scim/event-store/personal-data';
import { EmbeddedReadStore, ProjectionRunner, ReadStore } from '@scim/read-models';
import { allProjections, Collections, distributedProjections } from '@scim/read-models/projections';
import { ReadModelFreshness } from '@scim/provisioning';
import { loadConfig } from '../config/app-config';
import { silentLogger } from '../observability/logger';
import { ObservabilityModule } from '../observability/observability.module';
import { PersistenceModule } from './persistence.module';

/**
 * The distributed wiring, with the EventStoreDB and MongoDB adapters swapped for the embedded ones
 * (no server here): what is checked is what the API does around them.
 */
describe('PersistenceModule in distributed mode', () => {
  const OPERATOR_KEY = 'spec-operator-key-0123456789abcdef';
  const DISTRIBUTED = {
    EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
    MONGODB_URL: 'mongodb://mongodb:27017/scim?replicaSet=rs0',
    READ_YOUR_WRITES_TIMEOUT_MS: '150',
    NAME_HASHING_KEY: 'spec-name-hashing-key-0123456789abcdef-0123456789',
    ROOT_KEY: 'ab'.repeat(32),
  };
  let eventStore: SqliteEventStore;
  let readStore: EmbeddedReadStore;
  let app: INestApplication | undefined;
  const projectors: ProjectionRunner[] = [];

  const start = async (env: Record<string, string>) => {
    const moduleRef = await Test.createTestingModule({ imports: [ObservabilityModule.forRoot(silentLogger()), PersistenceModule.forRoot(loadConfig(env))] })
      .overrideProvider(EventStore)
      .useValue(eventStore)
      .overrideProvider(ReadStore)
      .useValue(readStore)
      .overrideProvider(SubjectKeyStore)
      .useFactory({ factory: () => SqliteSubjectKeyStore.open({ file: ':memory:', rootKey: randomBytes(32) }) })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  };

  /** What apps/projector does, in this process. */
  const startProjector = async () => {
    const runner = new ProjectionRunner(eventStore, readStore, [...allProjections], { logger: { log: () => undefined, error: () => undefined } });
    projectors.push(runner);
    await runner.start();
  };

  const createAccount = (accountId: string) =>
    eventStore.append(
      `account-${accountId}`,
      [{ id: randomUUID(), type: 'AccountCreated', data: { accountId, name: 'Acme', createdAt: '2025-01-01T00:00:00.000Z' }, metadata: { schemaVersion: 1 } }],
      'no_stream',
    );

  beforeEach(() => {
    eventStore = SqliteEventStore.open({ file: ':memory:' });
    readStore = EmbeddedReadStore.open({ file: ':memory:' });
  });

  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((runner) => runner.stop()));
    // Closing the application closes both stores (PersistenceLifecycle).
    await app?.close();
    app = undefined;
  });

  it('refuses to start without NAME_HASHING_KEY: every replica must name userName reservations alike', async () => {
    const { NAME_HASHING_KEY: _unset, ...withoutKey } = DISTRIBUTED;
    await expect(start(withoutKey)).rejects.toThrow('NAME_HASHING_KEY must be set in distributed mode');
    app = undefined;
    await Promise.all([eventStore.close(), readStore.close()]);
  });

  it('runs no projection in the API: a write waits for the projector’s checkpoints', async () => {
    const api = await start(DISTRIBUTED);
    expect(() => api.get(ProjectionRunner, { strict: false })).toThrow();
    const freshness = api.get(ReadModelFreshness);

    const accountId = randomUUID();
    const { position } = await createAccount(accountId);
    // Nobody projects: the bounded wait runs out (READ_YOUR_WRITES_TIMEOUT_MS).
    const startedAt = Date.now();
    expect(await freshness.waitFor(position)).toBe(false);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    expect(await readStore.get(Collections.accounts, accountId)).toBeNull();

    await startProjector();
    expect(await freshness.waitFor(position)).toBe(true);
    // Read-your-writes: once the wait says so, a read sees the write.
    expect(await readStore.get(Collections.accounts, accountId)).toMatchObject({ _id: accountId, name: 'Acme' });
    // Projections without events up to the position (users, groups) did not hold the write back.
    expect(await readStore.checkpoint('users')).toBe(0);
  });

  it('projects in the API as well with RUN_PROJECTIONS=true, the account-log index included', async () => {
    const api = await start({ ...DISTRIBUTED, RUN_PROJECTIONS: 'true' });
    expect(api.get(ProjectionRunner, { strict: false }).status().map((status) => [status.projection, status.state])).toEqual(
      distributedProjections.map((projection) => [projection.name, 'running']),
    );

    const accountId = randomUUID();
    const { position } = await createAccount(accountId);
    expect(await api.get(ReadModelFreshness).waitFor(position)).toBe(true);
    expect(await readStore.get(Collections.accounts, accountId)).toMatchObject({ name: 'Acme' });
  });

  it('answers GET /ready with 200 while both stores answer, 503 when one does not; GET /health is liveness', async () => {
    const api = await start(DISTRIBUTED);
    const server = api.getHttpServer();

    const up = await request(server).get('/ready').expect(200);
    expect(up.body).toMatchObject({ status: 'ready', storage: 'distributed', eventStore: 'up', readStore: 'up', projections: [] });
    expect(up.headers['cache-control']).toBe('no-store');

    jest.spyOn(readStore, 'checkpoint').mockRejectedValueOnce(new Error('not primary'));
    const down = await request(server).get('/ready').expect(503);
    expect(down.body).toMatchObject({ status: 'unavailable', storage: 'distributed', eventStore: 'up', readStore: 'down', causes: ['the read store does not answer'] });
    expect(JSON.stringify(down.body)).not.toContain('not primary');
    await request(server).get('/health').expect(200, { status: 'ok', storage: 'distributed' });
  });
});
