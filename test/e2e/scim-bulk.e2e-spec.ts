import { ReadStore } from '@scim/read-models';
import { EventStore } from '@scim/event-store';
import { GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, expectScimError, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** POST /Bulk (RFC 7644 §3.7) through the single routes' commands. */
describe('SCIM Bulk (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;
  const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) => scim.post('/Bulk', { schemas: [BULK_REQUEST], Operations, ...extra });
  const location = (path: string) => `https://scim.test${account.base}${path}`;

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('Bulk');
    scim = scimClient(testApp, account);
  });
  afterAll(() => testApp.close());

  it('creates users and a group whose members are those users, by bulkId (a forward reference too)', async () => {
    const res = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'Bulk team', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] } },
      { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER_SCHEMA], userName: 'bulk1@acme.test' } },
      { method: 'POST', path: '/Users', bulkId: 'u2', data: { schemas: [USER_SCHEMA], userName: 'bulk2@acme.test', displayName: 'Bulk Two' } },
    ]).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body.schemas).toEqual([BULK_RESPONSE]);
    const [group, u1, u2] = res.body.Operations as { location: string; status: string; bulkId: string; version: string; method: string }[];
    for (const op of [group, u1, u2]) expect(op).toMatchObject({ method: 'POST', status: '201', version: expect.stringMatching(/^W\/"\d+"$/) });
    expect([group.bulkId, u1.bulkId, u2.bulkId]).toEqual(['g', 'u1', 'u2']);
    const id = (op: { location: string }) => op.location.slice(op.location.lastIndexOf('/') + 1);
    expect(u1.location).toBe(location(`/Users/${id(u1)}`));
    const read = await scim.get(`/Groups/${id(group)}`).expect(200);
    expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual([id(u1), id(u2)].sort());
    expect(read.headers.etag).toBe(group.version);
    // The users' groups show the membership made in the same request.
    expect((await scim.get(`/Users/${id(u2)}`).expect(200)).body.groups).toEqual([expect.objectContaining({ value: id(group), display: 'Bulk team' })]);
  });

  it('runs PUT, PATCH and DELETE with version checks; a bulkId path refers to a resource made in the request', async () => {
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'p', data: { schemas: [USER_SCHEMA], userName: 'bulk-patch@acme.test' } },
      { method: 'PATCH', path: '/Users/bulkId:p', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
      { method: 'PUT', path: '/Users/bulkId:p', version: 'W/"0"', data: { schemas: [USER_SCHEMA], userName: 'bulk-patch@acme.test' } },
      { method: 'DELETE', path: '/Users/bulkId:p' },
    ]).expect(200);
    const statuses = (res.body.Operations as { status: string }[]).map((op) => op.status);
    expect(statuses).toEqual(['201', '200', '412', '204']);
    const userId = res.body.Operations[0].location.split('/').pop();
    await scim.get(`/Users/${userId}`).expect(404);
  });

  it('reports each failed operation with a SCIM error and records it like a refused request', async () => {
    await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'taken@acme.test' }).expect(201);
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [USER_SCHEMA], userName: 'taken@acme.test' } },
      { method: 'POST', path: '/Groups', bulkId: 'needs-dup', data: { schemas: [GROUP_SCHEMA], displayName: 'Needs dup', members: [{ value: 'bulkId:dup' }] } },
      { method: 'PATCH', path: '/Groups/no-such-group', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] } },
      { method: 'POST', path: '/Users', bulkId: 'ok', data: { schemas: [USER_SCHEMA], userName: 'fine@acme.test' } },
    ]).expect(200);
    const ops = res.body.Operations as { status: string; response?: Record<string, unknown> }[];
    expect(ops.map((op) => op.status)).toEqual(['409', '409', '404', '201']);
    expectScimError(ops[0].response as Record<string, unknown>, 409, 'uniqueness');
    expect(ops[1].response?.detail).toMatch(/bulkId "dup"/);
    expectScimError(ops[2].response as Record<string, unknown>, 404);
    const history = await testApp.app.get(EventStore).readStream(`provisioning-${account.accountId}`);
    const refusals = history.filter((e) => e.data.reason === 'request-refused').map((e) => (e.data.refusal as { status: number; method: string }).status);
    expect(refusals).toEqual(expect.arrayContaining([409, 404]));
    expect((await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "Needs dup"')}`).expect(200)).body.totalResults).toBe(0);
  });

  it('stops after failOnErrors errors: the operations after it are neither run nor listed', async () => {
    const res = await bulk(
      [
        { method: 'DELETE', path: '/Users/missing-1' },
        { method: 'DELETE', path: '/Users/missing-2' },
        { method: 'POST', path: '/Users', bulkId: 'late', data: { schemas: [USER_SCHEMA], userName: 'never@acme.test' } },
      ],
      { failOnErrors: 2 },
    ).expect(200);
    expect(res.body.Operations.map((op: { status: string }) => op.status)).toEqual(['404', '404']);
    expect((await scim.get(`/Users?filter=${encodeURIComponent('userName eq "never@acme.test"')}`).expect(200)).body.totalResults).toBe(0);
  });

  it('circular references are 409s and create nothing', async () => {
    const res = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP_SCHEMA], displayName: 'Circle A', members: [{ value: 'bulkId:b' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP_SCHEMA], displayName: 'Circle B', members: [{ value: 'bulkId:a' }] } },
    ]).expect(200);
    expect(res.body.Operations.map((op: { status: string; bulkId: string }) => [op.bulkId, op.status])).toEqual([['a', '409'], ['b', '409']]);
    expect((await scim.get(`/Groups?filter=${encodeURIComponent('displayName sw "Circle"')}`).expect(200)).body.totalResults).toBe(0);
  });

  it('refuses more operations than maxOperations with 413, and malformed requests with 400, running nothing', async () => {
    const readStore = testApp.app.get(ReadStore);
    const usersBefore = await readStore.count('users', { accountId: account.accountId });
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: { schemas: [USER_SCHEMA], userName: `many${i}@acme.test` } }));
    expectScimError((await bulk(tooMany).expect(413)).body, 413);
    for (const body of [
      { Operations: [{ method: 'DELETE', path: '/Users/x' }] },
      { schemas: [BULK_REQUEST], Operations: [] },
      { schemas: [BULK_REQUEST], Operations: [{ method: 'GET', path: '/Users' }] },
      { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', data: { userName: 'no-bulk-id@acme.test' } }] },
      { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users/123', bulkId: 'x', data: {} }] },
      { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Accounts', bulkId: 'x', data: {} }] },
      { schemas: [BULK_REQUEST], Operations: [{ method: 'PUT', path: '/Users/1' }] },
      { schemas: [BULK_REQUEST], failOnErrors: 0, Operations: [{ method: 'DELETE', path: '/Users/1' }] },
      { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: '/Users/1', bulkId: 'x' }, { method: 'DELETE', path: '/Users/2', bulkId: 'x' }] },
      [],
    ]) {
      expectScimError((await scim.post('/Bulk', body).expect(400)).body, 400);
    }
    expect(await readStore.count('users', { accountId: account.accountId })).toBe(usersBefore);
  });

  it('needs the account token, and acts on that account only', async () => {
    await testApp.http().post(`${account.base}/Bulk`).set('Content-Type', 'application/scim+json').send('{}').expect(401);
    const other = await testApp.newAccount('Other');
    const mine = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'mine@acme.test' }).expect(201)).body.id;
    const res = await scimClient(testApp, other)
      .post('/Bulk', { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: `/Users/${mine}` }] })
      .expect(200);
    expect(res.body.Operations[0].status).toBe('404');
    await scim.get(`/Users/${mine}`).expect(200);
  });
});
