import {
  expectScimError,
  GROUP_SCHEMA,
  PATCH_OP,
  scimClient,
  startTestApp,
  USER_SCHEMA,
  type ScimAccount,
  type ScimClient,
  type TestApp,
} from '../support/test-app';

/**
 * Values the fuzz suite (test/fuzz) found answered with a 500, and the resource limits: each is a
 * 400 SCIM error now, and nothing is stored.
 */
describe('hostile values and resource limits (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;
  let userId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('Hostile values');
    scim = scimClient(testApp, account);
    userId = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'limits@example.com', displayName: 'Limits' }).expect(201)).body.id;
  });
  afterAll(() => testApp.close());

  const history = async () => (await testApp.operator('get', `/audit/accounts/${account.accountId}/events?limit=1000`).expect(200)).body.events.length;

  describe('paging values beyond what an integer position can hold', () => {
    it.each([
      ['/audit/accounts/{a}/events?cursor=1e20', 'cursor'],
      ['/audit/accounts/{a}/events.ndjson?cursor=4.1e76', 'cursor'],
      ['/audit/accounts/{a}/users/{u}/events?cursor=99999999999999999999', 'cursor'],
      ['/admin/accounts/{a}/users?startIndex=1e20', 'startIndex'],
      ['/admin/accounts/{a}/users?count=1e400', 'count'],
    ])('%s is 400 naming %s', async (template, name) => {
      const path = template.replace('{a}', account.accountId).replace('{u}', userId);
      const res = await testApp.operator('get', path).expect(400);
      expectScimError(res.body, 400);
      expect(res.body.detail).toContain(name);
    });

    it.each(['startIndex=1e20', 'startIndex=99999999999999999999', 'count=1e400'])('GET /Users and /Groups ?%s is 400', async (query) => {
      expectScimError((await scim.get(`/Users?${query}`).expect(400)).body, 400);
      expectScimError((await scim.get(`/Groups?${query}`).expect(400)).body, 400);
    });

    it('a .search body with an object whose toString is not a function is 400', async () => {
      const res = await scim.post('/Users/.search', { startIndex: { toString: 'x' }, count: { valueOf: 'y' } }).expect(400);
      expectScimError(res.body, 400);
    });
  });

  it('a URL over the HTTP parser\'s 16 KB limit is 431 with a SCIM Error body', async () => {
    const res = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${'x'.repeat(20_000)}"`)}`).expect(431);
    expectScimError(JSON.parse(res.text), 431);
  });

  describe('filters deep or long enough to overflow the parser', () => {
    it.each([
      ['nested parentheses', `${'('.repeat(2_000)}userName pr${')'.repeat(2_000)}`],
      ['nested not', `${'not ('.repeat(2_000)}userName pr${')'.repeat(2_000)}`],
      ['a long or chain', Array.from({ length: 1_000 }, (_, i) => `userName eq "u${i}"`).join(' or ')],
    ])('%s is 400 invalidFilter on .search', async (_, filter) => {
      const res = await scim.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter }).expect(400);
      expectScimError(res.body, 400, 'invalidFilter');
      expect(res.body.detail.length).toBeLessThan(400);
    });

    it('regex metacharacters in a filter value are matched literally', async () => {
      const res = await scim.post('/Users/.search', { filter: 'userName co "(a+)+$" or displayName sw ".*[" or userName ew "\\\\"' }).expect(200);
      expect(res.body.totalResults).toBe(0);
    });
  });

  describe('resource limits (RESOURCE_LIMITS: ~100 users with a 4 MB displayName exhausted the heap)', () => {
    // Over the attribute limit, under the user body cap (the request edge answers 413 above it).
    const halfMegabyte = 'x'.repeat(512 * 1024);

    it('refuses a 512 KB displayName with 400 invalidValue naming the attribute and the limit, storing nothing', async () => {
      const before = await history();
      const res = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'big@example.com', displayName: halfMegabyte }).expect(400);
      expectScimError(res.body, 400, 'invalidValue');
      expect(res.body.detail).toBe(`Attribute "displayName" is ${halfMegabyte.length} characters long; the limit is 4096`);
      const found = await scim.get('/Users?filter=userName%20eq%20%22big%40example.com%22').expect(200);
      expect(found.body.totalResults).toBe(0);
      // Only the refusal is recorded (the activity log), with its detail and name clipped.
      expect(await history()).toBe(before + 1);
    });

    it('refuses a 4 MB displayName as well (the body cap, 413)', async () => {
      const res = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'bigger@example.com', displayName: 'x'.repeat(4 * 1024 * 1024) }).expect(413);
      expectScimError(res.body, 413);
    });

    it('refuses the same value by PUT and PATCH, and a group displayName of 3 MB (under the group body cap), leaving everything as it was', async () => {
      await scim.put(`/Users/${userId}`, { schemas: [USER_SCHEMA], userName: 'limits@example.com', displayName: halfMegabyte }).expect(400);
      const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: halfMegabyte }] };
      expectScimError((await scim.patch(`/Users/${userId}`, patch).expect(400)).body, 400, 'invalidValue');
      const user = await scim.get(`/Users/${userId}`).expect(200);
      expect(user.body.displayName).toBe('Limits');
      expect(user.body.meta.version).toBe('W/"0"');
      const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'g'.repeat(3 * 1024 * 1024) }).expect(400);
      expectScimError(group.body, 400, 'invalidValue');
    });

    it('refuses more than 100 emails', async () => {
      const emails = Array.from({ length: 101 }, (_, i) => ({ value: `e${i}@example.com` }));
      const res = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'many@example.com', emails }).expect(400);
      expect(res.body.detail).toBe('Attribute "emails" has 101 values; the limit is 100');
    });

    it('takes a group with more members than the multi-valued limit', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 101; i++) {
        ids.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `member${i}@example.com` }).expect(201)).body.id);
      }
      const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Big group', members: ids.map((value) => ({ value })) }).expect(201);
      expect(group.body.members).toHaveLength(101);
    });

    it('advertises the limits in /Schemas', async () => {
      const res = await scim.get(`/Schemas/${USER_SCHEMA}`).expect(200);
      const displayName = res.body.attributes.find((a: { name: string }) => a.name === 'displayName');
      expect(displayName.description).toContain('At most 4096 characters.');
    });
  });
});
