import { EventStore } from '@scim/event-store';
import { GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';

interface ActivityRequest {
  correlationId: string;
  tokenIds: string[];
  items: { outcome: string; resourceType: string; resourceId: string | null; name: string | null; detail: string }[];
}

/**
 * "Why are my groups not appearing?": every SCIM write refused with a 4xx is in the account's
 * provisioning activity, with the answer the IdP got.
 */
describe('refused IdP requests in the activity log (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;

  const activity = async (): Promise<Map<string, ActivityRequest>> => {
    const { body } = await testApp.operator('get', `/support/accounts/${account.accountId}/activity?limit=500`).expect(200);
    return new Map(body.requests.map((request: ActivityRequest) => [request.correlationId, request]));
  };

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('Refusals');
    scim = scimClient(testApp, account);
  });
  afterAll(() => testApp.close());

  it('records a group push with an unknown member, with the answer and the token', async () => {
    const push = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales', members: [{ value: 'not-a-user' }] }).expect(400);

    const request = (await activity()).get(push.headers['x-request-id']);
    expect(request).toMatchObject({
      tokenIds: [account.tokenId],
      items: [{ outcome: 'rejected', resourceType: 'Group', resourceId: null, name: 'Sales', detail: 'POST answered 400 invalidValue: Unknown member (1): not-a-user' }],
    });
  });

  it('records writes to a resource that does not exist, and invalid values', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const patch = await scim.patch(`/Users/${missing}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }).expect(404);
    const invalid = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: '' }).expect(400);

    const log = await activity();
    expect(log.get(patch.headers['x-request-id'])?.items).toEqual([expect.objectContaining({ outcome: 'rejected', resourceType: 'User', resourceId: missing, detail: expect.stringMatching(/^PATCH answered 404/) })]);
    expect(log.get(invalid.headers['x-request-id'])?.items).toEqual([expect.objectContaining({ outcome: 'rejected', detail: expect.stringMatching(/^POST answered 400 invalidValue/) })]);
  });

  it('records a duplicate userName once, and leaves reads, searches and unauthenticated calls out', async () => {
    await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'dup@acme.com' }).expect(201);
    const duplicate = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'DUP@acme.com' }).expect(409);
    const badFilter = await scim.get(`/Users?filter=${encodeURIComponent('userName eq')}`).expect(400);
    const badSearch = await scim.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq' }).expect(400);
    const stranger = await scimClient(testApp, { ...account, token: 'scim.wrong.token' }).post('/Users', { schemas: [USER_SCHEMA], userName: 'x@acme.com' }).expect(401);

    const log = await activity();
    expect(log.get(duplicate.headers['x-request-id'])?.items).toEqual([expect.objectContaining({ outcome: 'rejected', name: null, detail: expect.stringMatching(/^POST answered 409 uniqueness/) })]);
    for (const unrecorded of [badFilter, badSearch, stranger]) expect(log.has(unrecorded.headers['x-request-id'])).toBe(false);
  });

  it('keeps no value the IdP sent in what it records, while the IdP gets its detail in full (docs/PRIVACY.md)', async () => {
    const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'kept.private@acme.com', emails: [{ value: 'private.mail@acme.com', type: 'work' }] }).expect(201);
    const noTarget = await scim
      .patch(`/Users/${user.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[value eq "secret.mail@acme.com"].type', value: 'home' }] })
      .expect(400);
    expect(noTarget.body.detail).toContain('secret.mail@acme.com');
    const renamed = await scim.put(`/Users/${user.body.id}`, { schemas: [USER_SCHEMA], userName: 'dup@acme.com' }).expect(409);

    const recorded = await testApp.app.get(EventStore).readStream(`provisioning-${account.accountId}`);
    const stored = JSON.stringify(recorded.map((e) => [e.data, e.metadata]));
    for (const value of ['secret.mail', 'kept.private', 'dup@acme', 'DUP@acme']) expect(stored).not.toContain(value);
    const log = await activity();
    expect(log.get(noTarget.headers['x-request-id'])?.items).toEqual([
      expect.objectContaining({ resourceType: 'User', resourceId: user.body.id, detail: 'PATCH answered 400 noTarget: Path "emails[…].type" matches no value of "emails"' }),
    ]);
    expect(log.get(renamed.headers['x-request-id'])?.items).toEqual([expect.objectContaining({ resourceId: user.body.id, detail: expect.stringMatching(/^PUT answered 409 uniqueness/) })]);
  });
});
