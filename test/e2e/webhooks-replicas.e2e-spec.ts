import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { EventStore, SqliteEventStore } from '@scim/event-store';
import { HashChainedEventStore } from '@scim/event-store/hash-chain';
import { SqliteSubjectKeyStore, SubjectKeyStore } from '@scim/event-store/personal-data';
import { EmbeddedReadStore, ProjectionRunner, ReadStore } from '@scim/read-models';
import { allProjections, prepareReadModelStore } from '@scim/read-models/projections';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { configureApp } from '../../apps/scim-api/src/app.factory';
import { AppModule } from '../../apps/scim-api/src/app.module';
import { loadConfig } from '../../apps/scim-api/src/config/app-config';
import { silentLogger } from '../../apps/scim-api/src/observability/logger';
import { eventually, OPERATOR_KEY, USER_SCHEMA } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Two API replicas in distributed mode on one set of stores, with a projector beside them, as in
 * production. The embedded adapters stand in for EventStoreDB and MongoDB: the delivery lease
 * needs of them only the checkpoint guard, which the contract suites hold every adapter to.
 */
const LEASE_TTL_MS = 900;

/** The store as the replicas see it, minus close(): both replicas share it and the test closes it once. */
function shared<T extends object>(store: T): T {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'close') return async () => undefined;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function startReplica(dataDir: string, eventStore: EventStore, readStore: ReadStore, keys: SubjectKeyStore): Promise<INestApplication> {
  const config = loadConfig({
    EVENTSTORE_URL: 'esdb://127.0.0.1:41601?tls=false',
    MONGODB_URL: 'mongodb://127.0.0.1:41602/scim',
    DATA_DIR: dataDir,
    OPERATOR_KEY,
    WEBHOOK_SECRETS_KEY: 'replicas-e2e-webhook-secrets-key-0123456789',
    NAME_HASHING_KEY: 'replicas-e2e-name-hashing-key-0123456789-0123456789',
    ROOT_KEY: 'cd'.repeat(32),
    PUBLIC_URL: 'https://scim.test',
    RATE_LIMITS: 'off',
    READ_YOUR_WRITES_TIMEOUT_MS: '5000',
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOKS_LEASE_TTL_MS: String(LEASE_TTL_MS),
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, silentLogger(), undefined)] })
    .overrideProvider(EventStore)
    .useValue(shared(eventStore))
    .overrideProvider(ReadStore)
    .useValue(shared(readStore))
    .overrideProvider(SubjectKeyStore)
    .useValue(shared(keys))
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
  configureApp(app);
  await app.init();
  return app;
}

describe('webhooks with two API replicas on one set of stores (e2e)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-replicas-'));
  const receiver = new WebhookReceiver();
  let eventStore: EventStore;
  let readStore: EmbeddedReadStore;
  let projector: ProjectionRunner;
  let replicas: INestApplication[] = [];

  beforeAll(async () => {
    eventStore = new HashChainedEventStore(SqliteEventStore.open({ file: join(dataDir, 'events.db') }));
    readStore = EmbeddedReadStore.open({ file: join(dataDir, 'read-models.db') });
    await prepareReadModelStore(readStore);
    projector = new ProjectionRunner(eventStore, readStore, [...allProjections], { logger: { log: () => undefined, error: () => undefined } });
    await projector.start();
    await receiver.start();
    const keys = SqliteSubjectKeyStore.open({ file: join(dataDir, 'keys.db'), rootKey: randomBytes(32) });
    replicas = [await startReplica(dataDir, eventStore, readStore, keys), await startReplica(dataDir, eventStore, readStore, keys)];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await receiver.stop();
    await projector.stop();
    await eventStore.close();
    await readStore.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const operator = (replica: INestApplication, method: 'get' | 'post', path: string, body?: object) => {
    const req = request(replica.getHttpServer())[method](path).set('Authorization', `Bearer ${OPERATOR_KEY}`);
    return body ? req.send(body) : req;
  };
  const provision = (replica: INestApplication, base: string, token: string, userName: string) =>
    request(replica.getHttpServer())
      .post(`${base}/Users`)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify({ schemas: [USER_SCHEMA], userName, active: true }))
      .expect(201);

  /** The account's public events through the events API, after `after`. */
  async function publicEvents(replica: INestApplication, accountId: string, key: string, after: string): Promise<{ ids: string[]; cursor: string }> {
    const ids: string[] = [];
    for (;;) {
      const page = await request(replica.getHttpServer()).get(`/api/v1/accounts/${accountId}/events?after=${after}&limit=50`).set('Authorization', `Bearer ${key}`).expect(200);
      ids.push(...page.body.events.map((event: { id: string }) => event.id));
      after = page.body.nextCursor;
      if (!page.body.hasMore) return { ids, cursor: after };
    }
  }

  it('delivers each event once while both run, and from the other replica once the first stops', async () => {
    const [first, second] = replicas;
    const created = await operator(first, 'post', '/admin/accounts', { name: 'Replicated' }).expect(201);
    const accountId: string = created.body.accountId;
    await operator(second, 'post', `/admin/accounts/${accountId}/scim/enable`).expect(200);
    const token: string = (await operator(first, 'post', `/admin/accounts/${accountId}/scim/tokens`, { validForDays: 30, label: 'e2e' }).expect(201)).body.token;
    const eventsKey: string = (await operator(second, 'post', `/admin/accounts/${accountId}/events-keys`, { label: 'app' }).expect(201)).body.key;
    const since = (await publicEvents(first, accountId, eventsKey, '0')).cursor;
    const registered = await operator(second, 'post', `/admin/accounts/${accountId}/webhooks`, { url: receiver.url, description: 'replicas' }).expect(201);
    receiver.useSecret(registered.body.secret);
    const base = `/scim/v2/${accountId}`;

    for (let n = 0; n < 6; n++) await provision(replicas[n % 2], base, token, `both-${n}@example.com`);
    const whileBoth = (await publicEvents(second, accountId, eventsKey, since)).ids;
    await eventually(() => expect(receiver.firstArrivals()).toEqual(whileBoth));

    // The stopping replica hands its lease over; the other delivers from the checkpoint it left.
    await first.close();
    replicas = [second];
    for (let n = 0; n < 4; n++) await provision(second, base, token, `second-${n}@example.com`);
    const all = (await publicEvents(second, accountId, eventsKey, since)).ids;
    await eventually(() => expect(receiver.firstArrivals()).toEqual(all));

    // Every attempt that could still be in flight ends with the last replica.
    await second.close();
    replicas = [];
    expect(all.length).toBeGreaterThan(whileBoth.length);
    expect(receiver.messages.map((message) => message.webhookId)).toEqual(all);
    expect(receiver.messages.every((message) => message.verified)).toBe(true);
  });
});
