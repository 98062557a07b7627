import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { AUDITOR_KEY_FILE } from '../../apps/scim-api/src/config/operator-key';
import {
  accountAdmin,
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An instant strictly between what happened before and what happens after (event times are in ms). */
async function instant(): Promise<string> {
  await sleep(5);
  const at = new Date().toISOString();
  await sleep(5);
  return at;
}

const requestIdOf = (response: request.Response): string => {
  const id = response.headers['x-request-id'];
  expect(typeof id).toBe('string');
  return id as string;
};

/**
 * Issue 6 acceptance, through HTTP: a manual user with a manual role is converted, gains two group
 * roles, loses one group; explain, as-of, diff, holders, group members and the activity log are
 * all reconstructed from the event history.
 */
describe('support API: point in time, explain, activity (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;
  let admin: AccountAdmin;
  const support = (path: string, credential = OPERATOR_KEY) =>
    request(testApp.app.getHttpServer()).get(`/support/accounts/${account.accountId}${path}`).set('Authorization', `Bearer ${credential}`);
  const currentRoles = async (userId: string) => ((await admin('get', `/users/${userId}`).expect(200)).body.roles as { role: string }[]).map((r) => r.role);

  // The story's instants and the request ids that caused each step.
  const story = {} as {
    grace: string;
    other: string;
    eng: string;
    ops: string;
    t0: string;
    t1: string;
    t2: string;
    t3: string;
    assignReq: string;
    convertReq: string;
    mapEngReq: string;
    mapOpsReq: string;
    addEngReq: string;
    addOpsReq: string;
    removeOpsReq: string;
    rejectReq: string;
  };

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('Support');
    scim = scimClient(testApp, account);
    admin = accountAdmin(testApp, account);
    for (const role of ['billing', 'developer', 'ops']) await admin('post', '/roles', { role }).expect(201);

    story.t0 = await instant();
    story.grace = (await admin('post', '/users', { userName: 'grace@acme.com', displayName: 'Grace' }).expect(201)).body.id;
    story.assignReq = requestIdOf(await admin('post', `/users/${story.grace}/roles`, { role: 'billing' }).expect(201));
    story.t1 = await instant();

    const converted = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'Grace@acme.com', active: true }).expect(201);
    expect(converted.body.id).toBe(story.grace);
    story.convertReq = requestIdOf(converted);
    story.other = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'other@acme.com' }).expect(201)).body.id;
    story.eng = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering' }).expect(201)).body.id;
    story.ops = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Operations' }).expect(201)).body.id;
    story.mapEngReq = requestIdOf(await admin('put', `/groups/${story.eng}/roles`, { roles: ['developer'] }).expect(200));
    story.mapOpsReq = requestIdOf(await admin('put', `/groups/${story.ops}/roles`, { roles: ['ops'] }).expect(200));
    const add = (groupId: string, members: string[]) =>
      scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }] }).expect(204);
    story.addEngReq = requestIdOf(await add(story.eng, [story.grace]));
    story.addOpsReq = requestIdOf(await add(story.ops, [story.grace, story.other]));
    await eventually(async () => {
      expect(await currentRoles(story.grace)).toEqual(['billing', 'developer', 'ops']);
      expect(await currentRoles(story.other)).toEqual(['ops']);
    });
    story.t2 = await instant();

    const removed = await scim
      .patch(`/Groups/${story.ops}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${story.grace}"]` }] })
      .expect(204);
    story.removeOpsReq = requestIdOf(removed);
    await eventually(async () => expect(await currentRoles(story.grace)).toEqual(['billing', 'developer']));
    story.t3 = await instant();

    // A userName held by another account: rejected, and recorded for this account's activity log.
    const elsewhere = await testApp.newAccount('Elsewhere');
    await scimClient(testApp, elsewhere).post('/Users', { schemas: [USER_SCHEMA], userName: 'taken@elsewhere.com' }).expect(201);
    story.rejectReq = requestIdOf(await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'taken@elsewhere.com' }).expect(409));
  });
  afterAll(() => testApp.close());

  it('explain shows exactly the sources of each role, with the chain back to the requests, and the group role lost', async () => {
    const { body } = await support(`/users/${story.grace}/explain`).expect(200);
    expect(body).toMatchObject({ userId: story.grace, userName: 'Grace@acme.com', source: 'SCIM', status: 'active', effectiveRoles: ['billing', 'developer'] });
    expect(body.converted).toMatchObject({ type: 'UserConvertedToScim', actor: { kind: 'scim-token', tokenId: account.tokenId }, correlationId: story.convertReq });
    expect(body.roles).toEqual([
      {
        role: 'billing',
        effective: true,
        sources: [
          {
            kind: 'pre-existing-at-conversion',
            assigned: expect.objectContaining({ type: 'RoleAssignedManually', actor: { kind: 'operator' }, correlationId: story.assignReq }),
            converted: expect.objectContaining({ correlationId: story.convertReq }),
          },
        ],
        ended: [],
      },
      {
        role: 'developer',
        effective: true,
        sources: [
          {
            kind: 'group',
            group: { groupId: story.eng, displayName: 'Engineering', status: 'live' },
            granted: expect.objectContaining({ type: 'RoleGrantedViaGroup', actor: { kind: 'system', process: 'roles-via-groups' }, correlationId: story.addEngReq }),
            trigger: 'membership-added',
            membership: expect.objectContaining({ type: 'GroupMembersAdded', actor: { kind: 'scim-token', tokenId: account.tokenId }, correlationId: story.addEngReq }),
            mapping: expect.objectContaining({ type: 'GroupRoleMappingChanged', actor: { kind: 'operator' }, correlationId: story.mapEngReq, roles: ['developer'] }),
          },
        ],
        ended: [],
      },
    ]);
    expect(body.formerRoles).toEqual([
      {
        role: 'ops',
        ended: [
          expect.objectContaining({
            kind: 'group',
            group: { groupId: story.ops, displayName: 'Operations', status: 'live' },
            membership: expect.objectContaining({ correlationId: story.addOpsReq }),
            mapping: expect.objectContaining({ correlationId: story.mapOpsReq }),
            ended: {
              reason: 'membership-removed',
              step: expect.objectContaining({ type: 'RoleRevokedViaGroup', correlationId: story.removeOpsReq }),
              cause: expect.objectContaining({ type: 'GroupMembersRemoved', actor: { kind: 'scim-token', tokenId: account.tokenId }, correlationId: story.removeOpsReq }),
            },
          }),
        ],
      },
    ]);
    expect(body.notes).toEqual([expect.stringContaining('Holds billing beyond what its SCIM groups define')]);
  });

  it('explains an earlier instant: at t2 the ops role was still held', async () => {
    const { body } = await support(`/users/${story.grace}/explain?asOf=${story.t2}`).expect(200);
    expect(body.roles.map((r: { role: string }) => r.role)).toEqual(['billing', 'developer', 'ops']);
    expect(body.formerRoles).toEqual([]);
    expect((await support(`/users/${story.grace}/explain?asOf=${story.t0}`).expect(200)).body).toMatchObject({ status: 'absent', roles: [] });
  });

  it('as-of queries at four instants return the role sets of the time', async () => {
    const rolesAt = async (asOf: string) => (await support(`/users/${story.grace}/roles?asOf=${encodeURIComponent(asOf)}`).expect(200)).body;
    expect(await rolesAt(story.t0)).toMatchObject({ status: 'absent', effectiveRoles: [] });
    expect(await rolesAt(story.t1)).toMatchObject({ status: 'active', userName: 'grace@acme.com', effectiveRoles: ['billing'] });
    expect(await rolesAt(story.t2)).toMatchObject({ userName: 'Grace@acme.com', effectiveRoles: ['billing', 'developer', 'ops'] });
    expect(await rolesAt(story.t3)).toMatchObject({ effectiveRoles: ['billing', 'developer'] });
    // The same instant spelled with an offset, and "now" by default.
    const t2InParis = new Date(Date.parse(story.t2) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect((await rolesAt(t2InParis)).effectiveRoles).toEqual(['billing', 'developer', 'ops']);
    expect((await support(`/users/${story.grace}/roles`).expect(200)).body.effectiveRoles).toEqual(['billing', 'developer']);
  });

  it('the diff between two instants lists each user’s changes', async () => {
    const diff = (from: string, to: string, status = 200) => support(`/access-diff?from=${from}&to=${to}`).expect(status);
    expect((await diff(story.t1, story.t3)).body.changes).toEqual([
      expect.objectContaining({ userId: story.grace, userName: 'Grace@acme.com', gained: ['developer'], lost: [], effectiveFrom: ['billing'], effectiveTo: ['billing', 'developer'] }),
      expect.objectContaining({ userId: story.other, userName: 'other@acme.com', statusFrom: 'absent', statusTo: 'active', gained: ['ops'], lost: [] }),
    ]);
    expect((await diff(story.t2, story.t3)).body.changes).toEqual([expect.objectContaining({ userId: story.grace, gained: [], lost: ['ops'] })]);
    expect((await diff(story.t3, story.t3)).body.changes).toEqual([]);
    expectScimError((await diff(story.t3, story.t1, 400)).body, 400, 'invalidValue');
  });

  it('who held a role at T', async () => {
    const holders = async (role: string, asOf: string) => (await support(`/roles/${role}/holders?asOf=${asOf}`).expect(200)).body;
    expect(await holders('ops', story.t2)).toEqual({
      role: 'ops',
      asOf: story.t2,
      holders: [
        { userId: story.grace, userName: 'Grace@acme.com', sources: [expect.objectContaining({ kind: 'group', groupId: story.ops, groupName: 'Operations' })] },
        { userId: story.other, userName: 'other@acme.com', sources: [expect.objectContaining({ kind: 'group', groupId: story.ops })] },
      ],
      suspended: [],
    });
    expect((await holders('ops', story.t3)).holders.map((h: { userId: string }) => h.userId)).toEqual([story.other]);
    expect((await holders('billing', story.t1)).holders).toEqual([{ userId: story.grace, userName: 'grace@acme.com', sources: [expect.objectContaining({ kind: 'manual' })] }]);
    expect((await holders('billing', story.t0)).holders).toEqual([]);
    const access = (await support(`/access?asOf=${story.t3}`).expect(200)).body.users;
    expect(access).toEqual([
      { userId: story.grace, userName: 'Grace@acme.com', status: 'active', effectiveRoles: ['billing', 'developer'] },
      { userId: story.other, userName: 'other@acme.com', status: 'active', effectiveRoles: ['ops'] },
    ]);
  });

  it('group membership as of T', async () => {
    const at2 = (await support(`/groups/${story.ops}/members?asOf=${story.t2}`).expect(200)).body;
    expect(at2).toMatchObject({ groupId: story.ops, displayName: 'Operations', status: 'live', roles: ['ops'], memberCount: 2 });
    expect(at2.members.map((m: { userId: string; userName: string }) => [m.userId, m.userName]).sort()).toEqual(
      [
        [story.grace, 'Grace@acme.com'],
        [story.other, 'other@acme.com'],
      ].sort(),
    );
    expect(at2.members[0].added).toMatchObject({ correlationId: story.addOpsReq, actor: { kind: 'scim-token', tokenId: account.tokenId } });
    expect((await support(`/groups/${story.ops}/members?asOf=${story.t3}`).expect(200)).body.members.map((m: { userId: string }) => m.userId)).toEqual([story.other]);
    expect((await support(`/groups/${story.ops}/members?asOf=${story.t0}`).expect(200)).body).toMatchObject({ status: 'absent', members: [] });
  });

  it('the activity log lists recent IdP requests with their outcomes, token and request id', async () => {
    const { body } = await support('/activity').expect(200);
    const byRequest = new Map<string, { at: string; tokenIds: string[]; items: { outcome: string; name: string | null; detail: string }[]; roleChanges: object }>(
      body.requests.map((r: { correlationId: string }) => [r.correlationId, r]),
    );
    expect(byRequest.get(story.rejectReq)?.items).toEqual([
      // The refusal keeps no userName (docs/PRIVACY.md): its request id is what says which create it was.
      expect.objectContaining({ outcome: 'rejected', resourceType: 'User', name: null, detail: expect.stringContaining('another account') }),
    ]);
    expect(byRequest.get(story.convertReq)).toMatchObject({
      tokenIds: [account.tokenId],
      items: [expect.objectContaining({ outcome: 'converted', name: 'Grace@acme.com', detail: expect.stringContaining('kept pre-existing roles: billing') })],
    });
    expect(byRequest.get(story.addOpsReq)).toMatchObject({
      items: [expect.objectContaining({ outcome: 'group-members-added', name: 'Operations', memberCount: 2 })],
      roleChanges: { granted: 2, revoked: 0, users: 2 },
    });
    expect(byRequest.get(story.removeOpsReq)).toMatchObject({ items: [expect.objectContaining({ outcome: 'group-members-removed', name: 'Operations' })], roleChanges: { revoked: 1 } });
    // Administrators' requests are not IdP activity.
    expect(byRequest.has(story.assignReq)).toBe(false);
    expect(byRequest.has(story.mapEngReq)).toBe(false);
    // Most recent first.
    const order = body.requests.map((r: { correlationId: string }) => r.correlationId);
    expect(order.indexOf(story.rejectReq)).toBeLessThan(order.indexOf(story.removeOpsReq));
    expect(order.indexOf(story.removeOpsReq)).toBeLessThan(order.indexOf(story.addOpsReq));
    expect(order.indexOf(story.addOpsReq)).toBeLessThan(order.indexOf(story.convertReq));
    const outcomes = body.requests.flatMap((r: { items: { outcome: string }[] }) => r.items.map((i) => i.outcome));
    expect(outcomes.filter((o: string) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o: string) => o === 'group-created')).toHaveLength(2);

    const latest = (await support('/activity?limit=2').expect(200)).body.requests;
    expect(latest.map((r: { correlationId: string }) => r.correlationId)).toEqual(order.slice(0, 2));
    expectScimError((await support('/activity?limit=0').expect(400)).body, 400, 'invalidValue');
  });

  it("the user's timeline, in order, with group names", async () => {
    const { body } = await support(`/users/${story.grace}/timeline`).expect(200);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual([
      'ManualUserCreated',
      'RoleAssignedManually',
      'UserConvertedToScim',
      'RoleGrantedViaGroup',
      'RoleGrantedViaGroup',
      'RoleRevokedViaGroup',
    ]);
    expect(body.events[3]).toMatchObject({ summary: 'Role developer granted via group "Engineering"', correlationId: story.addEngReq });
    expect(body.events[5].summary).toBe('Role ops revoked via group "Operations": the user was removed from the group');
  });

  it('searches users by userName prefix, case-insensitively', async () => {
    expect((await support('/users?userName=GRA').expect(200)).body).toEqual([{ userId: story.grace, userName: 'Grace@acme.com', source: 'SCIM', status: 'active' }]);
    expect((await support('/users?userName=nobody').expect(200)).body).toEqual([]);
    expectScimError((await support('/users').expect(400)).body, 400);
  });

  it('accepts the operator key, this account’s admin keys and the auditor key only', async () => {
    const path = `/users/${story.grace}/explain`;
    const key = (await testApp.operator('post', `/admin/accounts/${account.accountId}/admin-keys`, { label: 'support' }).expect(201)).body.key;
    await support(path, key).expect(200);
    // Without AUDITOR_KEY, the embedded service generates the auditor's key into DATA_DIR.
    const auditorKey = readFileSync(join(testApp.dataDir, AUDITOR_KEY_FILE), 'utf8').trim();
    expect((await support(path, auditorKey).expect(200)).body.userId).toBe(story.grace);
    expectScimError((await support(path, `${auditorKey}x`).expect(401)).body, 401);
    const otherAccount = await testApp.newAccount('Third');
    const otherKey = (await testApp.operator('post', `/admin/accounts/${otherAccount.accountId}/admin-keys`, {}).expect(201)).body.key;
    expectScimError((await support(path, otherKey).expect(401)).body, 401);
    expectScimError((await support(path, account.token).expect(401)).body, 401);
    await request(testApp.app.getHttpServer()).get(`/support/accounts/${account.accountId}${path}`).expect(401);
    // A user of another account is as unknown as a missing one.
    await request(testApp.app.getHttpServer()).get(`/support/accounts/${otherAccount.accountId}${path}`).set('Authorization', `Bearer ${OPERATOR_KEY}`).expect(404);
    await testApp.operator('get', '/support/accounts/no-such-account/activity').expect(404);
  });

  it('refuses instants that are not instants', async () => {
    for (const asOf of ['yesterday', '2026-03-01', '2026-03-01T10:00:00', '2026-13-01T10:00:00Z']) {
      expectScimError((await support(`/users/${story.grace}/roles?asOf=${asOf}`).expect(400)).body, 400, 'invalidValue');
    }
  });

  it('explains an inactive user (no effective role, grants kept) and finds a deleted one in the history', async () => {
    await scim.patch(`/Users/${story.grace}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }).expect(200);
    const inactive = (await support(`/users/${story.grace}/explain`).expect(200)).body;
    expect(inactive).toMatchObject({ status: 'inactive', effectiveRoles: [] });
    expect(inactive.roles.map((r: { role: string; effective: boolean }) => [r.role, r.effective])).toEqual([
      ['billing', false],
      ['developer', false],
    ]);
    expect(inactive.notes[0]).toMatch(/^The user is inactive \(deactivated at .* by SCIM token .*\): holds no effective role until reactivated/);
    expect((await support(`/users/${story.grace}/roles?asOf=${story.t3}`).expect(200)).body.effectiveRoles).toEqual(['billing', 'developer']);

    await scim.delete(`/Users/${story.other}`).expect(204);
    expect((await support('/users?userName=other').expect(200)).body).toEqual([]);
    expect((await support('/users?userName=other&includeDeleted=true').expect(200)).body).toEqual([
      { userId: story.other, userName: 'other@acme.com', source: 'SCIM', status: 'deprovisioned' },
    ]);
    expect((await support(`/users/${story.other}/explain`).expect(200)).body).toMatchObject({ status: 'deprovisioned', effectiveRoles: [] });
    // The past is unchanged by the deletion.
    expect((await support(`/roles/ops/holders?asOf=${story.t3}`).expect(200)).body.holders.map((h: { userId: string }) => h.userId)).toEqual([story.other]);
  });
});
