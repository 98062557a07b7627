import { specFor } from '../testing/decider-spec';
import { fold } from '../decider';
import { activeOf, userDecider, type ExistingUser } from './user.decider';
import type { UserEvent, UserProvisioned } from './user.events';

const spec = specFor(userDecider);
const at = '2026-01-02T03:04:05.000Z';
const later = '2026-01-03T00:00:00.000Z';
const profile = { userName: 'ada@example.com', name: { givenName: 'Ada' }, title: 'Engineer' };
const provisioned: UserProvisioned = {
  type: 'UserProvisioned',
  data: { userId: 'u1', accountId: 'acc1', profile, active: true, provisionedAt: at },
};

describe('user decider', () => {
  describe('ProvisionUser', () => {
    it('provisions a new user with its profile and lifecycle', () =>
      spec
        .given([])
        .when({ type: 'ProvisionUser', userId: 'u1', accountId: 'acc1', profile, active: true, at })
        .then([provisioned]));

    it('rejects a second provisioning of the same id', () =>
      spec
        .given([provisioned])
        .when({ type: 'ProvisionUser', userId: 'u1', accountId: 'acc1', profile, active: true, at })
        .thenRejects('user_already_exists'));
  });

  describe('UpdateUser', () => {
    it('records only the attributes that changed and those removed', () =>
      spec
        .given([provisioned])
        .when({ type: 'UpdateUser', accountId: 'acc1', profile: { userName: 'ada@example.com', name: { givenName: 'Ada' }, nickName: 'A' }, at: later })
        .then([
          { type: 'UserAttributesUpdated', data: { userId: 'u1', changed: { nickName: 'A' }, removed: ['title'], updatedAt: later } },
        ]));

    it('records nothing when the profile is the same, whatever the key order', () =>
      spec
        .given([provisioned])
        .when({ type: 'UpdateUser', accountId: 'acc1', profile: { title: 'Engineer', name: { givenName: 'Ada' }, userName: 'ada@example.com' }, active: true, at: later })
        .then([]));

    describe('active removed (RFC 7644 §3.5.2.2: unassigned, treated as inactive)', () => {
      const unassigned: UserEvent = { type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: later, unassigned: true } };
      const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: at } };
      const update = (active: boolean | null) => ({ type: 'UpdateUser' as const, accountId: 'acc1', profile, active, at: later });

      it('deactivates an active or inactive user, once', () => {
        spec.given([provisioned]).when(update(null)).then([unassigned]);
        spec.given([provisioned, deactivated]).when(update(null)).then([unassigned]);
        spec.given([provisioned, unassigned]).when(update(null)).then([]);
      });

      it('leaves the user inactive with no value, until a value is given again', () => {
        const state = fold(userDecider, [provisioned, unassigned]);
        expect(state.status === 'inactive' && activeOf(state)).toBeNull();
        expect(activeOf(fold(userDecider, [provisioned, unassigned, deactivated]) as ExistingUser)).toBe(false);
        expect(activeOf(fold(userDecider, [provisioned, unassigned, { type: 'UserReactivated', data: { userId: 'u1', reactivatedAt: later } }]) as ExistingUser)).toBe(true);
      });

      it('records the value given after it: false is a deactivation of its own, true a reactivation', () => {
        spec.given([provisioned, unassigned]).when(update(false)).then([{ type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: later } }]);
        spec.given([provisioned, unassigned]).when(update(true)).then([{ type: 'UserReactivated', data: { userId: 'u1', reactivatedAt: later } }]);
      });
    });

    it('deactivates an active user', () =>
      spec
        .given([provisioned])
        .when({ type: 'UpdateUser', accountId: 'acc1', profile, active: false, at: later })
        .then([{ type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: later } }]));

    it('reactivates an inactive user and keeps attribute changes in the same decision', () =>
      spec
        .given([provisioned, { type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: at } }])
        .when({ type: 'UpdateUser', accountId: 'acc1', profile: { ...profile, title: 'CTO' }, active: true, at: later })
        .then([
          { type: 'UserAttributesUpdated', data: { userId: 'u1', changed: { title: 'CTO' }, removed: [], updatedAt: later } },
          { type: 'UserReactivated', data: { userId: 'u1', reactivatedAt: later } },
        ]));

    it('leaves the lifecycle alone when active is omitted', () =>
      spec
        .given([provisioned, { type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: at } }])
        .when({ type: 'UpdateUser', accountId: 'acc1', profile, at: later })
        .then([]));

    it('rejects an update of a missing user', () =>
      spec.given([]).when({ type: 'UpdateUser', accountId: 'acc1', profile, at }).thenRejects('user_not_found'));

    it('rejects an update through another account as if the user did not exist', () =>
      spec.given([provisioned]).when({ type: 'UpdateUser', accountId: 'acc2', profile, at }).thenRejects('user_not_found'));

    it('rejects an update of a deprovisioned user', () =>
      spec
        .given([provisioned, { type: 'UserDeprovisioned', data: { userId: 'u1', userName: profile.userName, deprovisionedAt: at } }])
        .when({ type: 'UpdateUser', accountId: 'acc1', profile, at })
        .thenRejects('user_not_found'));
  });

  describe('DeprovisionUser', () => {
    it('deprovisions a live user, recording the userName it released', () =>
      spec
        .given([provisioned])
        .when({ type: 'DeprovisionUser', accountId: 'acc1', at: later })
        .then([{ type: 'UserDeprovisioned', data: { userId: 'u1', userName: 'ada@example.com', deprovisionedAt: later } }]));

    it('rejects a second deprovisioning (RFC 7644 §3.6: the resource is gone)', () =>
      spec
        .given([provisioned, { type: 'UserDeprovisioned', data: { userId: 'u1', userName: profile.userName, deprovisionedAt: at } }])
        .when({ type: 'DeprovisionUser', accountId: 'acc1', at: later })
        .thenRejects('user_not_found'));

    it('rejects deprovisioning from another account', () =>
      spec.given([provisioned]).when({ type: 'DeprovisionUser', accountId: 'acc2', at }).thenRejects('user_not_found'));
  });

  describe('EraseUser', () => {
    const deprovisioned: UserEvent = { type: 'UserDeprovisioned', data: { userId: 'u1', userName: profile.userName, deprovisionedAt: at } };
    const erase = { type: 'EraseUser', accountId: 'acc1', reason: 'GDPR request #12', keyId: 'k1', at: later } as const;
    const erased: UserEvent = { type: 'UserErased', data: { userId: 'u1', accountId: 'acc1', keyId: 'k1', reason: 'GDPR request #12', erasedAt: later } };

    it('deprovisions a live user first, then records the erasure', () =>
      spec
        .given([provisioned])
        .when(erase)
        .then([{ type: 'UserDeprovisioned', data: { userId: 'u1', userName: 'ada@example.com', deprovisionedAt: later } }, erased]));

    it('erases a deprovisioned user without deprovisioning it again', () => spec.given([provisioned, deprovisioned]).when(erase).then([erased]));

    it('erases a manual user, which the IdP could never deprovision', () =>
      spec
        .given([{ type: 'ManualUserCreated', data: { userId: 'u1', accountId: 'acc1', profile, createdAt: at } }])
        .when({ ...erase, keyId: null })
        .then([
          { type: 'UserDeprovisioned', data: { userId: 'u1', userName: 'ada@example.com', deprovisionedAt: later } },
          { type: 'UserErased', data: { userId: 'u1', accountId: 'acc1', keyId: null, reason: 'GDPR request #12', erasedAt: later } },
        ]));

    it('records nothing for a user already erased', () => spec.given([provisioned, deprovisioned, erased]).when(erase).then([]));

    it('keeps the reason without surrounding blanks', () =>
      spec.given([provisioned, deprovisioned]).when({ ...erase, reason: '  retention  ' }).then([{ ...erased, data: { ...erased.data, reason: 'retention' } } as UserEvent]));

    it('rejects an erasure without a reason', () => spec.given([provisioned]).when({ ...erase, reason: ' ' }).thenRejects('erasure_reason_required'));

    it('rejects an unknown user and a user of another account alike', () => {
      spec.given([]).when(erase).thenRejects('user_not_found');
      spec.given([provisioned]).when({ ...erase, accountId: 'acc2' }).thenRejects('user_not_found');
    });

    it('leaves an erased user with no personal value, and refuses every later change', () => {
      const state = fold(userDecider, [provisioned, deprovisioned, erased]);
      expect(state).toMatchObject({ status: 'deprovisioned', profile: { userName: '[erased]' }, erasedAt: later });
      expect(JSON.stringify(state)).not.toContain('Ada');
      spec.given([provisioned, deprovisioned, erased]).when({ type: 'UpdateUser', accountId: 'acc1', profile, at: later }).thenRejects('user_not_found');
    });
  });

  describe('evolve', () => {
    it('folds a whole lifecycle, keeping history times', () => {
      const history: UserEvent[] = [
        provisioned,
        { type: 'UserAttributesUpdated', data: { userId: 'u1', changed: { title: 'CTO' }, removed: ['name'], updatedAt: later } },
        { type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: later } },
      ];
      expect(fold(userDecider, history)).toEqual({
        status: 'inactive',
        userId: 'u1',
        accountId: 'acc1',
        source: 'scim',
        profile: { userName: 'ada@example.com', title: 'CTO' },
        createdAt: at,
        updatedAt: later,
        manualRoles: new Map(),
        groupRoles: new Map(),
      });
    });

    it('ignores events for a user it never saw instead of throwing', () => {
      expect(fold(userDecider, [{ type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: at } }])).toEqual({ status: 'absent' });
    });
  });
});
