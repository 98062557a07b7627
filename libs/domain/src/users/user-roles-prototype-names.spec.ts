import { fold } from '../decider';
import { heldRoles, roleHolders, usersAsOf } from '../history/access-as-of';
import { specFor } from '../testing/decider-spec';
import { userDecider, type ExistingUser } from './user.decider';
import type { UserEvent } from './user.events';

/**
 * Issue 12: role names are chosen by account admins, and these are keys of every plain object.
 * Each must be an ordinary role: granted, kept, revoked and reported like "billing".
 */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

const spec = specFor(userDecider);
const at = '2026-02-01T00:00:00.000Z';
const later = '2026-03-01T00:00:00.000Z';
const profile = { userName: 'grace@example.com' };
const scim: UserEvent = { type: 'UserProvisioned', data: { userId: 'u1', accountId: 'a1', profile, active: true, provisionedAt: at } };
const manual: UserEvent = { type: 'ManualUserCreated', data: { userId: 'u1', accountId: 'a1', profile, createdAt: at } };
const assigned = (role: string): UserEvent => ({ type: 'RoleAssignedManually', data: { userId: 'u1', role, assignedAt: at } });
const removed = (role: string): UserEvent => ({ type: 'RoleRemovedManually', data: { userId: 'u1', role, removedAt: later } });
const granted = (role: string, groupId: string): UserEvent => ({ type: 'RoleGrantedViaGroup', data: { userId: 'u1', role, groupId, grantedAt: at } });
const revoked = (role: string, groupId: string): UserEvent => ({
  type: 'RoleRevokedViaGroup',
  data: { userId: 'u1', role, groupId, reason: 'membership-removed', revokedAt: later },
});

describe.each(PROTOTYPE_NAMES)('user decider: a role named %s', (role) => {
  it('given a SCIM user, when a group grants it, then it is granted once', () => {
    spec.given([scim]).when({ type: 'GrantRolesViaGroup', groupId: 'g1', roles: [role, 'billing'], at }).then([granted(role, 'g1'), granted('billing', 'g1')]);
    spec.given([scim, granted(role, 'g1')]).when({ type: 'GrantRolesViaGroup', groupId: 'g1', roles: [role], at }).then([]);
  });

  it('given grants by two groups, when one stops, then only its grant is revoked and the role stays', () => {
    const history = [scim, granted(role, 'g1'), granted(role, 'g2')];
    spec.given(history).when({ type: 'RevokeRolesViaGroup', groupId: 'g1', reason: 'membership-removed', at: later }).then([revoked(role, 'g1')]);
    const after = fold(userDecider, [...history, revoked(role, 'g1')]) as ExistingUser;
    expect(after.groupRoles).toEqual(new Map([[role, [{ groupId: 'g2', since: at }]]]));
    expect(heldRoles(after)).toEqual([role]);
    const gone = fold(userDecider, [...history, revoked(role, 'g1'), revoked(role, 'g2')]) as ExistingUser;
    expect(heldRoles(gone)).toEqual([]);
  });

  it('given no grant, when the group is deleted, then nothing is revoked', () =>
    spec.given([scim, granted('billing', 'g1')]).when({ type: 'RevokeRolesViaGroup', groupId: 'g1', roles: [role], reason: 'mapping-changed', at }).then([]));

  it('given a manual user without it, when an admin assigns it, then it is assigned (once)', () => {
    const assign = { type: 'AssignRoleManually', accountId: 'a1', role, knownRoles: [role], at } as const;
    spec.given([manual]).when(assign).then([assigned(role)]);
    spec.given([manual, assigned(role)]).when(assign).then([]);
  });

  it('given a user without it, when an admin removes it, then the refusal says it is not held', () =>
    spec.given([scim]).when({ type: 'RemoveRoleManually', accountId: 'a1', role, at }).thenRejects('role_not_assigned'));

  it('given it via a group only, when an admin removes it, then the refusal names the group', () => {
    expect(() => userDecider.decide({ type: 'RemoveRoleManually', accountId: 'a1', role, at }, fold(userDecider, [scim, granted(role, 'g1')]))).toThrow(
      expect.objectContaining({ code: 'role_granted_via_group', details: { role, groupIds: ['g1'] } }),
    );
  });

  it('given it assigned by hand, when removed, then the user holds no role', () => {
    spec.given([manual, assigned(role)]).when({ type: 'RemoveRoleManually', accountId: 'a1', role, at: later }).then([removed(role)]);
    expect(heldRoles(fold(userDecider, [manual, assigned(role), removed(role)]))).toEqual([]);
  });

  it('given it assigned by hand, when the IdP takes the user over, then it is kept as pre-existing', () => {
    spec
      .given([manual, assigned(role)])
      .when({ type: 'ConvertUserToScim', accountId: 'a1', profile, active: true, at: later })
      .then([{ type: 'UserConvertedToScim', data: { userId: 'u1', accountId: 'a1', profile, active: true, preExistingRoles: [role], convertedAt: later } }]);
    const converted = fold(userDecider, [
      manual,
      assigned(role),
      { type: 'UserConvertedToScim', data: { userId: 'u1', accountId: 'a1', profile, active: true, preExistingRoles: [role], convertedAt: later } },
    ]) as ExistingUser;
    expect(converted.manualRoles).toEqual(new Map([[role, { since: at, preExisting: true }]]));
  });

  it('who holds it: only the users with a grant, other users and roles untouched', () => {
    const folder = usersAsOf(later);
    const entry = (event: UserEvent, position: number) => ({ event, occurredAt: at, actor: { kind: 'operator' as const }, correlationId: 'r', causationId: 'r', eventId: `e${position}`, streamId: `user-${event.data.userId}`, position });
    const other: UserEvent = { type: 'UserProvisioned', data: { userId: 'u2', accountId: 'a1', profile: { userName: 'other@example.com' }, active: true, provisionedAt: at } };
    [scim, granted(role, 'g1'), assigned(role), other, granted('billing', 'g1')].forEach((event, position) => folder.add(entry(event, position)));
    expect(roleHolders(folder.users(), role).holders).toEqual([
      { userId: 'u1', userName: profile.userName, sources: [{ kind: 'manual', since: at }, { kind: 'group', groupId: 'g1', since: at }] },
    ]);
    expect(roleHolders(folder.users(), 'billing').holders.map((h) => h.userId)).toEqual(['u1']);
    expect(roleHolders(folder.users(), 'billing').holders[0].sources).toEqual([{ kind: 'group', groupId: 'g1', since: at }]);
  });

  it('folding it changes no prototype', () => {
    fold(userDecider, [scim, granted(role, 'g1'), assigned(role), revoked(role, 'g1'), removed(role)]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).since).toBeUndefined();
  });
});
