import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { EventStore, SqliteEventStore } from '@scim/event-store';
import { personalDataPolicy } from '@scim/domain';
import { HashChainedEventStore } from '@scim/event-store/hash-chain';
import { EncryptingEventStore, SubjectKeyStore } from '@scim/event-store/personal-data';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { configureApp, createApp } from '../../apps/scim-api/src/app.factory';
import { AppModule } from '../../apps/scim-api/src/app.module';
import { type AppConfig, loadConfig } from '../../apps/scim-api/src/config/app-config';
import { openDataFolder } from '../../apps/scim-api/src/config/data-folder';
import { resolveOperatorKey } from '../../apps/scim-api/src/config/operator-key';
import { PinoNestLogger, silentLogger, type Logger } from '../../apps/scim-api/src/observability/logger';

export const OPERATOR_KEY = 'e2e-operator-key-0123456789abcdef';

export interface ScimAccount {
  readonly accountId: string;
  readonly token: string;
  readonly tokenId: string;
  /** Path prefix of the account's SCIM base URL. */
  readonly base: string;
}

export interface TestApp {
  readonly app: INestApplication;
  readonly dataDir: string;
  readonly http: () => TestAgent;
  readonly operator: (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: object) => request.Test;
  newAccount(name?: string): Promise<ScimAccount>;
  /** Stops the app; keeps the data folder unless `removeData`. */
  close(removeData?: boolean): Promise<void>;
}

export interface TestAppOptions {
  /** Where the app logs (silent by default). */
  readonly logger?: Logger;
  /** Overrides the test configuration's environment (e.g. rate limits, which are off unless a test sets them). */
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides of the loaded configuration, for values no variable can set (e.g. an ephemeral METRICS_PORT). */
  readonly config?: Partial<AppConfig>;
  /**
   * Decorates the embedded event store where the service's hash chain meets it (so the decorator
   * sees every append as stored), e.g. to inject failures or slow reads.
   */
  readonly eventStore?: (store: EventStore) => EventStore;
  /** Personal data in clear, as a data folder written before sealing existed (upgrade tests). */
  readonly unsealed?: boolean;
}

/** The service as main.ts builds it (same pipes, filters, body parsing), on a fresh data folder. */
export async function startTestApp(dataDir = mkdtempSync(join(tmpdir(), 'scim-e2e-')), options: TestAppOptions = {}): Promise<TestApp> {
  // A fixed public URL keeps Location and meta.location stable across supertest's ephemeral ports.
  const config = { ...loadConfig({ DATA_DIR: dataDir, OPERATOR_KEY, PUBLIC_URL: 'https://scim.test', READ_YOUR_WRITES_TIMEOUT_MS: '5000', RATE_LIMITS: 'off', ...options.env }), ...options.config };
  const app =
    options.eventStore || options.unsealed
      ? await createAppWithEventStore(config, options.eventStore ?? ((store) => store), options.logger, options.unsealed)
      : await createApp(config, options.logger ?? false);
  const server = app.getHttpServer();
  const http = () => request.agent(server);
  const operator = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: object) => {
    const req = request(server)[method](path).set('Authorization', `Bearer ${OPERATOR_KEY}`);
    return body ? req.send(body) : req;
  };
  return {
    app,
    dataDir,
    http,
    operator,
    async newAccount(name = 'Acme') {
      const created = await operator('post', '/admin/accounts', { name }).expect(201);
      const accountId: string = created.body.accountId;
      await operator('post', `/admin/accounts/${accountId}/scim/enable`).expect(200);
      const token = await operator('post', `/admin/accounts/${accountId}/scim/tokens`, { validForDays: 30, label: 'e2e' }).expect(201);
      return { accountId, token: token.body.token, tokenId: token.body.tokenId, base: `/scim/v2/${accountId}` };
    },
    async close(removeData = true) {
      await app.close();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** createApp with the event store built here, decorated (createApp's module, pipes and filters). */
async function createAppWithEventStore(config: AppConfig, decorate: (store: EventStore) => EventStore, logger?: Logger, unsealed = false): Promise<INestApplication> {
  resolveOperatorKey(config);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, logger ?? silentLogger(), openDataFolder(config.dataDir))] })
    .overrideProvider(EventStore)
    .useFactory({
      factory: (keys: SubjectKeyStore) => {
        const chained = new HashChainedEventStore(decorate(SqliteEventStore.open({ file: join(config.dataDir, 'events.db') })));
        return unsealed ? chained : new EncryptingEventStore(chained, keys, personalDataPolicy);
      },
      inject: [SubjectKeyStore],
    })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: logger ? new PinoNestLogger(logger) : false });
  configureApp(app);
  await app.init();
  return app;
}

/** A SCIM client for one account: sets the bearer token and the SCIM content type. */
export function scimClient(testApp: TestApp, account: ScimAccount) {
  const server = testApp.app.getHttpServer();
  const auth = (req: request.Test) => req.set('Authorization', `Bearer ${account.token}`);
  const withBody = (req: request.Test, body: unknown, contentType = 'application/scim+json') =>
    auth(req).set('Content-Type', contentType).send(JSON.stringify(body));
  return {
    get: (path: string) => auth(request(server).get(`${account.base}${path}`)),
    /** Sends the body bytes as given, for malformed input. */
    postRaw: (path: string, raw: string) => auth(request(server).post(`${account.base}${path}`)).set('Content-Type', 'application/scim+json').send(raw),
    post: (path: string, body: unknown, contentType?: string) => withBody(request(server).post(`${account.base}${path}`), body, contentType),
    put: (path: string, body: unknown) => withBody(request(server).put(`${account.base}${path}`), body),
    patch: (path: string, body: unknown) => withBody(request(server).patch(`${account.base}${path}`), body),
    delete: (path: string) => auth(request(server).delete(`${account.base}${path}`)),
  };
}

export type ScimClient = ReturnType<typeof scimClient>;

/** The operator on one account's admin API: paths are relative to `/admin/accounts/{accountId}`. */
export function accountAdmin(testApp: TestApp, account: ScimAccount) {
  return (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: object) => testApp.operator(method, `/admin/accounts/${account.accountId}${path}`, body);
}

export type AccountAdmin = ReturnType<typeof accountAdmin>;

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** Asserts an RFC 7644 §3.12 error body. */
export function expectScimError(body: Record<string, unknown>, status: number, scimType?: string): void {
  expect(body.schemas).toEqual([ERROR_SCHEMA]);
  expect(body.status).toBe(String(status));
  expect(typeof body.detail).toBe('string');
  expect((body.detail as string).length).toBeGreaterThan(0);
  if (scimType) expect(body.scimType).toBe(scimType);
}

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** Polls until `check` passes (for effects of asynchronous processes); fails with its last error. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
