import { ReadStore } from '@scim/read-models';
import { Collections, type UserView } from '@scim/read-models/projections';
import { UserWriteModel } from '@scim/provisioning';
import { accountAdmin, eventually, expectScimError, GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type AccountAdmin, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';

/** The provisioning rules of shared/DESIGN.md §2: matching, conversion, roles via groups, provenance. */
describe('user matching and roles (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;
  let admin: AccountAdmin;

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('Roles');
    scim = scimClient(testApp, account);
    admin = accountAdmin(testApp, account);
    for (const role of ['billing', 'developer', 'ops']) await admin('post', '/roles', { role }).expect(201);
  });
  afterAll(() => testApp.close());

  const mapRoles = (groupId: string, roles: string[]) => admin('put', `/groups/${groupId}/roles`, { roles });

  const rolesOf = async (userId: string) => (await admin('get', `/users/${userId}`).expect(200)).body.roles as { role: string; effective: boolean; sources: { kind: string; groupName?: string }[] }[];

  it('converts a manual user with a manual role, which then gains a group role; provenance shows both', async () => {
    const manual = await admin('post', '/users', { userName: 'grace@acme.com', displayName: 'Grace' }).expect(201);
    const userId = manual.body.id;
    expect(manual.body.source).toBe('Manual');
    await admin('post', `/users/${userId}/roles`, { role: 'billing' }).expect(201);

    // The IdP does not see manual users...
    expect((await scim.get(`/Users?filter=${encodeURIComponent('userName eq "grace@acme.com"')}`).expect(200)).body.totalResults).toBe(0);
    // ...and its create converts the manual user: same id, 201.
    const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'Grace@Acme.com', name: { givenName: 'Grace' }, active: true }).expect(201);
    expect(created.body.id).toBe(userId);
    expect((await scim.get(`/Users/${userId}`).expect(200)).body.userName).toBe('Grace@Acme.com');
    await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'grace@acme.com' }).expect(409);

    const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering' }).expect(201);
    await mapRoles(group.body.id, ['developer']).expect(200);
    await scim.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] }).expect(204);

    await eventually(async () => {
      const roles = await rolesOf(userId);
      expect(roles).toEqual([
        { role: 'billing', effective: true, sources: [expect.objectContaining({ kind: 'pre-existing-at-conversion' })] },
        { role: 'developer', effective: true, sources: [expect.objectContaining({ kind: 'group', groupName: 'Engineering' })] },
      ]);
    });

    // A group-derived role cannot be removed at user level; the refusal names the group.
    const refused = await admin('delete', `/users/${userId}/roles/developer`).expect(409);
    expectScimError(refused.body, 409);
    expect(refused.body.detail).toContain('"Engineering"');
    expect(refused.body.detail).toMatch(/identity provider/);
    // The manual (pre-existing) role can be removed.
    await admin('delete', `/users/${userId}/roles/billing`).expect(204);
    expect((await rolesOf(userId)).map((r) => r.role)).toEqual(['developer']);
  });

  it('keeps a role granted by two groups until the last stops; deactivation suspends roles', async () => {
    const userId = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'two@acme.com' }).expect(201)).body.id;
    const a = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ops A', members: [{ value: userId }] }).expect(201)).body.id;
    const b = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ops B', members: [{ value: userId }] }).expect(201)).body.id;
    await mapRoles(a, ['ops']).expect(200);
    await mapRoles(b, ['ops']).expect(200);
    await eventually(async () => expect((await rolesOf(userId))[0].sources).toHaveLength(2));

    await scim.patch(`/Groups/${a}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }] }).expect(204);
    await eventually(async () => expect((await rolesOf(userId))[0].sources).toEqual([expect.objectContaining({ groupName: 'Ops B' })]));

    await scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }).expect(200);
    const inactive = await admin('get', `/users/${userId}`).expect(200);
    expect(inactive.body.roles).toEqual([expect.objectContaining({ role: 'ops', effective: false })]);
    const view = await testApp.app.get(ReadStore).get<UserView>(Collections.users, userId);
    expect(view?.effectiveRoles).toEqual([]);
    await scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }).expect(200);
    expect((await testApp.app.get(ReadStore).get<UserView>(Collections.users, userId))?.effectiveRoles).toEqual(['ops']);

    await scim.delete(`/Groups/${b}`).expect(204);
    await eventually(async () => expect(await rolesOf(userId)).toEqual([]));
  });

  it('a mapping change grants and revokes for every member', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `map${i}@acme.com` }).expect(201)).body.id);
    const g = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Mapped', members: ids.map((value) => ({ value })) }).expect(201)).body.id;
    await mapRoles(g, ['billing', 'ops']).expect(200);
    await eventually(async () => {
      for (const id of ids) expect((await rolesOf(id)).map((r) => r.role)).toEqual(['billing', 'ops']);
    });
    const holders = async (role: string) => ((await admin('get', `/users?role=${role}&count=1000`).expect(200)).body.items as { id: string }[]).map((u) => u.id).sort();
    expect(await holders('billing')).toEqual([...ids].sort());
    await mapRoles(g, ['ops']).expect(200);
    await eventually(async () => {
      for (const id of ids) expect((await rolesOf(id)).map((r) => r.role)).toEqual(['ops']);
    });
    expect(await holders('billing')).toEqual([]);
    expect(await holders('ops')).toEqual(expect.arrayContaining(ids));
    await mapRoles(g, ['nope']).expect(400);
  });

  it('lists users of both kinds and groups of both sources, with member counts', async () => {
    await admin('post', '/users', { userName: 'manual.only@acme.com' }).expect(201);
    const everyone = (await admin('post', '/groups', { displayName: 'Everyone' }).expect(201)).body.id;
    type Listed = { id: string; source: string; groups: { displayName: string; source: string }[] };
    const inMapped = ((await admin('get', '/users?count=1000').expect(200)).body.items as Listed[]).find((u) => u.groups.some((g) => g.displayName === 'Mapped'));
    await admin('post', `/groups/${everyone}/members`, { members: [inMapped?.id] }).expect(204);
    const users = (await admin('get', '/users?count=1000').expect(200)).body.items as Listed[];
    expect(new Set(users.map((u) => u.source))).toEqual(new Set(['Manual', 'SCIM']));
    // Each user with its groups of both sources.
    expect(users.find((u) => u.id === inMapped?.id)?.groups).toEqual(
      expect.arrayContaining([{ id: expect.any(String), displayName: 'Mapped', source: 'SCIM' }, { id: everyone, displayName: 'Everyone', source: 'Platform' }]),
    );
    const groups = await admin('get', '/groups').expect(200);
    expect(groups.body.items.find((g: { displayName: string }) => g.displayName === 'Everyone')).toMatchObject({ source: 'Platform', memberCount: 1 });
    expect(groups.body.items.find((g: { displayName: string }) => g.displayName === 'Mapped')).toMatchObject({ source: 'SCIM', memberCount: 3, roles: ['ops'] });
    // The IdP sees only SCIM groups.
    expect((await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "Everyone"')}`).expect(200)).body.totalResults).toBe(0);
  });

  it('records a rejection for a userName held by another account in this account\'s history', async () => {
    const other = await testApp.newAccount('Other');
    await scimClient(testApp, other).post('/Users', { schemas: [USER_SCHEMA], userName: 'taken@elsewhere.com' }).expect(201);
    await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'taken@elsewhere.com' }).expect(409);
    const { EventStore } = await import('@scim/event-store');
    const history = await testApp.app.get(EventStore).readStream(`provisioning-${account.accountId}`);
    // Earlier refused requests of this account are in the stream too; this one is recorded once.
    // Recorded without the name (docs/PRIVACY.md): its request id says which create it was.
    expect(history.filter((e) => e.data.reason === 'username-held-by-another-account').map((e) => e.data)).toEqual([expect.not.objectContaining({ userName: expect.anything() })]);
    expect(JSON.stringify(history)).not.toContain('taken@elsewhere');
    expect(JSON.stringify(history.map((e) => e.data))).not.toContain(other.accountId);
  });

  it('adds 10,000 members in one PATCH and projects every role grant', async () => {
    const writer = testApp.app.get(UserWriteModel);
    const context = { accountId: account.accountId, actor: { kind: 'operator' as const }, requestId: 'seed-10k', at: new Date().toISOString() };
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i += 500) {
      const chunk = await Promise.all(Array.from({ length: 500 }, (_, j) => writer.provision(context, { userName: `bulk${i + j}@acme.com` }, true, [])));
      ids.push(...chunk.map((w) => w.user.userId));
    }
    const g = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Everyone (IdP)' }).expect(201)).body.id;
    await mapRoles(g, ['developer']).expect(200);
    const started = Date.now();
    await scim.patch(`/Groups/${g}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] }).expect(204);
    const responded = Date.now();
    const readStore = testApp.app.get(ReadStore);
    await eventually(async () => {
      expect(await readStore.count(Collections.users, { accountId: account.accountId, effectiveRoles: 'developer', _id: { $in: ids } })).toBe(10_000);
    }, 60_000);
    // Measured figures for the issue note; not asserted (speed belongs to `npm run bench`).
    console.log(`10,000-member PATCH: response ${responded - started} ms, all grants visible ${Date.now() - started} ms`);
    expect(await readStore.count(Collections.groupMembers, { groupId: g })).toBe(10_000);
  }, 120_000);
});
