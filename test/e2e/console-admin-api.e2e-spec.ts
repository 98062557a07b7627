import request from 'supertest';
import { accountAdmin, expectScimError, GROUP_SCHEMA, OPERATOR_KEY, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type TestApp } from '../support/test-app';

/** Issue 16 item 7: the admin API the console stands on. */
describe('admin API for the console (e2e)', () => {
  let testApp: TestApp;
  const get = (path: string, key: string) => request(testApp.app.getHttpServer()).get(path).set('Authorization', `Bearer ${key}`);

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  it('starts every account with the default Platform groups mapped to the default roles', async () => {
    const account = await testApp.newAccount('Defaults');
    const admin = accountAdmin(testApp, account);
    const roles = (await admin('get', '/roles').expect(200)).body;
    expect(roles).toMatchObject({ totalResults: 2, startIndex: 1, itemsPerPage: 2 });
    expect(roles.items.map((r: { role: string }) => r.role)).toEqual(['administrator', 'user']);
    const groups = (await admin('get', '/groups').expect(200)).body;
    expect(groups.items.map((g: object) => ({ ...g, id: undefined, created: undefined, lastModified: undefined }))).toEqual([
      { displayName: 'Administrators', source: 'Platform', roles: ['administrator'], memberCount: 0 },
      { displayName: 'Users', source: 'Platform', roles: ['user'], memberCount: 0 },
    ]);
    // A member of a default group gets its role through the mapping.
    const users = groups.items.find((g: { displayName: string }) => g.displayName === 'Users').id;
    const ada = (await admin('post', '/users', { userName: 'ada@defaults.test' }).expect(201)).body.id;
    await admin('post', `/groups/${users}/members`, { members: [ada] }).expect(204);
    for (let i = 0; i < 200; i++) {
      const roles = (await admin('get', `/users/${ada}`).expect(200)).body.roles;
      if (roles.length) {
        expect(roles).toEqual([{ role: 'user', effective: true, sources: [expect.objectContaining({ kind: 'group', groupId: users, groupName: 'Users' })] }]);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the Users group never granted its role');
  });

  it('lists accounts for the operator only, paged and searched by a prefix of the name', async () => {
    const first = await testApp.newAccount('Zephyr One');
    await testApp.newAccount('zephyr two');
    await testApp.newAccount('Other (Zephyr)');
    const found = (await testApp.operator('get', '/admin/accounts?search=ZEPHYR&count=1').expect(200)).body;
    expect(found).toMatchObject({ totalResults: 2, startIndex: 1, itemsPerPage: 1, items: [{ accountId: first.accountId, name: 'Zephyr One', scimEnabled: true }] });
    const second = (await testApp.operator('get', '/admin/accounts?search=zephyr&startIndex=2&count=1').expect(200)).body;
    expect(second.items.map((a: { name: string }) => a.name)).toEqual(['zephyr two']);
    // Regular-expression characters are text.
    expect((await testApp.operator('get', '/admin/accounts?search=.*').expect(200)).body.totalResults).toBe(0);
    expectScimError((await testApp.operator('get', '/admin/accounts?count=5000').expect(400)).body, 400);
    const key = (await testApp.operator('post', `/admin/accounts/${first.accountId}/admin-keys`, { label: 'IT' }).expect(201)).body.key;
    await get('/admin/accounts', key).expect(401);
  });

  it('lists admin keys by label, never their secrets, and tells the console who a key belongs to', async () => {
    const account = await testApp.newAccount('Keys');
    const issued = (await testApp.operator('post', `/admin/accounts/${account.accountId}/admin-keys`, { label: 'Acme IT' }).expect(201)).body;
    const listed = (await get(`/admin/accounts/${account.accountId}/admin-keys`, issued.key).expect(200)).body;
    expect(listed).toEqual({ totalResults: 1, startIndex: 1, itemsPerPage: 1, items: [{ keyId: issued.keyId, label: 'Acme IT', issuedAt: expect.any(String), expiresAt: null, status: 'active' }] });
    expect(JSON.stringify(listed)).not.toContain(issued.key.split('.')[2]);

    expect((await get('/admin/session', issued.key).expect(200)).body).toEqual({ role: 'account-admin', accountId: account.accountId, accountName: 'Keys', keyId: issued.keyId, keyLabel: 'Acme IT' });
    expect((await get('/admin/session', OPERATOR_KEY).expect(200)).body).toEqual({ role: 'operator' });
    expectScimError((await get('/admin/session', `${issued.key}x`).expect(401)).body, 401);
    await testApp.operator('delete', `/admin/accounts/${account.accountId}/admin-keys/${issued.keyId}`).expect(204);
    await get('/admin/session', issued.key).expect(401);
    // Another account's key does not open this one.
    const other = await testApp.newAccount('Other keys');
    const otherKey = (await testApp.operator('post', `/admin/accounts/${other.accountId}/admin-keys`, {}).expect(201)).body.key;
    await get(`/admin/accounts/${account.accountId}/admin-keys`, otherKey).expect(401);
  });

  it('speaks one casing for sources and pages groups and members', async () => {
    const account = await testApp.newAccount('Sources');
    const admin = accountAdmin(testApp, account);
    const scim = scimClient(testApp, account);
    const alan = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'alan@sources.test', name: { formatted: 'Alan Turing' }, emails: [{ value: 'alan@bletchley.test' }] }).expect(201)).body.id;
    await admin('post', '/users', { userName: 'grace@sources.test', displayName: 'Grace Hopper' }).expect(201);
    const group = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [{ value: alan }] }).expect(201)).body.id;

    const scimUsers = (await admin('get', '/users?source=SCIM').expect(200)).body;
    expect(scimUsers.items).toEqual([expect.objectContaining({ id: alan, userName: 'alan@sources.test', displayName: 'Alan Turing', source: 'SCIM', emails: ['alan@bletchley.test'] })]);
    expect((await admin('get', '/users?source=Manual').expect(200)).body.items.map((u: { source: string }) => u.source)).toEqual(['Manual']);
    expectScimError((await admin('get', '/users?source=scim').expect(400)).body, 400);
    // One search box: user name, name or email, case-insensitive prefixes.
    for (const search of ['ALAN@', 'alan tu', 'alan@bletch']) {
      expect((await admin('get', `/users?search=${encodeURIComponent(search)}`).expect(200)).body.items.map((u: { id: string }) => u.id)).toEqual([alan]);
    }
    expect((await admin('get', '/users?search=hopper').expect(200)).body.totalResults).toBe(0);

    const groups = (await admin('get', '/groups?source=SCIM').expect(200)).body;
    expect(groups).toMatchObject({ totalResults: 1, items: [{ id: group, displayName: 'Engineering', source: 'SCIM', memberCount: 1 }] });
    expect((await admin('get', '/groups?search=eng').expect(200)).body.items.map((g: { id: string }) => g.id)).toEqual([group]);
    expect((await admin('get', `/groups/${group}`).expect(200)).body).toMatchObject({ id: group, source: 'SCIM', memberCount: 1 });
    expect((await admin('get', `/groups/${group}/members?count=10`).expect(200)).body).toEqual({
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
      items: [{ id: alan, userName: 'alan@sources.test', displayName: 'Alan Turing', source: 'SCIM', status: 'active' }],
    });
    await scim.patch(`/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${alan}"]` }] }).expect(204);
    expect((await admin('get', `/groups/${group}/members`).expect(200)).body.totalResults).toBe(0);
    // A group of another account is not found here.
    const other = await testApp.newAccount('Other sources');
    const foreign = (await scimClient(testApp, other).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Foreign' }).expect(201)).body.id;
    await admin('get', `/groups/${foreign}`).expect(404);
    await admin('get', `/groups/${foreign}/members`).expect(404);
  });

  it('records when a token was last used, and says what is wrong with a doubled "Bearer"', async () => {
    const account = await testApp.newAccount('Usage');
    const admin = accountAdmin(testApp, account);
    expect((await admin('get', '/scim/tokens').expect(200)).body.items[0].lastUsedAt).toBeNull();
    const before = Date.now();
    await scimClient(testApp, account).get('/Users').expect(200);
    const used = (await admin('get', '/scim/tokens').expect(200)).body.items[0].lastUsedAt;
    expect(Date.parse(used)).toBeGreaterThanOrEqual(before - 1000);

    const server = testApp.app.getHttpServer();
    const doubled = await request(server).get(`${account.base}/Users`).set('Authorization', `Bearer Bearer ${account.token}`).expect(401);
    expectScimError(doubled.body, 401);
    expect(doubled.body.detail).toContain('"Bearer" twice');
    const adminDoubled = await request(server).get(`/admin/accounts/${account.accountId}`).set('Authorization', `Bearer Bearer ${OPERATOR_KEY}`).expect(401);
    expect(adminDoubled.body.detail).toContain('"Bearer" twice');
    const supportDoubled = await request(server).get(`/support/accounts/${account.accountId}/activity`).set('Authorization', `Bearer Bearer ${OPERATOR_KEY}`).expect(401);
    expect(supportDoubled.body.detail).toContain('"Bearer" twice');
  });

  it('documents every admin, audit and support route with request and response schemas', async () => {
    const doc = (await request(testApp.app.getHttpServer()).get('/admin/docs-json').expect(200)).body;
    expect(Object.values(doc.components.securitySchemes).map((s) => (s as { bearerFormat?: string }).bearerFormat)).not.toContain('JWT');
    const operations = Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { content?: unknown; description?: string }>; requestBody?: unknown }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    const routes = operations.map((o) => o.route);
    for (const route of [
      'GET /admin/accounts',
      'GET /admin/accounts/{accountId}/admin-keys',
      'GET /admin/session',
      'GET /admin/accounts/{accountId}/groups/{groupId}/members',
      'GET /audit/accounts/{accountId}/events',
      'GET /support/accounts/{accountId}/users/{userId}/explain',
      'GET /support/accounts/{accountId}/activity',
    ]) {
      expect(routes).toContain(route);
    }
    expect(routes.filter((r) => r.includes('/scim/v2') || r.includes('/console'))).toEqual([]);
    for (const { route, op } of operations) {
      const answers = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect([route, answers.length > 0]).toEqual([route, true]);
      // A 204 has no body; every other success says what it holds.
      for (const [status, answer] of answers) if (status !== '204') expect([route, Boolean(answer.content)]).toEqual([route, true]);
      if (route.startsWith('POST') || route.startsWith('PUT')) {
        // Actions without input: the SCIM switch, and a webhook endpoint's secret rotation, test event and redelivery.
        const bodiless = /scim\/(enable|disable)$|\/(rotate-secret|test|redeliver)$/.test(route);
        expect([route, Boolean(op.requestBody)]).toEqual([route, !bodiless]);
      }
    }
  });
});
