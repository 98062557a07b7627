import { provisioningActivity } from './activity';
import { admin, historyRecorder, rolesProcess, token } from './history.fixtures';
import { summarizeEvent, timelineOf } from './timeline';

const A = 'acct-1';
const t = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const idp = token('tok-1');

function activityStory() {
  const h = historyRecorder();
  h.record('user-m1', { type: 'ManualUserCreated', data: { userId: 'm1', accountId: A, profile: { userName: 'grace@acme.com' }, createdAt: t(0) } }, { at: t(0), actor: admin('k1'), correlationId: 'admin-1' });
  h.record(
    'user-m1',
    { type: 'UserConvertedToScim', data: { userId: 'm1', accountId: A, profile: { userName: 'Grace@acme.com' }, active: true, preExistingRoles: ['billing'], convertedAt: t(1) } },
    { at: t(1), actor: idp, correlationId: 'req-convert' },
  );
  h.record(
    'provisioning-acct-1',
    { type: 'ProvisioningRejected', data: { accountId: A, resourceType: 'User', userName: 'taken@x.com', reason: 'username-held-by-another-account', rejectedAt: t(2) } },
    { at: t(2), actor: idp, correlationId: 'req-reject' },
  );
  h.record('group-g1', { type: 'GroupCreated', data: { groupId: 'g1', accountId: A, displayName: 'Engineering', source: 'SCIM', createdAt: t(3) } }, { at: t(3), actor: idp, correlationId: 'req-group' });
  const added = h.record(
    'groupmembers-g1',
    { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: A, members: ['m1', 'u2'], addedAt: t(3) } },
    { at: t(3), actor: idp, correlationId: 'req-group' },
  );
  h.record('group-g1', { type: 'GroupRoleMappingChanged', data: { groupId: 'g1', roles: ['developer'], previousRoles: [], changedAt: t(4) } }, { at: t(4), actor: admin('k1'), correlationId: 'admin-2' });
  for (const userId of ['m1', 'u2']) {
    h.record(`user-${userId}`, { type: 'RoleGrantedViaGroup', data: { userId, role: 'developer', groupId: 'g1', grantedAt: t(4) } }, { at: t(4), actor: rolesProcess, correlationId: 'admin-2', causationId: added.eventId });
  }
  h.record('user-u2', { type: 'UserAttributesUpdated', data: { userId: 'u2', changed: { title: 'CTO', displayName: 'U' }, removed: ['nickName'], updatedAt: t(5) } }, { at: t(5), actor: token('tok-2'), correlationId: 'req-update' });
  h.record('user-u2', { type: 'UserDeactivated', data: { userId: 'u2', deactivatedAt: t(5) } }, { at: t(5), actor: token('tok-2'), correlationId: 'req-update' });
  return h;
}

describe('history: provisioning activity log', () => {
  it('groups the IdP requests by correlation id, most recent first, with their outcomes', () => {
    const activity = provisioningActivity(activityStory().all());
    expect(activity.map((r) => [r.correlationId, r.tokenIds, r.items.map((i) => i.outcome)])).toEqual([
      ['req-update', ['tok-2'], ['updated', 'deactivated']],
      ['req-group', ['tok-1'], ['group-created', 'group-members-added']],
      ['req-reject', ['tok-1'], ['rejected']],
      ['req-convert', ['tok-1'], ['converted']],
    ]);
    const [update, group, reject, convert] = activity;
    expect(update.items[0]).toEqual({ outcome: 'updated', resourceType: 'User', resourceId: 'u2', name: null, detail: 'changed: title, displayName; removed: nickName' });
    expect(update.at).toBe(t(5));
    expect(group.items[1]).toEqual({
      outcome: 'group-members-added',
      resourceType: 'Group',
      resourceId: 'g1',
      name: null,
      detail: '2 member(s) added',
      members: ['m1', 'u2'],
      memberCount: 2,
    });
    expect(reject.items).toEqual([
      {
        outcome: 'rejected',
        resourceType: 'User',
        resourceId: null,
        name: 'taken@x.com',
        detail: 'the userName is held by a user of another account (409 uniqueness)',
      },
    ]);
    expect(convert.items[0]).toMatchObject({ resourceId: 'm1', name: 'Grace@acme.com', detail: expect.stringContaining('kept pre-existing roles: billing') });
  });

  it("counts the roles-via-groups process's grants on the request that caused them; administrators' requests are not IdP activity", () => {
    const h = historyRecorder();
    const added = h.record('groupmembers-g1', { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: A, members: ['u1', 'u2'], addedAt: t(1) } }, { at: t(1), actor: idp, correlationId: 'req-add' });
    for (const userId of ['u1', 'u2']) {
      for (const role of ['developer', 'ops']) {
        h.record(`user-${userId}`, { type: 'RoleGrantedViaGroup', data: { userId, role, groupId: 'g1', grantedAt: t(1) } }, { at: t(1), actor: rolesProcess, correlationId: 'req-add', causationId: added.eventId });
      }
    }
    h.record('group-g1', { type: 'GroupRoleMappingChanged', data: { groupId: 'g1', roles: [], previousRoles: ['developer'], changedAt: t(2) } }, { at: t(2), actor: admin('k1'), correlationId: 'admin' });
    const activity = provisioningActivity(h.all());
    expect(activity).toHaveLength(1);
    expect(activity[0]).toMatchObject({ correlationId: 'req-add', roleChanges: { granted: 4, revoked: 0, users: 2 }, firstPosition: 1, lastPosition: 5 });
  });

  it('gives the same answer whatever order the batches come in', () => {
    const entries = [...activityStory().all()];
    expect(provisioningActivity([...entries].reverse())).toEqual(provisioningActivity(entries));
  });

  it('summarizes a timeline with group names where known', () => {
    const h = activityStory();
    const timeline = timelineOf(h.userHistory('m1'), (id) => (id === 'g1' ? 'Engineering' : undefined));
    expect(timeline.map((e) => e.summary)).toEqual([
      'Created manually as grace@acme.com',
      'Converted to a SCIM user (userName Grace@acme.com); kept pre-existing roles: billing',
      'Role developer granted via group "Engineering"',
    ]);
    expect(timeline[2]).toMatchObject({ type: 'RoleGrantedViaGroup', actor: rolesProcess, correlationId: 'admin-2', causationId: 'e5' });
    expect(summarizeEvent({ type: 'RoleRevokedViaGroup', data: { userId: 'u', role: 'ops', groupId: 'g9', reason: 'group-deleted', revokedAt: t(1) } })).toBe(
      'Role ops revoked via group g9: the group was deleted',
    );
    expect(summarizeEvent({ type: 'SomethingNew', data: {} })).toBe('SomethingNew');
    expect(summarizeEvent({ type: 'UserDeactivated', data: { userId: 'u', deactivatedAt: t(1), unassigned: true } })).toMatch(/^Deactivated: the IdP removed "active"/);
  });
});
