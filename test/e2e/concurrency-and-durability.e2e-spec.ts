import { EventStore } from '@scim/event-store';
import { PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

describe('concurrency and durability (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount();
  });
  afterAll(() => testApp.close());

  it('100 concurrent creates of one userName: exactly one 201, 409 uniqueness for the rest, one user stored', async () => {
    const scim = scimClient(testApp, account);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        scim.post('/Users', { schemas: [USER_SCHEMA], userName: i % 2 ? 'race@example.com' : 'RACE@example.com', externalId: `e${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    for (const res of responses.filter((r) => r.status === 409)) expect(res.body.scimType).toBe('uniqueness');

    const listed = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "race@example.com"')}`).expect(200);
    expect(listed.body.totalResults).toBe(1);

    // Nothing half-written: exactly one user stream was ever started for the name.
    const store = testApp.app.get(EventStore);
    let provisioned = 0;
    for await (const batch of store.readAll({ streamPrefixes: ['user-'] })) {
      provisioned += batch.filter((e) => e.type === 'UserProvisioned' && (e.data.profile as { userName: string }).userName.toLowerCase() === 'race@example.com').length;
    }
    expect(provisioned).toBe(1);
    const reservation = await store.readStream('username-race@example.com');
    expect(reservation.map((e) => e.type)).toEqual(['UserNameReserved']);
  });

  it('concurrent PATCHes without If-Match are all applied (no lost update)', async () => {
    const scim = scimClient(testApp, account);
    const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'patched@example.com' }).expect(201);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        scim.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value: `m${i}@example.com`, type: `t${i}` }] }] }),
      ),
    );
    expect(responses.map((r) => r.status).every((s) => s === 200 || s === 409)).toBe(true);
    const applied = responses.filter((r) => r.status === 200).length;
    const final = await scim.get(`/Users/${created.body.id}`).expect(200);
    expect(final.body.emails).toHaveLength(applied);
    expect(final.headers.etag).toBe(`W/"${applied}"`);
  });

  it('keeps everything across a restart on the same data folder', async () => {
    const scim = scimClient(testApp, account);
    const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'durable@example.com', title: 'Kept' }).expect(201);
    await testApp.close(false);
    testApp = await (await import('../support/test-app')).startTestApp(testApp.dataDir);
    const again = scimClient(testApp, account);
    const res = await again.get(`/Users/${created.body.id}`).expect(200);
    expect(res.body.title).toBe('Kept');
    await again.post('/Users', { schemas: [USER_SCHEMA], userName: 'Durable@example.com' }).expect(409);
  });
});
