import { GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimClient, type TestApp } from '../support/test-app';

/** Microsoft Entra ID group provisioning (shared/IDP-NOTES.md). */
describe('Microsoft Entra ID group sequence (e2e)', () => {
  let testApp: TestApp;
  let scim: ScimClient;
  const users: string[] = [];
  let groupId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    scim = scimClient(testApp, await testApp.newAccount('Entra groups'));
    for (let i = 0; i < 4; i++) users.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `u${i}@contoso.com` }).expect(201)).body.id);
  });
  afterAll(() => testApp.close());

  const members = async () =>
    ((await scim.get(`/Groups/${groupId}`).expect(200)).body.members ?? []).map((m: { value: string }) => m.value).sort();

  it('creates a group with an extra Microsoft schema URN and no members', async () => {
    const res = await scim
      .post('/Groups', {
        schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      })
      .expect(201);
    groupId = res.body.id;
    expect(res.body.members).toBeUndefined();
  });

  it('reads groups with excludedAttributes=members and finds them by displayName and externalId', async () => {
    const res = await scim.get(`/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22`).expect(200);
    expect(res.body.Resources).toHaveLength(1);
    expect(res.body.Resources[0].members).toBeUndefined();
    const byExternalId = await scim.get(`/Groups?filter=externalId+eq+%228aa1a0c0-c4c3-4bc0-b4a5-2ef676900159%22`).expect(200);
    expect(byExternalId.body.totalResults).toBe(1);
    const one = await scim.get(`/Groups/${groupId}?excludedAttributes=members`).expect(200);
    expect(one.body.members).toBeUndefined();
  });

  it('adds members in a batch with a capitalised op, answering 204', async () => {
    await scim
      .patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: users.map((value) => ({ value })) }] })
      .expect(204);
    expect(await members()).toEqual([...users].sort());
  });

  it('removes only the listed members for Remove on path members with a value list', async () => {
    await scim
      .patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: users[0] }, { value: users[1] }] }] })
      .expect(204);
    expect(await members()).toEqual([users[2], users[3]].sort());
  });

  it('removes with a members[value eq] path (aadOptscim062020)', async () => {
    await scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: `members[value eq "${users[2]}"]` }] }).expect(204);
    expect(await members()).toEqual([users[3]]);
  });

  it('checks membership with a combined filter', async () => {
    const yes = await scim.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${groupId}" and members[value eq "${users[3]}"]`)}`).expect(200);
    expect(yes.body.totalResults).toBe(1);
    const no = await scim.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${groupId}" and members[value eq "${users[0]}"]`)}`).expect(200);
    expect(no.body.totalResults).toBe(0);
  });

  it('renames with Replace on displayName', async () => {
    await scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }] }).expect(204);
    expect((await scim.get(`/Groups/${groupId}`).expect(200)).body.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
  });

  it('50 concurrent membership PATCHes on one group lose no member', async () => {
    const added: string[] = [];
    for (let i = 0; i < 50; i++) added.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `burst${i}@contoso.com` }).expect(201)).body.id);
    const responses = await Promise.all(
      added.map((value) => scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value }] }] })),
    );
    expect(responses.map((r) => r.status)).toEqual(added.map(() => 204));
    expect(await members()).toEqual([users[3], ...added].sort());
  });
});
