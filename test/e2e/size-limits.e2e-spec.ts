import { MAX_APPEND_BYTES } from '@scim/event-store';
import { expectScimError, scimClient, startTestApp, USER_SCHEMA, type ScimClient, type TestApp } from '../support/test-app';

/**
 * The embedded store refuses what EventStoreDB would refuse (1 MiB per append): a resource too
 * large for one write is a clean 413 in both modes, and the refused request leaves nothing behind.
 */
describe('writes over the event store append limit (e2e)', () => {
  let testApp: TestApp;
  let scim: ScimClient;
  const oversized = 'x'.repeat(MAX_APPEND_BYTES + 1_000);

  beforeAll(async () => {
    testApp = await startTestApp();
    scim = scimClient(testApp, await testApp.newAccount('Limits'));
  });
  afterAll(() => testApp.close());

  it('answers 413 to a user too large for one append, and holds no userName for it', async () => {
    const refused = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'big@acme.com', displayName: oversized }).expect(413);

    expectScimError(refused.body, 413);
    const search = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "big@acme.com"')}`).expect(200);
    expect(search.body.totalResults).toBe(0);
    // The name was never reserved: the same user, smaller, is created at once.
    await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'big@acme.com', displayName: 'Big' }).expect(201);
  });

  it('answers 413 to a replacement too large for one append, leaving the user as it was', async () => {
    const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'grows@acme.com', displayName: 'Small' }).expect(201);

    const refused = await scim.put(`/Users/${created.body.id}`, { schemas: [USER_SCHEMA], userName: 'grows@acme.com', displayName: oversized }).expect(413);

    expectScimError(refused.body, 413);
    const read = await scim.get(`/Users/${created.body.id}`).expect(200);
    expect(read.body.displayName).toBe('Small');
    expect(read.body.meta.version).toBe(created.body.meta.version);
  });
});
