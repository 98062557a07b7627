import request from 'supertest';
import {
  accountAdmin,
  ENTERPRISE_USER,
  eventually,
  expectScimError,
  GROUP_SCHEMA,
  OPERATOR_KEY,
  PATCH_OP,
  scimClient,
  startTestApp,
  USER_SCHEMA,
  type AccountAdmin,
  type ScimAccount,
  type ScimClient,
  type TestApp,
} from '../support/test-app';
import { RolesViaGroupsProcess } from '@scim/provisioning';

/** Names that are keys of every plain object: a map keyed by them without care breaks (issue 12). */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const;

interface Tenant {
  readonly account: ScimAccount;
  readonly scim: ScimClient;
  readonly admin: AccountAdmin;
}

/**
 * Issue 12, isolation: account C names its roles, groups, attributes and filters after
 * Object.prototype's keys; account A's provisioning, role grants via groups and support queries go
 * on as before, C's own queries answer correctly, and both survive a restart on the same data.
 */
describe('prototype-named keys in one account (e2e)', () => {
  let testApp: TestApp;
  let a: Tenant;
  let c: Tenant;
  const clientsOf = (account: ScimAccount): Tenant => ({ account, scim: scimClient(testApp, account), admin: accountAdmin(testApp, account) });
  const tenant = async (name: string): Promise<Tenant> => clientsOf(await testApp.newAccount(name));
  const support = (t: Tenant, path: string) =>
    request(testApp.app.getHttpServer()).get(`/support/accounts/${t.account.accountId}${path}`).set('Authorization', `Bearer ${OPERATOR_KEY}`);
  const rolesOf = async (t: Tenant, userId: string) => ((await t.admin('get', `/users/${userId}`).expect(200)).body.roles as { role: string }[]).map((r) => r.role);
  const addMembers = (t: Tenant, groupId: string, userIds: string[]) =>
    t.scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: userIds.map((value) => ({ value })) }] }).expect(204);
  const newUser = async (t: Tenant, userName: string) => (await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName }).expect(201)).body.id as string;

  /** A's roles-via-groups keep working: a new member of a mapped group gets the group's role. */
  async function expectAGrantsRoles(userName: string): Promise<string> {
    const userId = await newUser(a, userName);
    const group = (await a.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `Team of ${userName}` }).expect(201)).body.id;
    await a.admin('put', `/groups/${group}/roles`, { roles: ['developer'] }).expect(200);
    await addMembers(a, group, [userId]);
    await eventually(async () => expect(await rolesOf(a, userId)).toEqual(['developer']));
    return userId;
  }

  let aUser: string;
  const cUsers = new Map<string, string>();
  const cGroups = new Map<string, string>();

  beforeAll(async () => {
    testApp = await startTestApp();
    a = await tenant('A');
    c = await tenant('C');
    await a.admin('post', '/roles', { role: 'developer' }).expect(201);
    aUser = await expectAGrantsRoles('alice@a.example');

    for (const name of PROTOTYPE_NAMES) {
      await c.admin('post', '/roles', { role: name }).expect(201);
      cUsers.set(name, await newUser(c, `${name}@c.example`));
      const group = (await c.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: name, externalId: name }).expect(201)).body.id;
      cGroups.set(name, group);
      await c.admin('put', `/groups/${group}/roles`, { roles: [name] }).expect(200);
      await addMembers(c, group, [cUsers.get(name)!]);
      const platform = (await c.admin('post', '/groups', { displayName: name }).expect(201)).body.id;
      await c.admin('put', `/groups/${platform}/roles`, { roles: [name] }).expect(200);
      await c.admin('post', `/groups/${platform}/members`, { members: [cUsers.get(name)] }).expect(204);
      await c.admin('post', `/users/${cUsers.get(name)}/roles`, { role: name }).expect(201);
    }
  });
  afterAll(() => testApp.close());

  it("C's prototype-named roles are granted via SCIM groups, Platform groups and by hand", async () => {
    for (const name of PROTOTYPE_NAMES) {
      await eventually(async () => {
        const { body } = await c.admin('get', `/users/${cUsers.get(name)}`).expect(200);
        expect(body.roles).toEqual([{ role: name, effective: true, sources: expect.arrayContaining([expect.objectContaining({ kind: 'manual' }), expect.objectContaining({ kind: 'group', groupName: name })]) }]);
        expect(body.roles[0].sources).toHaveLength(3);
      });
    }
    const holders = (await c.admin('get', '/users?role=constructor&count=100').expect(200)).body.items.map((u: { id: string }) => u.id);
    expect(holders).toEqual([cUsers.get('constructor')]);
  });

  it("A's provisioning and role grants go on after C defined them", async () => {
    const late = await expectAGrantsRoles('late@a.example');
    expect(await rolesOf(a, late)).toEqual(['developer']);
    expect(await rolesOf(a, aUser)).toEqual(['developer']);
  });

  it('support queries answer for both accounts, naming no role of the other', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const role = encodeURIComponent(name);
      expect((await support(a, `/roles/${role}/holders`).expect(200)).body).toMatchObject({ role: name, holders: [], suspended: [] });
      const inC = (await support(c, `/roles/${role}/holders`).expect(200)).body;
      expect(inC.holders.map((h: { userId: string }) => h.userId)).toEqual([cUsers.get(name)]);
      expect(inC.holders[0].sources.map((s: { kind: string }) => s.kind).sort()).toEqual(['group', 'group', 'manual']);

      const explained = (await support(c, `/users/${cUsers.get(name)}/explain`).expect(200)).body;
      expect(explained.effectiveRoles).toEqual([name]);
      expect(explained.roles.map((r: { role: string }) => r.role)).toEqual([name]);
      const timeline = (await support(c, `/users/${cUsers.get(name)}/timeline`).expect(200)).body.events.map((e: { type: string }) => e.type);
      expect(timeline).toEqual(expect.arrayContaining(['UserProvisioned', 'RoleGrantedViaGroup', 'RoleAssignedManually']));
      expect((await support(c, `/groups/${cGroups.get(name)}/members`).expect(200)).body).toMatchObject({ displayName: name, roles: [name], memberCount: 1 });
    }
    // Ids named like that are unknown ids, in A as anywhere.
    for (const name of PROTOTYPE_NAMES) {
      const id = encodeURIComponent(name);
      for (const path of [`/users/${id}/explain`, `/users/${id}/timeline`, `/users/${id}/roles`, `/groups/${id}/members`]) {
        const answer = await support(a, path);
        expect([path, answer.status]).toEqual([path, 404]);
      }
      const audit = await request(testApp.app.getHttpServer()).get(`/audit/accounts/${a.account.accountId}/users/${id}/events`).set('Authorization', `Bearer ${OPERATOR_KEY}`);
      expect(audit.status).toBe(404);
    }
    const explainedA = (await support(a, `/users/${aUser}/explain`).expect(200)).body;
    expect(explainedA.effectiveRoles).toEqual(['developer']);
    expect((await support(a, `/users/${aUser}/timeline`).expect(200)).body.events.map((e: { type: string }) => e.type)).toEqual(['UserProvisioned', 'RoleGrantedViaGroup']);
    expect((await support(a, '/roles/developer/holders').expect(200)).body.holders.map((h: { userId: string }) => h.userId)).toContain(aUser);
    const accessC = (await support(c, '/access').expect(200)).body.users as { userName: string; effectiveRoles: string[] }[];
    expect(accessC.map((u) => [u.userName, u.effectiveRoles])).toEqual(expect.arrayContaining(PROTOTYPE_NAMES.map((name) => [`${name}@c.example`, [name]])));
  });

  it('attribute names from Object.prototype in bodies are ignored as unknown attributes, and change no prototype', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const raw = `{"schemas":["${USER_SCHEMA}"],"userName":"attr-${name}@c.example","${name}":{"polluted":true},"name":{"${name}":{"polluted":true},"givenName":"G"},"${ENTERPRISE_USER}":{"${name}":{"polluted":true},"department":"D"}}`;
      const created = await c.scim.postRaw('/Users', raw).expect(201);
      expect(created.body).toMatchObject({ userName: `attr-${name}@c.example`, name: { givenName: 'G' }, [ENTERPRISE_USER]: { department: 'D' } });
      expect(Object.hasOwn(created.body, name)).toBe(false);
      const read = (await c.scim.get(`/Users/${created.body.id}`).expect(200)).body;
      expect(read.polluted).toBeUndefined();
      expect(read.name.polluted).toBeUndefined();

      const replaced = `{"schemas":["${USER_SCHEMA}"],"userName":"attr-${name}@c.example","${name}":{"polluted":true},"displayName":"R"}`;
      const put = await request(testApp.app.getHttpServer())
        .put(`${c.account.base}/Users/${created.body.id}`)
        .set('Authorization', `Bearer ${c.account.token}`)
        .set('Content-Type', 'application/scim+json')
        .send(replaced)
        .expect(200);
      expect(put.body.displayName).toBe('R');
      expect(put.body.polluted).toBeUndefined();
      const patched = await c.scim
        .patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: JSON.parse(`{"${name}":{"polluted":true},"title":"T"}`) }] })
        .expect(200);
      expect(patched.body.title).toBe('T');
      expect(patched.body.polluted).toBeUndefined();
      for (const path of [name, `name.${name}`, `${ENTERPRISE_USER}:${name}`, `emails[${name} eq "x"].value`]) {
        const refused = await c.scim.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path, value: 'x' }] });
        expect([path, refused.status]).toEqual([path, 400]);
        expectScimError(refused.body, 400, 'invalidPath');
      }
    }
    // Admin bodies too: what a "__proto__" or "constructor" key holds is dropped, the named fields kept.
    const adminRaw = (path: string, body: string) =>
      request(testApp.app.getHttpServer()).post(`/admin/accounts/${c.account.accountId}${path}`).set('Authorization', `Bearer ${OPERATOR_KEY}`).set('Content-Type', 'application/json').send(body);
    expect((await adminRaw('/roles', '{"role":"plain","__proto__":{"role":"evil","description":"x"}}').expect(201)).body).toEqual({ role: 'plain', description: '' });
    expectScimError((await adminRaw('/roles', '{"__proto__":{"role":"evil"}}').expect(400)).body, 400);
    const manual = (await adminRaw('/users', '{"userName":"manual@c.example","__proto__":{"displayName":"evil"},"constructor":{"prototype":{"polluted":true}}}').expect(201)).body;
    expect(manual.displayName).toBeUndefined();
    expect((await c.admin('get', '/roles').expect(200)).body.items.map((r: { role: string }) => r.role)).not.toContain('evil');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('filters on prototype-named attributes are refused as invalid filters; values with those names match normally', async () => {
    for (const name of PROTOTYPE_NAMES) {
      for (const filter of [`${name} eq "x"`, `${name} pr`, `name.${name} eq "x"`, `emails[${name} eq "x"]`, `${ENTERPRISE_USER}:${name} eq "x"`]) {
        const refused = await c.scim.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(400);
        expectScimError(refused.body, 400, 'invalidFilter');
        expectScimError((await c.scim.post('/Groups/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter }).expect(400)).body, 400, 'invalidFilter');
      }
      expectScimError((await c.scim.get(`/Users?sortBy=${encodeURIComponent(name)}`).expect(400)).body, 400, 'invalidValue');
      // An unknown name in `attributes` selects nothing (as "zzz" does); "__proto__" is no attribute name at all (RFC 7644 §3.10).
      const selected = await c.scim.get(`/Users/${cUsers.get(name)}?attributes=${encodeURIComponent(name)}`);
      if (name === '__proto__') expectScimError(selected.body, 400, 'invalidValue');
      else expect(selected.body).toEqual({ schemas: [USER_SCHEMA], id: cUsers.get(name) });
      const byName = (await c.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${name}@c.example"`)}`).expect(200)).body;
      expect(byName.Resources.map((u: { id: string }) => u.id)).toEqual([cUsers.get(name)]);
      const group = (await c.scim.get(`/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`).expect(200)).body;
      expect(group.Resources.map((g: { id: string }) => g.id)).toEqual([cGroups.get(name)]);
      expect((await c.scim.get(`/Groups?filter=${encodeURIComponent(`externalId eq "${name}"`)}`).expect(200)).body.totalResults).toBe(1);
      // A's directory holds none of C's names.
      expect((await a.scim.get(`/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`).expect(200)).body.totalResults).toBe(0);
      expect((await a.admin('get', `/users?role=${encodeURIComponent(name)}`).expect(200)).body.items).toEqual([]);
    }
  });

  it('removing prototype-named roles and groups revokes exactly them', async () => {
    const name = 'constructor';
    const userId = cUsers.get(name)!;
    await c.admin('delete', `/users/${userId}/roles/${name}`).expect(204);
    await c.scim.delete(`/Groups/${cGroups.get(name)}`).expect(204);
    await eventually(async () => {
      const { body } = await c.admin('get', `/users/${userId}`).expect(200);
      expect(body.roles).toEqual([{ role: name, effective: true, sources: [expect.objectContaining({ kind: 'group', groupName: name })] }]);
      expect(body.roles[0].sources[0].groupId).not.toBe(cGroups.get(name));
    });
    expect((await support(c, `/users/${userId}/explain`).expect(200)).body.formerRoles).toEqual([]);
    await expectAGrantsRoles('after-revoke@a.example');
  });

  it('after a restart on the same data, grants and support queries still work for both accounts', async () => {
    await testApp.close(false);
    testApp = await startTestApp(testApp.dataDir);
    [a, c] = [clientsOf(a.account), clientsOf(c.account)];
    for (const name of PROTOTYPE_NAMES) expect((await support(c, `/roles/${encodeURIComponent(name)}/holders`).expect(200)).body.holders.length).toBe(1);
    await expectAGrantsRoles('after-restart@a.example');
    const fresh = await newUser(c, 'fresh@c.example');
    await addMembers(c, cGroups.get('__proto__')!, [fresh]);
    await eventually(async () => expect(await rolesOf(c, fresh)).toEqual(['__proto__']));
  });
});

/**
 * A data folder as the service left it before the fix: account C's mapping of a group to
 * "constructor" is in the log ahead of the roles-via-groups checkpoint, with account A's later
 * membership behind it. Started on that folder, the process goes through both.
 */
describe('a log holding a prototype-named role mapping the process had not passed (e2e)', () => {
  let testApp: TestApp;
  afterAll(() => testApp.close());

  it('grants the roles of both accounts once the service starts on it', async () => {
    testApp = await startTestApp();
    const [a, c] = [await testApp.newAccount('A'), await testApp.newAccount('C')];
    const [scimA, scimC, adminA, adminC] = [scimClient(testApp, a), scimClient(testApp, c), accountAdmin(testApp, a), accountAdmin(testApp, c)];
    // The process stops where the old service's stalled: before any of what follows.
    await testApp.app.get(RolesViaGroupsProcess).stop();

    const member = async (scim: ScimClient, admin: AccountAdmin, role: string, userName: string) => {
      await admin('post', '/roles', { role }).expect(201);
      const userId = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName }).expect(201)).body.id as string;
      const groupId = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: role }).expect(201)).body.id as string;
      await admin('put', `/groups/${groupId}/roles`, { roles: [role] }).expect(200);
      await scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] }).expect(204);
      return userId;
    };
    const inC = await member(scimC, adminC, 'constructor', 'c@c.example');
    const inA = await member(scimA, adminA, 'developer', 'a@a.example');
    await testApp.close(false);

    testApp = await startTestApp(testApp.dataDir);
    const rolesOf = async (account: ScimAccount, userId: string) =>
      ((await accountAdmin(testApp, account)('get', `/users/${userId}`).expect(200)).body.roles as { role: string }[]).map((r) => r.role);
    await eventually(async () => {
      expect(await rolesOf(a, inA)).toEqual(['developer']);
      expect(await rolesOf(c, inC)).toEqual(['constructor']);
    });
    const holders = (account: ScimAccount, role: string) =>
      request(testApp.app.getHttpServer()).get(`/support/accounts/${account.accountId}/roles/${role}/holders`).set('Authorization', `Bearer ${OPERATOR_KEY}`).expect(200);
    expect((await holders(c, 'constructor')).body.holders.map((h: { userId: string }) => h.userId)).toEqual([inC]);
    expect((await holders(a, 'constructor')).body.holders).toEqual([]);
    expect((await holders(a, 'developer')).body.holders.map((h: { userId: string }) => h.userId)).toEqual([inA]);
  });
});
