import { ProjectionRunner, ReadStore } from '@scim/read-models';
import request from 'supertest';
import { RolesViaGroupsProcess } from '@scim/provisioning';
import { createLogger } from '../../apps/scim-api/src/observability/logger';
import { MetricsListener } from '../../apps/scim-api/src/observability/metrics-listener';
import { RefusalSampler } from '../../apps/scim-api/src/observability/refusal-sampler';
import { accountAdmin, eventually, GROUP_SCHEMA, OPERATOR_KEY, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';

type LogLine = Record<string, unknown> & { level: string; msg: string };

/** Every line the app writes, parsed: the JSON format is what is under test. */
function capturedLogs() {
  const raw: string[] = [];
  const logger = createLogger({ format: 'json', level: 'debug' }, { write: (line: string) => void raw.push(line) });
  return { logger, raw, lines: (): LogLine[] => raw.map((line) => JSON.parse(line) as LogLine) };
}

const requestLines = (lines: LogLine[], route: string) => lines.filter((line) => line.route === route);

/** The value of one series in Prometheus text, undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('operators can see: logs, metrics, readiness (e2e)', () => {
  let testApp: TestApp;
  let logs: ReturnType<typeof capturedLogs>;
  let account: ScimAccount;
  let scim: ScimClient;

  beforeAll(async () => {
    logs = capturedLogs();
    testApp = await startTestApp(undefined, { logger: logs.logger, config: { metricsPort: 0, host: '127.0.0.1' } });
    account = await testApp.newAccount('Observed');
    scim = scimClient(testApp, account);
  });
  afterAll(() => testApp.close());

  const metrics = async () => (await testApp.operator('get', '/metrics').expect(200)).text;

  it('writes one JSON line per request: id, route template, status, latency, account and credential id, no secret', async () => {
    const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'ada@observed.example' }).expect(201);
    const read = await scim.get(`/Users/${user.body.id}`).set('X-Request-Id', 'trace-0123456789').expect(200);

    await eventually(() => expect(requestLines(logs.lines(), '/scim/v2/:accountId/Users/:userId')).toHaveLength(1));
    const [line] = requestLines(logs.lines(), '/scim/v2/:accountId/Users/:userId');
    expect(line).toMatchObject({
      level: 'info',
      requestId: 'trace-0123456789',
      method: 'GET',
      status: 200,
      accountId: account.accountId,
      credential: `scim-token:${account.tokenId}`,
      msg: 'GET /scim/v2/:accountId/Users/:userId 200',
    });
    expect(read.headers['x-request-id']).toBe('trace-0123456789');
    expect(typeof line.latencyMs).toBe('number');
    expect(typeof line.time).toBe('string');
    const created = requestLines(logs.lines(), '/scim/v2/:accountId/Users').find((candidate) => candidate.method === 'POST');
    expect(created).toMatchObject({ status: 201, credential: `scim-token:${account.tokenId}` });
    expect(requestLines(logs.lines(), '/admin/accounts')[0]).toMatchObject({ method: 'POST', status: 201, credential: 'operator' });

    const everything = logs.raw.join('');
    const secret = account.token.split('.')[2];
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(OPERATOR_KEY);
    expect(everything).not.toMatch(/bearer|authorization/i);
    expect(everything).not.toContain('\u001b[');
  });

  it('logs 4xx and the 501 of /Me as answers, and a 5xx once, with its stack, on its request line', async () => {
    await scim.get('/Users/no-such-user').expect(404);
    await scim.get('/Me').expect(501);
    const readStore = testApp.app.get(ReadStore);
    const failure = jest.spyOn(readStore, 'find').mockRejectedValueOnce(new Error('disk on fire'));
    await scim.get('/Users').expect(500);
    failure.mockRestore();

    await eventually(() => expect(requestLines(logs.lines(), '/scim/v2/:accountId/Me')).toHaveLength(1));
    expect(requestLines(logs.lines(), '/scim/v2/:accountId/Me')[0]).toMatchObject({ level: 'info', status: 501 });
    expect(requestLines(logs.lines(), '/scim/v2/:accountId/Users/:userId').find((line) => line.status === 404)).toMatchObject({ level: 'info' });
    const errors = logs.lines().filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ route: '/scim/v2/:accountId/Users', status: 500, err: { message: 'disk on fire' } });
    expect((errors[0].err as { stack: string }).stack).toContain('disk on fire');
    expect(logs.raw.filter((line) => line.includes('disk on fire'))).toHaveLength(1);
  });

  it('logs refused authentications, sampled under a flood, and counts every one by kind', async () => {
    const wrongToken = `scim.${account.tokenId}.not-the-secret`;
    const flood = 40;
    // One second for the whole flood, whatever the machine's speed: the sampler's window is what is tested.
    const frozen = jest.spyOn(Date, 'now').mockReturnValue(Date.now());
    try {
      await Promise.all(
        Array.from({ length: flood }, () =>
          request(testApp.app.getHttpServer()).get(`${account.base}/Users`).set('Authorization', `Bearer ${wrongToken}`).expect(401),
        ),
      );
      // A request is logged and counted when its response closes on the server: all of them, still in the frozen second.
      await eventually(async () => expect(sample(await metrics(), 'scim_auth_failures_total{realm="scim",kind="wrong-secret"}')).toBe(flood));
    } finally {
      frozen.mockRestore();
    }
    await request(testApp.app.getHttpServer()).get(`/audit/accounts/${account.accountId}/events`).expect(401);

    const refusedLines = () => logs.lines().filter((line) => line.authRefusal === 'scim/wrong-secret' && line.status === 401);
    expect(refusedLines()).toHaveLength(10);
    testApp.app.get(RefusalSampler).flush();
    const summary = logs.lines().filter((line) => line.authRefusal === 'scim/wrong-secret' && line.suppressed !== undefined);
    expect(summary).toEqual([expect.objectContaining({ level: 'warn', suppressed: flood - 10 })]);
    expect(refusedLines()[0]).toMatchObject({ level: 'warn', route: '/scim/v2/:accountId/Users', accountId: account.accountId });
    expect(refusedLines()[0].credential).toBeUndefined();
    expect(logs.raw.join('')).not.toContain('not-the-secret');

    await eventually(async () => expect(sample(await metrics(), 'scim_auth_failures_total{realm="audit",kind="missing"}')).toBe(1));
  });

  it('names why each guard refused a credential, in the log line and the failure counter', async () => {
    const server = testApp.app.getHttpServer();
    const admin = accountAdmin(testApp, account);
    const other = await testApp.newAccount('Other');
    const revoked = (await admin('post', '/scim/tokens', { validForDays: 30, label: 'old' }).expect(201)).body;
    await admin('delete', `/scim/tokens/${revoked.tokenId}`).expect(204);
    const adminKey = (await admin('post', '/admin-keys', { label: 'desk' }).expect(201)).body;
    await admin('delete', `/admin-keys/${adminKey.keyId}`).expect(204);
    const liveKey = (await admin('post', '/admin-keys', { label: 'desk 2' }).expect(201)).body.key as string;
    const withBearer = (test: request.Test, bearer?: string) => (bearer ? test.set('Authorization', `Bearer ${bearer}`) : test);
    const cases: Array<[request.Test, string]> = [
      [request(server).get(`${account.base}/Users`), 'scim/missing'],
      [withBearer(request(server).get(`${account.base}/Users`), 'not-a-token'), 'scim/malformed'],
      [withBearer(request(server).get('/scim/v2/no-such-account/Users'), account.token), 'scim/unknown-account'],
      [withBearer(request(server).get(`${account.base}/Users`), other.token), 'scim/unknown-credential'],
      [withBearer(request(server).get(`${account.base}/Users`), revoked.token), 'scim/revoked'],
      [withBearer(request(server).get(`/admin/accounts/${account.accountId}/roles`), adminKey.key), 'admin/revoked'],
      [withBearer(request(server).post(`/admin/accounts/${account.accountId}/admin-keys`).send({}), liveKey), 'admin/operator-only'],
      [withBearer(request(server).get(`/support/accounts/${account.accountId}/users?userName=x`), 'wrong'), 'support/wrong-key'],
    ];
    const before = await metrics();
    for (const [test, refusal] of cases) {
      const response = await test;
      expect([refusal, response.status]).toEqual([refusal, refusal.endsWith('operator-only') ? 403 : 401]);
    }

    await eventually(() => expect(logs.lines().filter((line) => line.authRefusal !== undefined && line.status !== undefined).map((line) => line.authRefusal)).toEqual(expect.arrayContaining(cases.map(([, refusal]) => refusal))));
    await eventually(async () => {
      const after = await metrics();
      for (const [, refusal] of cases) {
        const [realm, kind] = refusal.split('/');
        const series = `scim_auth_failures_total{realm="${realm}",kind="${kind}"}`;
        expect([series, sample(after, series)]).toEqual([series, (sample(before, series) ?? 0) + 1]);
      }
    });
    expect(logs.raw.join('')).not.toContain(liveKey.split('.')[2]);
  });

  it('serves Prometheus metrics to the operator key, by route template, never by account', async () => {
    await request(testApp.app.getHttpServer()).get('/metrics').expect(401);
    await request(testApp.app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${account.token}`).expect(401);
    const before = await metrics();
    await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'grace@observed.example' }).expect(201);
    const response = await testApp.operator('get', '/metrics').expect(200).expect('Content-Type', /^text\/plain;.*version=0\.0\.4/);
    const text = response.text;

    const created = 'scim_http_requests_total{route="/scim/v2/:accountId/Users",method="POST",status="201"}';
    expect(sample(text, created)).toBe((sample(before, created) ?? 0) + 1);
    expect(sample(text, 'scim_http_request_duration_seconds_count{route="/scim/v2/:accountId/Users",method="POST",status="201"}')).toBe(sample(text, created));
    expect(sample(text, 'scim_events_appended_total')).toBeGreaterThan(sample(before, 'scim_events_appended_total') ?? 0);
    expect(sample(text, 'scim_event_append_duration_seconds_count{outcome="ok"}')).toBeGreaterThan(0);
    expect(sample(text, 'scim_read_your_writes_wait_seconds_count')).toBeGreaterThan(sample(before, 'scim_read_your_writes_wait_seconds_count') ?? 0);
    expect(sample(text, 'scim_read_your_writes_timeouts_total')).toBe(0);
    expect(sample(text, 'scim_auth_failures_total{realm="admin",kind="wrong-key"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'scim_projection_state{projection="users",state="running"}')).toBe(1);
    expect(sample(text, 'scim_projection_lag_positions{projection="users"}')).toBe(0);
    expect(sample(text, 'scim_process_manager_state{process="process:roles-via-groups",state="running"}')).toBe(1);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('# TYPE scim_rate_limited_total counter');
    expect(text).not.toContain(account.accountId);
    expect(text).not.toContain('grace@observed.example');
  });

  it('serves the same metrics without credential on METRICS_PORT, and nothing else there', async () => {
    const port = testApp.app.get(MetricsListener).port();
    const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('scim_http_requests_total{route="/scim/v2/:accountId/Users",method="POST",status="201"}');
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(404);
  });

  describe('readiness', () => {
    const ready = () => request(testApp.app.getHttpServer()).get('/ready');

    it('is 200 while the stores answer and every projection and process manager runs; /health is liveness', async () => {
      const response = await ready().expect(200);
      expect(response.body).toMatchObject({ status: 'ready', eventStore: 'up', readStore: 'up' });
      expect(response.body.projections).toEqual(expect.arrayContaining([{ name: 'users', state: 'running' }]));
      expect(response.body.processManagers).toEqual(expect.arrayContaining([{ name: 'process:roles-via-groups', state: 'running' }]));
      expect(response.headers['cache-control']).toBe('no-store');
      expect((await request(testApp.app.getHttpServer()).get('/health').expect(200)).body).toEqual({ status: 'ok', storage: 'embedded' });
    });

    it('is 503 naming the projection while one has failed, and the state gauge says failing; 200 once it runs again', async () => {
      const readStore = testApp.app.get(ReadStore);
      const commit = readStore.commit.bind(readStore);
      const failing = jest
        .spyOn(readStore, 'commit')
        .mockImplementation((changes, checkpoint) => (checkpoint.projection === 'users' ? Promise.reject(new Error('read store full')) : commit(changes, checkpoint)));
      try {
        // The write is stored; its response does not wait for a failed projection.
        await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'stalled@observed.example' });

        const unready = await ready().expect(503);
        expect(unready.body).toMatchObject({ status: 'unavailable', causes: ['projection users is failing'] });
        expect(JSON.stringify(unready.body)).not.toContain('read store full');
        const text = await metrics();
        expect(sample(text, 'scim_projection_state{projection="users",state="failing"}')).toBe(1);
        expect(sample(text, 'scim_projection_state{projection="users",state="running"}')).toBe(0);
        expect(sample(text, 'scim_projection_lag_positions{projection="users"}')).toBeGreaterThan(0);
        expect(sample(text, 'scim_read_your_writes_timeouts_total')).toBeGreaterThanOrEqual(1);
      } finally {
        failing.mockRestore();
      }
      await testApp.app.get(ProjectionRunner).start();
      await ready().expect(200);
      await scim.get(`/Users?filter=${encodeURIComponent('userName eq "stalled@observed.example"')}`).expect(200).expect((r) => expect(r.body.totalResults).toBe(1));
    });

    it('is 503 while a projection is stopped', async () => {
      const runner = testApp.app.get(ProjectionRunner);
      await runner.stop();
      try {
        const unready = await ready().expect(503);
        expect(unready.body.causes).toEqual(expect.arrayContaining(['projection users is stopped', 'projection groups is stopped']));
      } finally {
        await runner.start();
      }
      await ready().expect(200);
    });

    it('is 503 while a process manager fails, and recovers when it does', async () => {
      const readStore = testApp.app.get(ReadStore);
      const commit = readStore.commit.bind(readStore);
      const failing = jest
        .spyOn(readStore, 'commit')
        .mockImplementation((changes, checkpoint) =>
          checkpoint.projection === RolesViaGroupsProcess.checkpointName ? Promise.reject(new Error('checkpoint lost')) : commit(changes, checkpoint),
        );
      try {
        await accountAdmin(testApp, account)('post', '/groups', { displayName: 'Watchers' }).expect(201);
        await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Observers' }).expect(201);
        await eventually(async () => {
          const unready = await ready().expect(503);
          expect(unready.body.causes).toEqual([`process manager ${RolesViaGroupsProcess.checkpointName} is failing`]);
        });
        expect(sample(await metrics(), `scim_process_manager_state{process="${RolesViaGroupsProcess.checkpointName}",state="failing"}`)).toBe(1);
      } finally {
        failing.mockRestore();
      }
      // The process restarts from its checkpoint by itself.
      await eventually(async () => void (await ready().expect(200)));
    });
  });
});
