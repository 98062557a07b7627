import request from 'supertest';
import { expectScimError, scimClient, startTestApp, USER_SCHEMA, type TestApp } from '../support/test-app';

describe('accounts, SCIM switch and bearer tokens (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  it('gives each account its own absolute SCIM base URL', async () => {
    const res = await testApp.operator('post', '/admin/accounts', { name: 'Base URL' }).expect(201);
    expect(res.body.scimBaseUrl).toBe(`https://scim.test/scim/v2/${res.body.accountId}`);
  });

  it('a token of account A never reads or writes account B', async () => {
    const a = await testApp.newAccount('A');
    const b = await testApp.newAccount('B');
    const crossed = scimClient(testApp, { ...a, base: b.base });
    expectScimError((await crossed.get('/Users').expect(401)).body, 401);
    expectScimError((await crossed.post('/Users', { schemas: [USER_SCHEMA], userName: 'x@b.com' }).expect(401)).body, 401);
    expect((await scimClient(testApp, b).get('/Users').expect(200)).body.totalResults).toBe(0);
  });

  it('rejects wrong, malformed and revoked tokens with 401', async () => {
    const account = await testApp.newAccount();
    const scim = scimClient(testApp, account);
    await scim.get('/Users').expect(200);
    await scimClient(testApp, { ...account, token: account.token.slice(0, -2) + 'xx' }).get('/Users').expect(401);
    await scimClient(testApp, { ...account, token: 'not-a-token' }).get('/Users').expect(401);
    await testApp.operator('delete', `/admin/accounts/${account.accountId}/scim/tokens/${account.tokenId}`).expect(204);
    const res = await scim.get('/Users').expect(401);
    expect(res.body.detail).toMatch(/revoked/);
    expect(res.body.detail).not.toMatch(/account settings/);
    expect(res.body.detail).toContain('Identity and access > Generate token');
  });

  it('keeps two tokens valid at once for rotation, and lists them without secrets', async () => {
    const account = await testApp.newAccount();
    const second = await testApp.operator('post', `/admin/accounts/${account.accountId}/scim/tokens`, { validForDays: 1 }).expect(201);
    await scimClient(testApp, account).get('/Users').expect(200);
    await scimClient(testApp, { ...account, token: second.body.token }).get('/Users').expect(200);
    const listed = await testApp.operator('get', `/admin/accounts/${account.accountId}/scim/tokens`).expect(200);
    expect(listed.body).toMatchObject({ totalResults: 2, startIndex: 1, itemsPerPage: 2 });
    // Newest first, each with when this process last saw it used.
    expect(listed.body.items.map((t: { tokenId: string }) => t.tokenId)).toEqual([second.body.tokenId, account.tokenId]);
    for (const token of listed.body.items) expect(Date.parse(token.lastUsedAt)).not.toBeNaN();
    expect(JSON.stringify(listed.body)).not.toContain(account.token.split('.')[2]);
    expect(JSON.stringify(listed.body)).not.toContain('secretHash');
  });

  it('refuses SCIM calls while SCIM is disabled, saying why', async () => {
    const account = await testApp.newAccount();
    await testApp.operator('post', `/admin/accounts/${account.accountId}/scim/disable`).expect(200);
    const res = await scimClient(testApp, account).get('/Users').expect(403);
    expect(res.body.detail).toMatch(/disabled/);
    await testApp.operator('post', `/admin/accounts/${account.accountId}/scim/enable`).expect(200);
    await scimClient(testApp, account).get('/Users').expect(200);
  });

  it('refuses a token validity outside 1..730 days', async () => {
    const account = await testApp.newAccount();
    for (const validForDays of [0, 731, 'x']) {
      const res = await testApp.operator('post', `/admin/accounts/${account.accountId}/scim/tokens`, { validForDays }).expect(400);
      expectScimError(res.body, 400);
    }
  });

  describe('admin keys with an optional expiry', () => {
    // Only Date is faked: the app's sockets and timers keep running.
    const atLaterDate = (days: number) =>
      jest.useFakeTimers({
        now: Date.now() + days * 86_400_000,
        doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
      });
    afterEach(() => jest.useRealTimers());

    it('issues keys that never expire by default or expire after validForDays, and lists them with their expiry', async () => {
      const account = await testApp.newAccount();
      const keys = `/admin/accounts/${account.accountId}/admin-keys`;
      const forever = await testApp.operator('post', keys, { label: 'forever' }).expect(201);
      const weekly = await testApp.operator('post', keys, { label: 'weekly', validForDays: 7 }).expect(201);
      expect(forever.body.expiresAt).toBeNull();
      expect(Date.parse(weekly.body.expiresAt) - Date.parse(weekly.body.issuedAt)).toBe(7 * 86_400_000);
      const listed = await testApp.operator('get', keys).expect(200);
      expect(listed.body.items).toEqual([
        { keyId: forever.body.keyId, label: 'forever', issuedAt: forever.body.issuedAt, expiresAt: null, status: 'active' },
        { keyId: weekly.body.keyId, label: 'weekly', issuedAt: weekly.body.issuedAt, expiresAt: weekly.body.expiresAt, status: 'active' },
      ]);
      expect(JSON.stringify(listed.body)).not.toContain(weekly.body.key.split('.')[2]);
    });

    it('refuses an expired admin key with 401 saying when it expired, on the admin and support APIs', async () => {
      const account = await testApp.newAccount();
      const key = (await testApp.operator('post', `/admin/accounts/${account.accountId}/admin-keys`, { validForDays: 1 }).expect(201)).body;
      const asAdmin = (path: string) => request(testApp.app.getHttpServer()).get(path).set('Authorization', `Bearer ${key.key}`);
      await asAdmin(`/admin/accounts/${account.accountId}/roles`).expect(200);
      atLaterDate(2);
      const refused = await asAdmin(`/admin/accounts/${account.accountId}/roles`).expect(401);
      expectScimError(refused.body, 401);
      expect(refused.body.detail).toBe(`The admin key expired at ${key.expiresAt}; ask the platform operator for a new one`);
      await asAdmin(`/support/accounts/${account.accountId}/access`).expect(401);
      const listed = await testApp.operator('get', `/admin/accounts/${account.accountId}/admin-keys`).expect(200);
      expect(listed.body.items[0].status).toBe('expired');
    });

    it('refuses a validity outside 1..730 days or not a number, storing nothing', async () => {
      const account = await testApp.newAccount();
      const keys = `/admin/accounts/${account.accountId}/admin-keys`;
      for (const validForDays of [0, 731, 1.5, 'x', true, { toString: 'x' }]) {
        expectScimError((await testApp.operator('post', keys, { validForDays }).expect(400)).body, 400, 'invalidValue');
      }
      expect((await testApp.operator('get', keys).expect(200)).body.items).toEqual([]);
    });
  });

  it('protects the admin API with the operator key', async () => {
    await request(testApp.app.getHttpServer()).post('/admin/accounts').send({ name: 'x' }).expect(401);
    await request(testApp.app.getHttpServer()).post('/admin/accounts').set('Authorization', 'Bearer wrong').send({ name: 'x' }).expect(401);
  });

  it('rejects a userName held by another account without naming that account', async () => {
    const a = await testApp.newAccount('Holder');
    const b = await testApp.newAccount('Other');
    await scimClient(testApp, a).post('/Users', { schemas: [USER_SCHEMA], userName: 'shared@corp.com' }).expect(201);
    const res = await scimClient(testApp, b).post('/Users', { schemas: [USER_SCHEMA], userName: 'SHARED@corp.com' }).expect(409);
    expectScimError(res.body, 409, 'uniqueness');
    expect(JSON.stringify(res.body)).not.toContain(a.accountId);
  });

  it('returns X-Request-Id on every response', async () => {
    const res = await request(testApp.app.getHttpServer()).get('/scim/v2/x/ServiceProviderConfig').set('X-Request-Id', 'trace-12345678').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-12345678');
  });
});
