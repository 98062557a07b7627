import type { UserEvent } from '../users/user.events';
import { accessDiff, accountAccess, effectiveRoles, roleHolders, userAsOf, usersAsOf } from './access-as-of';
import { groupAsOf, groupMembersAsOf } from './group-as-of';
import type { HistoryEntry } from './history-entry';
import { admin, historyRecorder, rolesProcess, stepFor, token } from './history.fixtures';

const A = 'acct-1';
const t = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const idp = token('tok-1');

/** Two users of one account: ann (manual, converted, gains and loses a group role) and ben (deactivated later). */
function accountStory() {
  const h = historyRecorder();
  const user = (userId: string, event: UserEvent, at: string, actor = idp) => h.record(`user-${userId}`, event, { at, actor, correlationId: `req-${at}` });
  user('ann', { type: 'ManualUserCreated', data: { userId: 'ann', accountId: A, profile: { userName: 'ann@acme.com' }, createdAt: t(1) } }, t(1), admin('k1'));
  user('ann', { type: 'RoleAssignedManually', data: { userId: 'ann', role: 'billing', assignedAt: t(2) } }, t(2), admin('k1'));
  user('ben', { type: 'UserProvisioned', data: { userId: 'ben', accountId: A, profile: { userName: 'ben@acme.com' }, active: true, provisionedAt: t(2) } }, t(2));
  user(
    'ann',
    { type: 'UserConvertedToScim', data: { userId: 'ann', accountId: A, profile: { userName: 'ann@acme.com' }, active: true, preExistingRoles: ['billing'], convertedAt: t(3) } },
    t(3),
  );
  const added = h.record('groupmembers-g1', { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: A, members: ['ann', 'ben'], addedAt: t(4) } }, { at: t(4), actor: idp, correlationId: 'req-add' });
  for (const userId of ['ann', 'ben']) {
    h.record(`user-${userId}`, { type: 'RoleGrantedViaGroup', data: { userId, role: 'ops', groupId: 'g1', grantedAt: t(4) } }, { at: t(4), actor: rolesProcess, correlationId: 'req-add', causationId: added.eventId });
  }
  const removed = h.record('groupmembers-g1', { type: 'GroupMembersRemoved', data: { groupId: 'g1', accountId: A, members: ['ann'], removedAt: t(5) } }, { at: t(5), actor: idp, correlationId: 'req-rm' });
  h.record('user-ann', { type: 'RoleRevokedViaGroup', data: { userId: 'ann', role: 'ops', groupId: 'g1', reason: 'membership-removed', revokedAt: t(5) } }, { at: t(5), actor: rolesProcess, correlationId: 'req-rm', causationId: removed.eventId });
  user('ben', { type: 'UserDeactivated', data: { userId: 'ben', deactivatedAt: t(6) } }, t(6));
  const userEvents = h.all().filter((e) => e.streamId.startsWith('user-')) as HistoryEntry<UserEvent>[];
  const at = (asOf: string) => {
    const folder = usersAsOf(asOf);
    for (const entry of userEvents) folder.add(entry);
    return folder.users();
  };
  return { h, userEvents, at, added };
}

describe('history: access as of an instant', () => {
  it("a user's effective roles at four instants", () => {
    const { h } = accountStory();
    const ann = h.userHistory('ann');
    expect(userAsOf(ann, '2026-03-01T09:00:00.000Z')).toEqual({ status: 'absent' });
    expect(effectiveRoles(userAsOf(ann, t(2)))).toEqual(['billing']);
    expect(effectiveRoles(userAsOf(ann, t(4)))).toEqual(['billing', 'ops']);
    expect(effectiveRoles(userAsOf(ann, t(5)))).toEqual(['billing']);
    // Instants compare as instants, whatever their spelling.
    expect(effectiveRoles(userAsOf(ann, '2026-03-01T11:04:30+01:00'))).toEqual(['billing', 'ops']);
  });

  it('an inactive user holds no effective role', () => {
    const { h } = accountStory();
    expect(effectiveRoles(userAsOf(h.userHistory('ben'), t(5)))).toEqual(['ops']);
    expect(effectiveRoles(userAsOf(h.userHistory('ben'), t(6)))).toEqual([]);
  });

  it('rejects an instant that is not one', () => {
    expect(() => usersAsOf('yesterday')).toThrow(RangeError);
  });

  it('who held a role at T, with the source of each holder; inactive holders apart', () => {
    const { at } = accountStory();
    expect(roleHolders(at(t(4)), 'ops')).toEqual({
      role: 'ops',
      holders: [
        { userId: 'ann', userName: 'ann@acme.com', sources: [{ kind: 'group', groupId: 'g1', since: t(4) }] },
        { userId: 'ben', userName: 'ben@acme.com', sources: [{ kind: 'group', groupId: 'g1', since: t(4) }] },
      ],
      suspended: [],
    });
    expect(roleHolders(at(t(3)), 'billing').holders).toEqual([
      { userId: 'ann', userName: 'ann@acme.com', sources: [{ kind: 'pre-existing-at-conversion', since: t(2), convertedAt: t(3) }] },
    ]);
    expect(roleHolders(at(t(2)), 'billing').holders).toEqual([{ userId: 'ann', userName: 'ann@acme.com', sources: [{ kind: 'manual', since: t(2) }] }]);
    expect(roleHolders(at(t(6)), 'ops')).toEqual({ role: 'ops', holders: [], suspended: [{ userId: 'ben', userName: 'ben@acme.com', sources: [{ kind: 'group', groupId: 'g1', since: t(4) }] }] });
  });

  it('the diff of the account between two instants lists per user the roles gained and lost', () => {
    const { at } = accountStory();
    expect(accessDiff(at(t(1)), at(t(4)))).toEqual([
      { userId: 'ann', userName: 'ann@acme.com', statusFrom: 'active', statusTo: 'active', effectiveFrom: [], effectiveTo: ['billing', 'ops'], gained: ['billing', 'ops'], lost: [] },
      { userId: 'ben', userName: 'ben@acme.com', statusFrom: 'absent', statusTo: 'active', effectiveFrom: [], effectiveTo: ['ops'], gained: ['ops'], lost: [] },
    ]);
    expect(accessDiff(at(t(4)), at(t(6)))).toEqual([
      { userId: 'ann', userName: 'ann@acme.com', statusFrom: 'active', statusTo: 'active', effectiveFrom: ['billing', 'ops'], effectiveTo: ['billing'], gained: [], lost: ['ops'] },
      { userId: 'ben', userName: 'ben@acme.com', statusFrom: 'active', statusTo: 'inactive', effectiveFrom: ['ops'], effectiveTo: [], gained: [], lost: ['ops'] },
    ]);
    expect(accessDiff(at(t(5)), at(t(5)))).toEqual([]);
  });

  it("an account's access at T", () => {
    const { at } = accountStory();
    expect(accountAccess(at(t(6)))).toEqual([
      { userId: 'ann', userName: 'ann@acme.com', status: 'active', effectiveRoles: ['billing'] },
      { userId: 'ben', userName: 'ben@acme.com', status: 'inactive', effectiveRoles: [] },
    ]);
  });

  it('group members and mapping as of T', () => {
    const { h, added } = accountStory();
    const membership = h.stream<never>('groupmembers-g1');
    expect(groupMembersAsOf(membership, t(3))).toEqual([]);
    expect(groupMembersAsOf(membership, t(4))).toEqual([
      { userId: 'ann', added: stepFor(added) },
      { userId: 'ben', added: stepFor(added) },
    ]);
    expect(groupMembersAsOf(membership, t(5))).toEqual([{ userId: 'ben', added: stepFor(added) }]);

    const lifecycle = historyRecorder();
    lifecycle.record('group-g1', { type: 'GroupCreated', data: { groupId: 'g1', accountId: A, displayName: 'Ops', source: 'SCIM', createdAt: t(1) } }, { at: t(1), actor: idp, correlationId: 'r1' });
    lifecycle.record('group-g1', { type: 'GroupRoleMappingChanged', data: { groupId: 'g1', roles: ['ops'], previousRoles: [], changedAt: t(2) } }, { at: t(2), actor: admin('k1'), correlationId: 'r2' });
    lifecycle.record('group-g1', { type: 'GroupDeleted', data: { groupId: 'g1', deletedAt: t(3) } }, { at: t(3), actor: idp, correlationId: 'r3' });
    const events = lifecycle.stream<never>('group-g1');
    expect(groupAsOf(events, t(1))).toMatchObject({ status: 'live', displayName: 'Ops', roles: [] });
    expect(groupAsOf(events, t(2))).toMatchObject({ status: 'live', roles: ['ops'] });
    expect(groupAsOf(events, t(3))).toMatchObject({ status: 'deleted' });
  });
});
