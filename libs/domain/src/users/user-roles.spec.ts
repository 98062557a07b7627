import { fold } from '../decider';
import { specFor } from '../testing/decider-spec';
import { userDecider, type ExistingUser } from './user.decider';
import type { UserEvent } from './user.events';

const spec = specFor(userDecider);
const at = '2026-02-01T00:00:00.000Z';
const later = '2026-03-01T00:00:00.000Z';
const profile = { userName: 'grace@example.com' };
const manual: UserEvent = { type: 'ManualUserCreated', data: { userId: 'u1', accountId: 'a1', profile, createdAt: at } };
const scim: UserEvent = { type: 'UserProvisioned', data: { userId: 'u1', accountId: 'a1', profile, active: true, provisionedAt: at } };
const assigned = (role: string): UserEvent => ({ type: 'RoleAssignedManually', data: { userId: 'u1', role, assignedAt: at } });
const granted = (role: string, groupId: string): UserEvent => ({ type: 'RoleGrantedViaGroup', data: { userId: 'u1', role, groupId, grantedAt: at } });

describe('user decider: manual users, conversion and roles', () => {
  describe('CreateManualUser', () => {
    it('creates a manual user', () =>
      spec.given([]).when({ type: 'CreateManualUser', userId: 'u1', accountId: 'a1', profile, at }).then([manual]));
    it('rejects an existing id', () =>
      spec.given([manual]).when({ type: 'CreateManualUser', userId: 'u1', accountId: 'a1', profile, at }).thenRejects('user_already_exists'));
  });

  describe('ConvertUserToScim (matching: a manual user of this account holds the userName)', () => {
    it('converts keeping the id and marking manual roles as pre-existing', () => {
      spec
        .given([manual, assigned('billing'), assigned('admin')])
        .when({ type: 'ConvertUserToScim', accountId: 'a1', profile: { userName: 'Grace@example.com', title: 'CFO' }, active: true, at: later })
        .then([
          {
            type: 'UserConvertedToScim',
            data: { userId: 'u1', accountId: 'a1', profile: { userName: 'Grace@example.com', title: 'CFO' }, active: true, preExistingRoles: ['admin', 'billing'], convertedAt: later },
          },
        ]);
      const state = fold(userDecider, [
        manual,
        assigned('billing'),
        { type: 'UserConvertedToScim', data: { userId: 'u1', accountId: 'a1', profile, active: true, preExistingRoles: ['billing'], convertedAt: later } },
      ]) as ExistingUser;
      expect(state.source).toBe('scim');
      expect(state.manualRoles).toEqual(new Map([['billing', { since: at, preExisting: true }]]));
      expect(state.convertedAt).toBe(later);
    });

    it('refuses to convert a SCIM user (that is a uniqueness conflict)', () =>
      spec.given([scim]).when({ type: 'ConvertUserToScim', accountId: 'a1', profile, active: true, at }).thenRejects('user_not_manual'));
    it('refuses to convert across accounts', () =>
      spec.given([manual]).when({ type: 'ConvertUserToScim', accountId: 'a2', profile, active: true, at }).thenRejects('user_not_found'));
  });

  describe('the IdP cannot touch manual users', () => {
    it('UpdateUser on a manual user is not found', () =>
      spec.given([manual]).when({ type: 'UpdateUser', accountId: 'a1', profile, at }).thenRejects('user_not_found'));
    it('DeprovisionUser on a manual user is not found', () =>
      spec.given([manual]).when({ type: 'DeprovisionUser', accountId: 'a1', at }).thenRejects('user_not_found'));
  });

  describe('manual roles', () => {
    const assign = (role: string) => ({ type: 'AssignRoleManually', accountId: 'a1', role, knownRoles: ['admin', 'billing'], at }) as const;
    it('assigns a catalogue role once', () => {
      spec.given([manual]).when(assign('admin')).then([assigned('admin')]);
      spec.given([manual, assigned('admin')]).when(assign('admin')).then([]);
    });
    it('refuses a role outside the catalogue', () => spec.given([manual]).when(assign('root')).thenRejects('unknown_role'));
    it('removes a manual role, also a pre-existing one after conversion', () =>
      spec
        .given([manual, assigned('billing'), { type: 'UserConvertedToScim', data: { userId: 'u1', accountId: 'a1', profile, active: true, preExistingRoles: ['billing'], convertedAt: at } }])
        .when({ type: 'RemoveRoleManually', accountId: 'a1', role: 'billing', at: later })
        .then([{ type: 'RoleRemovedManually', data: { userId: 'u1', role: 'billing', removedAt: later } }]));
    it('refuses to remove a group-derived role, naming the groups', () => {
      let error: unknown;
      try {
        userDecider.decide({ type: 'RemoveRoleManually', accountId: 'a1', role: 'admin', at }, fold(userDecider, [scim, granted('admin', 'g1'), granted('admin', 'g2')]));
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'role_granted_via_group', details: { role: 'admin', groupIds: ['g1', 'g2'] } });
      expect((error as Error).message).toMatch(/identity provider/);
    });
    it('removing the manual half of a role also granted by a group keeps the group grant', () => {
      spec
        .given([scim, assigned('admin'), granted('admin', 'g1')])
        .when({ type: 'RemoveRoleManually', accountId: 'a1', role: 'admin', at })
        .then([{ type: 'RoleRemovedManually', data: { userId: 'u1', role: 'admin', removedAt: at } }]);
    });
    it('refuses to remove a role the user does not hold', () =>
      spec.given([scim]).when({ type: 'RemoveRoleManually', accountId: 'a1', role: 'admin', at }).thenRejects('role_not_assigned'));
  });

  describe('roles via groups', () => {
    it('grants only what the group does not grant yet (idempotent)', () =>
      spec
        .given([scim, granted('admin', 'g1')])
        .when({ type: 'GrantRolesViaGroup', groupId: 'g1', roles: ['admin', 'billing', 'billing'], at })
        .then([granted('billing', 'g1')]));

    it('a role granted by several groups stays until the last stops granting it', () => {
      const history = [scim, granted('admin', 'g1'), granted('admin', 'g2')];
      spec
        .given(history)
        .when({ type: 'RevokeRolesViaGroup', groupId: 'g1', reason: 'membership-removed', at })
        .then([{ type: 'RoleRevokedViaGroup', data: { userId: 'u1', role: 'admin', groupId: 'g1', reason: 'membership-removed', revokedAt: at } }]);
      const after = fold(userDecider, [
        ...history,
        { type: 'RoleRevokedViaGroup', data: { userId: 'u1', role: 'admin', groupId: 'g1', reason: 'membership-removed', revokedAt: at } },
      ]) as ExistingUser;
      expect(after.groupRoles).toEqual(new Map([['admin', [{ groupId: 'g2', since: at }]]]));
    });

    it('revokes only the named roles of a group on a mapping change', () =>
      spec
        .given([scim, granted('admin', 'g1'), granted('billing', 'g1')])
        .when({ type: 'RevokeRolesViaGroup', groupId: 'g1', roles: ['billing'], reason: 'mapping-changed', at })
        .then([{ type: 'RoleRevokedViaGroup', data: { userId: 'u1', role: 'billing', groupId: 'g1', reason: 'mapping-changed', revokedAt: at } }]));

    it('revokes nothing that the group does not grant', () =>
      spec.given([scim, granted('admin', 'g2')]).when({ type: 'RevokeRolesViaGroup', groupId: 'g1', reason: 'group-deleted', at }).then([]));

    it('ignores grants for users that are gone or never existed', () => {
      spec.given([]).when({ type: 'GrantRolesViaGroup', groupId: 'g1', roles: ['admin'], at }).then([]);
      spec
        .given([scim, { type: 'UserDeprovisioned', data: { userId: 'u1', userName: profile.userName, deprovisionedAt: at } }])
        .when({ type: 'GrantRolesViaGroup', groupId: 'g1', roles: ['admin'], at })
        .then([]);
    });

    it('keeps grants while deactivated (they are not effective; reactivation restores them)', () => {
      const state = fold(userDecider, [scim, granted('admin', 'g1'), { type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: at } }]) as ExistingUser;
      expect(state.status).toBe('inactive');
      expect(state.groupRoles.get('admin')).toEqual([{ groupId: 'g1', since: at }]);
    });
  });
});
