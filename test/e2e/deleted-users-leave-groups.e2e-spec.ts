import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { accountAdmin, eventually, GROUP_SCHEMA, scimClient, startTestApp, USER_SCHEMA, type AccountAdmin, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';

/** A user deleted by the IdP leaves every group it was in: no group lists a member that answers 404. */
describe('deleted users leave their groups (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;
  let admin: AccountAdmin;

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('Leavers');
    scim = scimClient(testApp, account);
    admin = accountAdmin(testApp, account);
  });
  afterAll(() => testApp.close());

  it('takes the user out of SCIM and Platform groups, caused by the deletion', async () => {
    const leaver = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'leaver@acme.com' }).expect(201)).body.id as string;
    const stayer = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'stayer@acme.com' }).expect(201)).body.id as string;
    const members = [{ value: leaver }, { value: stayer }];
    const scimGroup = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales', members }).expect(201)).body.id as string;
    const platformGroup = (await admin('post', '/groups', { displayName: 'Everyone' }).expect(201)).body.id as string;
    await admin('post', `/groups/${platformGroup}/members`, { members: [leaver, stayer] }).expect(204);

    const deletion = await scim.delete(`/Users/${leaver}`).expect(204);

    await eventually(async () => {
      const group = await scim.get(`/Groups/${scimGroup}`).expect(200);
      expect(group.body.members.map((member: { value: string }) => member.value)).toEqual([stayer]);
      const platform = (await admin('get', '/groups').expect(200)).body.items.find((g: { id: string }) => g.id === platformGroup);
      expect(platform).toMatchObject({ memberCount: 1 });
    });
    const byMember = await scim.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${leaver}"`)}`).expect(200);
    expect(byMember.body.totalResults).toBe(0);

    // The auditor sees why: the removal carries the deletion's request id and is caused by its event.
    const auditorKey = readFileSync(join(testApp.dataDir, 'auditor.key'), 'utf8').trim();
    const audit = (path: string) => request(testApp.app.getHttpServer()).get(`/audit/accounts/${account.accountId}${path}`).set('Authorization', `Bearer ${auditorKey}`).expect(200);
    const deprovisioned = (await audit(`/users/${leaver}/events?type=UserDeprovisioned`)).body.events[0];
    const removals = (await audit(`/groups/${scimGroup}/events?type=GroupMembersRemoved`)).body.events;
    expect(removals).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ members: [leaver] }),
        actor: { kind: 'system', process: 'deleted-users-leave-groups' },
        correlationId: deletion.headers['x-request-id'],
        causationId: deprovisioned.eventId,
      }),
    ]);
  });

  it('leaves a deactivated user in its groups', async () => {
    const sleeper = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'sleeper@acme.com' }).expect(201)).body.id as string;
    const group = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Support', members: [{ value: sleeper }] }).expect(201)).body.id as string;

    await scim.patch(`/Users/${sleeper}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }).expect(200);
    // A later deletion is processed after the deactivation: once it shows, the deactivation was seen and kept the member.
    const marker = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'marker@acme.com' }).expect(201)).body.id as string;
    await scim.patch(`/Groups/${group}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: marker }] }] }).expect(204);
    await scim.delete(`/Users/${marker}`).expect(204);

    await eventually(async () => {
      const members = (await scim.get(`/Groups/${group}`).expect(200)).body.members.map((member: { value: string }) => member.value);
      expect(members).toEqual([sleeper]);
    });
  });
});
