import { expectScimError, LIST_RESPONSE, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimClient, type TestApp } from '../support/test-app';

/** Okta's documented SCIM 2.0 sequence (shared/IDP-NOTES.md, Okta's SCIM 2.0 spec test). */
describe('Okta provisioning sequence (e2e)', () => {
  let testApp: TestApp;
  let scim: ScimClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    scim = scimClient(testApp, await testApp.newAccount('Okta customer'));
  });
  afterAll(() => testApp.close());

  const oktaCreateBody = {
    schemas: [USER_SCHEMA],
    userName: 'test.user@okta.local',
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: '1mz050nq',
    active: true,
  };
  let userId: string;

  it('Test API Credentials: lists users with integer paging fields', async () => {
    const res = await scim.get('/Users?startIndex=1&count=2').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('existence check: an absent userName is a 200 with an empty list', async () => {
    const res = await scim.get('/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100').expect(200);
    expect(res.body.totalResults).toBe(0);
    expect(res.body.Resources).toEqual([]);
  });

  it('creates the user from a body sent as application/json, never echoing the password', async () => {
    const res = await scim.post('/Users', oktaCreateBody, 'application/json').expect(201);
    userId = res.body.id;
    expect(userId).toEqual(expect.any(String));
    expect(res.headers.location).toMatch(new RegExp(`/Users/${userId}$`));
    expect(res.headers.etag).toBe('W/"0"');
    expect(res.body).toMatchObject({
      schemas: [USER_SCHEMA],
      id: userId,
      externalId: '00ujl29u0le5T6Aj10h7',
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      active: true,
      meta: { resourceType: 'User', version: 'W/"0"' },
    });
    expect(res.body.password).toBeUndefined();
    expect(res.body.meta.location).toBe(res.headers.location);
  });

  it('finds the user it just created, by userName in any case (read-your-writes)', async () => {
    const res = await scim.get('/Users?filter=userName%20eq%20%22TEST.USER%40okta.local%22&startIndex=1&count=100').expect(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(userId);
  });

  it('a second create of the same userName is 409 uniqueness', async () => {
    const res = await scim.post('/Users', { ...oktaCreateBody, userName: 'Test.User@OKTA.local' }).expect(409);
    expectScimError(res.body, 409, 'uniqueness');
  });

  it('profile update: GET, then a full PUT carrying id, meta and groups', async () => {
    const current = await scim.get(`/Users/${userId}`).expect(200);
    const res = await scim
      .put(`/Users/${userId}`, { ...current.body, name: { givenName: 'Another', familyName: 'User' }, groups: [], password: 'x' })
      .expect(200);
    expect(res.body.name).toEqual({ givenName: 'Another', familyName: 'User' });
    expect(res.body.meta.version).toBe('W/"1"');
    const again = await scim.get(`/Users/${userId}`).expect(200);
    expect(again.body.name.givenName).toBe('Another');
    expect(again.headers.etag).toBe('W/"1"');
  });

  it('deactivates and reactivates with a path-less replace', async () => {
    const off = await scim
      .patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] })
      .expect(200);
    expect(off.body.active).toBe(false);
    expect((await scim.get(`/Users/${userId}`).expect(200)).body.active).toBe(false);

    const on = await scim
      .patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] })
      .expect(200);
    expect(on.body.active).toBe(true);
  });

  it('deactivates through PUT for integrations that use PUT for everything', async () => {
    const current = await scim.get(`/Users/${userId}`).expect(200);
    const res = await scim.put(`/Users/${userId}`, { ...current.body, active: false }).expect(200);
    expect(res.body.active).toBe(false);
  });

  it('an unknown id is a 404 with a SCIM error body and a detail', async () => {
    const res = await scim.get('/Users/00919288221112222').expect(404);
    expectScimError(res.body, 404);
  });

  it('a missing token is a 401 with a SCIM error body and a detail', async () => {
    const res = await testApp.http().get(`/scim/v2/whatever/Users`).expect(401);
    expectScimError(res.body, 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('imports page with count=100 in a stable order without duplicates', async () => {
    for (let i = 0; i < 25; i++) {
      await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `import-${i}@okta.local`, active: true }).expect(201);
    }
    const seen: string[] = [];
    for (let startIndex = 1; ; startIndex += 10) {
      const page = await scim.get(`/Users?startIndex=${startIndex}&count=10`).expect(200);
      expect(page.body.totalResults).toBe(26);
      expect(page.body.startIndex).toBe(startIndex);
      seen.push(...page.body.Resources.map((r: { id: string }) => r.id));
      if (page.body.Resources.length < 10) break;
    }
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    const again = await scim.get('/Users?startIndex=1&count=100').expect(200);
    expect(again.body.Resources.map((r: { id: string }) => r.id)).toEqual(seen);
  });
});
