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

      // Display names are read only when the selection shows them.
      for (const query of ['attributes=members.value', 'excludedAttributes=members.display']) {
        const selected = await scim.get(`/Groups/${created.body.id}?${query}`).expect(200);
        expect(selected.body.members.map((m: object) => Object.keys(m))).toEqual([expect.not.arrayContaining(['display']), expect.not.arrayContaining(['display'])]);
        expect(selected.body.members.map((m: { value: string }) => m.value).sort()).toEqual([...users].sort());
      }
      const displayOnly = await scim.get(`/Groups/${created.body.id}?attributes=members.display`).expect(200);
      expect(displayOnly.body.members.map((m: { display: string }) => m.display).sort()).toEqual(['Ann Lee', 'ben@rfc.test']);
    });

    it('a member of only a display is refused, not dropped', async () => {
      await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'No value', members: [{ display: 'Ann Lee' }] }).expect(400);
      await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "No value"')}`).expect(200).expect((res) => expect(res.body.totalResults).toBe(0));
    });
  });

  describe('groups on users (RFC 7643 §4.1.2): readOnly, from SCIM memberships', () => {
    let eng: string;
    const inGroups: string[] = [];
    let ops: string;
    const groupsOf = (body: { groups?: { value: string; display: string; type: string; $ref: string }[] }) => body.groups ?? [];
    const ref = (groupId: string) => `https://scim.test${account.base}/Groups/${groupId}`;
    const byUserName = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

    beforeAll(async () => {
      for (const userName of ['cat@rfc.test', 'dan@rfc.test']) inGroups.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName }).expect(201)).body.id);
      eng = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [{ value: inGroups[0] }, { value: inGroups[1] }] }).expect(201)).body.id;
      ops = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ops', members: [{ value: inGroups[0] }] }).expect(201)).body.id;
      // A Platform group is the product's, not the IdP's: never in SCIM's groups.
      const platform = (await testApp.operator('post', `/admin/accounts/${account.accountId}/groups`, { displayName: 'Everyone' }).expect(201)).body.id;
      await testApp.operator('post', `/admin/accounts/${account.accountId}/groups/${platform}/members`, { members: [inGroups[0]] }).expect(204);
    });

    it('GET, lists and .search return the SCIM groups, each with value, $ref, display and type direct', async () => {
      const expected = [
        { value: eng, $ref: ref(eng), display: 'Engineering', type: 'direct' },
        { value: ops, $ref: ref(ops), display: 'Ops', type: 'direct' },
      ];
      expect(groupsOf((await scim.get(`/Users/${inGroups[0]}`).expect(200)).body)).toEqual(expected);
      const listed = (await scim.get(byUserName('cat@rfc.test')).expect(200)).body.Resources[0];
      expect(groupsOf(listed)).toEqual(expected);
      const page = (await scim.get('/Users?count=10').expect(200)).body.Resources as { id: string }[];
      expect(groupsOf(page.find((u) => u.id === inGroups[1]) as object)).toEqual([expected[0]]);
      const searched = await scim.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "cat@rfc.test"', attributes: ['groups'] }).expect(200);
      expect(searched.body.Resources[0]).toEqual({ schemas: [USER_SCHEMA], id: inGroups[0], groups: expected });
    });

    it('attributes and excludedAttributes select them', async () => {
      expect((await scim.get(`/Users/${inGroups[0]}?attributes=groups.display`).expect(200)).body).toEqual({
        schemas: [USER_SCHEMA],
        id: inGroups[0],
        groups: [{ display: 'Engineering' }, { display: 'Ops' }],
      });
      const excluded = await scim.get(`/Users/${inGroups[0]}?excludedAttributes=groups`).expect(200);
      expect(excluded.body).not.toHaveProperty('groups');
      expect(excluded.body.userName).toBe('cat@rfc.test');
    });

    it('filters with groups.value eq and groups[value eq], also combined; another id matches nobody', async () => {
      const ids = async (filter: string) => ((await scim.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(200)).body.Resources as { id: string }[]).map((u) => u.id).sort();
      expect(await ids(`groups.value eq "${eng}"`)).toEqual([...inGroups].sort());
      expect(await ids(`groups[value eq "${ops}"]`)).toEqual([inGroups[0]]);
      expect(await ids(`groups.value eq "${eng}" and not (groups.value eq "${ops}")`)).toEqual([inGroups[1]]);
      expect(await ids(`groups.value eq "${eng}" and userName eq "dan@rfc.test"`)).toEqual([inGroups[1]]);
      expect(await ids('groups.value eq "no-such-group"')).toEqual([]);
      const refused = await scim.get(`/Users?filter=${encodeURIComponent('groups.display eq "Ops"')}`).expect(400);
      expect(refused.body).toMatchObject({ scimType: 'invalidFilter' });
    });

    it('another account filtering on this account\'s group finds nobody', async () => {
      const other = scimClient(testApp, await testApp.newAccount('Other'));
      await other.post('/Users', { schemas: [USER_SCHEMA], userName: 'ann@other.test' }).expect(201);
      expect((await other.get(`/Users?filter=${encodeURIComponent(`groups.value eq "${eng}"`)}`).expect(200)).body.totalResults).toBe(0);
    });

    it('membership changes and renames show in the next read (read-your-writes), and in PATCH/PUT responses', async () => {
      await scim.patch(`/Groups/${ops}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${inGroups[0]}"]` }] }).expect(204);
      expect(groupsOf((await scim.get(`/Users/${inGroups[0]}`).expect(200)).body).map((g) => g.value)).toEqual([eng]);
      await scim.patch(`/Groups/${eng}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Engineering 2' }] }).expect(204);
      expect(groupsOf((await scim.get(byUserName('dan@rfc.test')).expect(200)).body.Resources[0]).map((g) => g.display)).toEqual(['Engineering 2']);

      const patched = await scim.patch(`/Users/${inGroups[1]}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Dev' }] }).expect(200);
      expect(groupsOf(patched.body).map((g) => g.value)).toEqual([eng]);
      // groups is readOnly: a PUT's groups are ignored, the memberships stay.
      const put = await scim.put(`/Users/${inGroups[1]}`, { schemas: [USER_SCHEMA], userName: 'dan@rfc.test', groups: [{ value: ops }] }).expect(200);
      expect(groupsOf(put.body).map((g) => g.value)).toEqual([eng]);
      await scim.patch(`/Groups/${ops}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: inGroups[1] }] }] }).expect(204);
      expect(groupsOf((await scim.get(`/Users/${inGroups[1]}`).expect(200)).body).map((g) => g.value)).toEqual([eng, ops]);
      await scim.delete(`/Groups/${ops}`).expect(204);
      expect(groupsOf((await scim.get(`/Users/${inGroups[1]}`).expect(200)).body).map((g) => g.value)).toEqual([eng]);
    });
  });

  describe('POST {base}/.search across Users and Groups (RFC 7644 §3.4.3)', () => {
    const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
    let other: ScimClient;
    let everything: { id: string; meta: { resourceType: string } }[];

    beforeAll(async () => {
      other = scimClient(testApp, await testApp.newAccount('Root search'));
      for (const userName of ['r1@root.test', 'r2@root.test', 'r3@root.test']) await other.post('/Users', { schemas: [USER_SCHEMA], userName, displayName: `Root ${userName}` }).expect(201);
      for (const displayName of ['Root group A', 'Root group B']) await other.post('/Groups', { schemas: [GROUP_SCHEMA], displayName }).expect(201);
      everything = (await other.post('/.search', { schemas: [SEARCH] }).expect(200)).body.Resources;
    });

    it('lists users then groups, of this account only', async () => {
      const res = await other.post('/.search', { schemas: [SEARCH] }).expect(200);
      expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 5, startIndex: 1, itemsPerPage: 5 });
      expect(everything.map((r) => r.meta.resourceType)).toEqual(['User', 'User', 'User', 'Group', 'Group']);
    });

    it('pages across the boundary between the types', async () => {
      for (const [startIndex, count] of [[1, 2], [2, 3], [3, 2], [4, 10], [5, 1], [6, 5], [1, 0]]) {
        const res = await other.post('/.search', { schemas: [SEARCH], startIndex, count }).expect(200);
        expect(res.body.totalResults).toBe(5);
        expect(res.body.startIndex).toBe(startIndex);
        expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual(everything.slice(startIndex - 1, startIndex - 1 + count).map((r) => r.id));
        expect(res.body.itemsPerPage).toBe(res.body.Resources.length);
      }
    });

    it('filters: an attribute of both types matches both; of one type, that type only; of neither, 400', async () => {
      const found = async (filter: string) => ((await other.post('/.search', { schemas: [SEARCH], filter }).expect(200)).body.Resources as { meta: { resourceType: string } }[]).map((r) => r.meta.resourceType);
      expect(await found('displayName sw "root"')).toEqual(['User', 'User', 'User', 'Group', 'Group']);
      expect(await found('displayName eq "Root group B"')).toEqual(['Group']);
      expect(await found('userName eq "r2@root.test"')).toEqual(['User']);
      expect(await found('meta.resourceType eq "Group"')).toEqual(['Group', 'Group']);
      expect(await found('meta.resourceType eq "User" and displayName sw "Root r1"')).toEqual(['User']);
      expect(await found('meta.resourceType ne "User"')).toEqual(['Group', 'Group']);
      const refused = await other.post('/.search', { schemas: [SEARCH], filter: 'nickName eq "x" or' }).expect(400);
      expect(refused.body).toMatchObject({ scimType: 'invalidFilter' });
      await other.post('/.search', { schemas: [SEARCH], filter: 'noSuchAttribute eq "x"' }).expect(400);
    });

    it('applies attributes to each type; sortBy is refused with a reason', async () => {
      const res = await other.post('/.search', { schemas: [SEARCH], attributes: ['displayName'], count: 10 }).expect(200);
      expect(res.body.Resources[0]).toEqual({ schemas: [USER_SCHEMA], id: everything[0].id, displayName: 'Root r1@root.test' });
      expect(res.body.Resources[4]).toEqual({ schemas: [GROUP_SCHEMA], id: everything[4].id, displayName: 'Root group B' });
      const sorted = await other.post('/.search', { schemas: [SEARCH], sortBy: 'displayName' }).expect(400);
      expect(sorted.body).toMatchObject({ scimType: 'invalidValue' });
    });

    it('needs the account\'s token', async () => {
      await testApp.http().post(`${account.base}/.search`).set('Content-Type', 'application/scim+json').send('{}').expect(401);
      await scim.post('/.search', { schemas: [SEARCH] }).expect(200);
    });
  });

  describe('remove active (RFC 7644 §3.5.2.2: unassigned, treated as inactive)', () => {
    it('leaves active unassigned: absent on reads and from `active pr`, the user without access, as /Schemas says', async () => {
      const userId = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'removed-active@rfc.test', active: true }).expect(201)).body.id;
      const res = await scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'active' }] }).expect(200);
      expect(res.body).not.toHaveProperty('active');
      expect((await scim.get(`/Users/${userId}`).expect(200)).body).not.toHaveProperty('active');
      const count = async (filter: string) => (await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "removed-active@rfc.test" and ${filter}`)}`).expect(200)).body.totalResults;
      expect(await count('active pr')).toBe(0);
      expect(await count('not (active pr)')).toBe(1);
      const detail = await testApp.operator('get', `/admin/accounts/${account.accountId}/users/${userId}`).expect(200);
      expect(detail.body.status).toBe('inactive');

      const restored = await scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }).expect(200);
      expect(restored.body.active).toBe(true);

      const schema = await scim.get(`/Schemas/${USER_SCHEMA}`).expect(200);
      const active = schema.body.attributes.find((a: { name: string }) => a.name === 'active');
      expect(active).toMatchObject({ type: 'boolean', mutability: 'readWrite', required: false });
      expect(active.description).toMatch(/returned without it, and this service treats it as inactive/);
    });
  });
});
