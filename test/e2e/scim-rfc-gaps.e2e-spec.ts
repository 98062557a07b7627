import { GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';

/** RFC 7643/7644 points a conformance checker probes beyond what Okta and Entra send (issue 18). */
describe('SCIM RFC points (e2e)', () => {
  let testApp: TestApp;
  let scim: ScimClient;
  let account: ScimAccount;
  const users: string[] = [];

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('RFC points');
    scim = scimClient(testApp, account);
    for (const [userName, displayName] of [['ann@rfc.test', 'Ann Lee'], ['ben@rfc.test', undefined]]) {
      users.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName, ...(displayName ? { displayName } : {}) }).expect(201)).body.id);
    }
  });
  afterAll(() => testApp.close());

  describe('PATCH with attributes= (RFC 7644 §3.5.2: 200 with the resource)', () => {
    it('on a group: 200 with the members as selected, and the ETag of that representation', async () => {
      const groupId = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Selected' }).expect(201)).body.id;
      const res = await scim
        .patch(`/Groups/${groupId}?attributes=members`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: users[0] }] }] })
        .expect(200);
      expect(res.body).toEqual({
        schemas: [GROUP_SCHEMA],
        id: groupId,
        members: [{ value: users[0], $ref: `https://scim.test${account.base}/Users/${users[0]}`, type: 'User', display: 'Ann Lee' }],
      });
      const read = await scim.get(`/Groups/${groupId}`).expect(200);
      expect(res.headers.etag).toBe(read.headers.etag);
    });

    it('on a group with excludedAttributes: 200 without them; without a selection still 204', async () => {
      const groupId = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Excluded' }).expect(201)).body.id;
      const renamed = await scim
        .patch(`/Groups/${groupId}?excludedAttributes=members`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Excluded 2' }] })
        .expect(200);
      expect(renamed.body).toMatchObject({ id: groupId, displayName: 'Excluded 2', meta: { resourceType: 'Group' } });
      expect(renamed.body).not.toHaveProperty('members');
      await scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Excluded 3' }] }).expect(204);
    });

    it('a refused group PATCH with attributes= is still the error, and changes nothing', async () => {
      const groupId = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Refused' }).expect(201)).body.id;
      const before = await scim.get(`/Groups/${groupId}`).expect(200);
      await scim.patch(`/Groups/${groupId}?attributes=members`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }] }).expect(400);
      expect((await scim.get(`/Groups/${groupId}`).expect(200)).headers.etag).toBe(before.headers.etag);
    });

    it('on a user: 200 with the attributes as selected', async () => {
      const res = await scim.patch(`/Users/${users[1]}?attributes=title`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'Tester' }] }).expect(200);
      expect(res.body).toEqual({ schemas: [USER_SCHEMA], id: users[1], title: 'Tester' });
    });
  });

  describe('group members.display: readOnly, the member\'s current name', () => {
    it('/Schemas declares it readOnly; a sent display is not stored; a rename shows on the next read', async () => {
      const schema = await scim.get(`/Schemas/${GROUP_SCHEMA}`).expect(200);
      const members = schema.body.attributes.find((a: { name: string }) => a.name === 'members');
      expect(members.subAttributes.find((a: { name: string }) => a.name === 'display')).toMatchObject({ mutability: 'readOnly', returned: 'default' });

      const created = await scim
        .post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Display', members: [{ value: users[0], display: 'Sent Name' }, { value: users[1] }] })
        .expect(201);
      const displays = (body: { members: { value: string; display?: string }[] }) => new Map(body.members.map((m) => [m.value, m.display]));
      expect(displays(created.body)).toEqual(new Map([[users[0], 'Ann Lee'], [users[1], 'ben@rfc.test']]));

      await scim.patch(`/Users/${users[0]}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Ann Renamed' }] }).expect(200);
      const read = await scim.get(`/Groups/${created.body.id}`).expect(200);
      expect(displays(read.body).get(users[0])).toBe('Ann Renamed');
      await scim.patch(`/Users/${users[0]}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Ann Lee' }] }).expect(200);
    });

    it('a member of only a display is refused, not dropped', async () => {
      await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'No value', members: [{ display: 'Ann Lee' }] }).expect(400);
      await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "No value"')}`).expect(200).expect((res) => expect(res.body.totalResults).toBe(0));
    });
  });

  describe('remove active (RFC 7644 §3.5.2.2: unassigned, treated as inactive)', () => {
    it('deactivates the user, who reads back as active false, as /Schemas says', async () => {
      const userId = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'removed-active@rfc.test', active: true }).expect(201)).body.id;
      const res = await scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'active' }] }).expect(200);
      expect(res.body.active).toBe(false);
      expect((await scim.get(`/Users/${userId}`).expect(200)).body.active).toBe(false);
      const filtered = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "removed-active@rfc.test" and active eq false')}`).expect(200);
      expect(filtered.body.totalResults).toBe(1);

      const schema = await scim.get(`/Schemas/${USER_SCHEMA}`).expect(200);
      const active = schema.body.attributes.find((a: { name: string }) => a.name === 'active');
      expect(active).toMatchObject({ type: 'boolean', mutability: 'readWrite', required: false });
      expect(active.description).toMatch(/treats as false/);
    });
  });
});
