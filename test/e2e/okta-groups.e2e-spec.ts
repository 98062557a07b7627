import { GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, expectScimError, type ScimClient, type TestApp } from '../support/test-app';

/** Okta group push (shared/IDP-NOTES.md): import, push, add/remove members, rename, delete on unlink. */
describe('Okta group push sequence (e2e)', () => {
  let testApp: TestApp;
  let scim: ScimClient;
  const users: string[] = [];
  let groupId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    scim = scimClient(testApp, await testApp.newAccount('Okta groups'));
    for (const name of ['ann', 'ben', 'cid']) {
      users.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `${name}@okta.local`, active: true }).expect(201)).body.id);
    }
  });
  afterAll(() => testApp.close());

  const members = async () => ((await scim.get(`/Groups/${groupId}`).expect(200)).body.members ?? []).map((m: { value: string }) => m.value).sort();

  it('import: lists groups with integer paging fields', async () => {
    const res = await scim.get('/Groups?startIndex=1&count=100').expect(200);
    expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('push: creates the group, then adds members with a PATCH', async () => {
    const created = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Test Group', members: [] }, 'application/json').expect(201);
    groupId = created.body.id;
    expect(created.headers.location).toMatch(new RegExp(`/Groups/${groupId}$`));
    expect(created.body).toMatchObject({ schemas: [GROUP_SCHEMA], displayName: 'Test Group', meta: { resourceType: 'Group' } });

    const res = await scim.patch(`/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: users[0], display: 'ann@okta.local' }, { value: users[1], display: 'ben@okta.local' }] }],
    });
    expect([200, 204]).toContain(res.status);
    expect(await members()).toEqual([users[0], users[1]].sort());
  });

  it('one PATCH mixes a filtered remove and an add', async () => {
    await scim
      .patch(`/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'remove', path: `members[value eq "${users[0]}"]` },
          { op: 'add', path: 'members', value: [{ value: users[2] }] },
        ],
      })
      .expect(204);
    expect(await members()).toEqual([users[1], users[2]].sort());
  });

  it('rename carries the read-only id inside value: ignored, not rejected', async () => {
    await scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Renamed Group' } }] }).expect(204);
    const res = await scim.get(`/Groups/${groupId}`).expect(200);
    expect(res.body.displayName).toBe('Renamed Group');
    expect(await members()).toEqual([users[1], users[2]].sort());
  });

  it('finds the group by displayName in any case, and by member', async () => {
    const byName = await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "renamed group"')}`).expect(200);
    expect(byName.body.Resources.map((g: { id: string }) => g.id)).toEqual([groupId]);
    const byMember = await scim.get(`/Groups?filter=${encodeURIComponent(`members[value eq "${users[1]}"]`)}`).expect(200);
    expect(byMember.body.totalResults).toBe(1);
    const notMember = await scim.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${users[0]}"`)}`).expect(200);
    expect(notMember.body.totalResults).toBe(0);
  });

  it('refuses unknown members without storing anything', async () => {
    const res = await scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'nobody' }] }] }).expect(400);
    expectScimError(res.body, 400, 'invalidValue');
    expect(await members()).toEqual([users[1], users[2]].sort());
  });

  it('honours If-Match on groups', async () => {
    const current = await scim.get(`/Groups/${groupId}`).expect(200);
    await scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'X' }] }).set('If-Match', 'W/"0"').expect(412);
    await scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed Group' }] }).set('If-Match', current.headers.etag).expect(204);
  });

  it('replaces the whole member list with PUT', async () => {
    const res = await scim.put(`/Groups/${groupId}`, { schemas: [GROUP_SCHEMA], displayName: 'Renamed Group', members: [{ value: users[0] }] }).expect(200);
    expect(res.body.members.map((m: { value: string }) => m.value)).toEqual([users[0]]);
    expect(await members()).toEqual([users[0]]);
  });

  it('delete on unlink: 204, then 404', async () => {
    await scim.delete(`/Groups/${groupId}`).expect(204);
    expectScimError((await scim.get(`/Groups/${groupId}`).expect(404)).body, 404);
    expect((await scim.get('/Groups').expect(200)).body.totalResults).toBe(0);
  });
});
