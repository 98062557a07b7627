import {
  evolveGroup,
  evolveUser,
  fold,
  groupDecider,
  initialUserState,
  userDecider,
  type DomainEvent,
  type GroupEvent,
  type UserEvent,
} from '@scim/domain';
import { publicEventOf, publicTypeOf, resourceNeeded, type ResourceAtEvent, type SourceEvent } from './public-event-of';
import { documentedEventSchemas } from '../../../test/support/event-schemas';
import type { PublicEvent } from './vocabulary';

const baseUrl = 'https://scim.test/scim/v2/a1';
const at = '2026-03-01T10:00:00.000Z';
const later = '2026-03-02T10:00:00.000Z';

const schemas = documentedEventSchemas();

/**
 * Validates the event against docs/events/<type>.schema.json, so the documentation cannot drift,
 * and checks that readers filtering by type before mapping (publicTypeOf) would have kept it.
 */
function expectDocumented(event: PublicEvent | undefined): PublicEvent {
  expect(event).toBeDefined();
  expect(publicTypeOf(lastSourceType)).toBe(event!.type);
  const validate = schemas.get(event!.type)!;
  expect(validate(event) ? [] : validate.errors).toEqual([]);
  return event!;
}

let position = 0;
let lastSourceType = '';
function recorded(event: DomainEvent, revision: number): SourceEvent {
  lastSourceType = event.type;
  position += 1;
  return { id: `e${position}`, type: event.type, data: event.data as Record<string, unknown>, accountId: 'a1', occurredAt: later, correlationId: 'req-1', position, revision };
}

/** given the user's stream so far, when this event is recorded, then this public event. */
function whenUserEvent(history: readonly UserEvent[], event: UserEvent): PublicEvent | undefined {
  const source = recorded(event, history.length);
  expect(resourceNeeded(source)).toEqual({ kind: 'user', userId: 'u1' });
  const user = fold(userDecider, [...history, event]);
  return publicEventOf(source, { user }, baseUrl);
}

function whenGroupEvent(history: readonly GroupEvent[], event: DomainEvent, revision: number): PublicEvent | undefined {
  const source = recorded(event, revision);
  expect(resourceNeeded(source)).toEqual({ kind: 'group', groupId: 'g1' });
  const lifecycle = event.type.startsWith('GroupMembers') ? history : [...history, event as GroupEvent];
  return publicEventOf(source, { group: fold(groupDecider, lifecycle) }, baseUrl);
}

const profile = { userName: 'ada@acme.test', name: { givenName: 'Ada' }, externalId: 'okta-1' };
const provisioned: UserEvent = { type: 'UserProvisioned', data: { userId: 'u1', accountId: 'a1', profile, active: true, provisionedAt: at } };
const groupCreated: GroupEvent = { type: 'GroupCreated', data: { groupId: 'g1', accountId: 'a1', displayName: 'Engineering', source: 'SCIM', createdAt: at } };

describe('public event vocabulary', () => {
  it('user.created carries the SCIM user at that revision, the account, time and request id; its id is derived from the recorded one', () => {
    const event = expectDocumented(whenUserEvent([], provisioned));
    expect(event).toEqual({
      id: `evt_e${position}`,
      type: 'user.created',
      version: 1,
      accountId: 'a1',
      occurredAt: later,
      requestId: 'req-1',
      cursor: String(position),
      data: {
        source: 'scim',
        user: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          id: 'u1',
          externalId: 'okta-1',
          userName: 'ada@acme.test',
          name: { givenName: 'Ada' },
          active: true,
          meta: { resourceType: 'User', created: at, lastModified: at, location: `${baseUrl}/Users/u1`, version: 'W/"0"' },
        },
      },
    });
  });

  it('a manual user created by an administrator is a user.created with source manual', () => {
    const event = expectDocumented(whenUserEvent([], { type: 'ManualUserCreated', data: { userId: 'u1', accountId: 'a1', profile, createdAt: at } }));
    expect(event.data.source).toBe('manual');
  });

  it('user.updated names the changed and removed attributes, with the user after the change', () => {
    const event = expectDocumented(
      whenUserEvent([provisioned], { type: 'UserAttributesUpdated', data: { userId: 'u1', changed: { title: 'CTO' }, removed: ['name'], updatedAt: later } }),
    );
    expect(event.type).toBe('user.updated');
    expect(event.data.changedAttributes).toEqual(['name', 'title']);
    expect(event.data.user).toMatchObject({ title: 'CTO', meta: { version: 'W/"1"', lastModified: later } });
    expect(event.data.user).not.toHaveProperty('name');
  });

  it('deactivation, reactivation and deletion each have their type, with active as it is after the change', () => {
    const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: later } };
    expect(expectDocumented(whenUserEvent([provisioned], deactivated))).toMatchObject({ type: 'user.deactivated', data: { user: { active: false } } });
    const reactivated: UserEvent = { type: 'UserReactivated', data: { userId: 'u1', reactivatedAt: later } };
    expect(expectDocumented(whenUserEvent([provisioned, deactivated], reactivated))).toMatchObject({ type: 'user.reactivated', data: { user: { active: true } } });
    const deleted: UserEvent = { type: 'UserDeprovisioned', data: { userId: 'u1', userName: 'ada@acme.test', deprovisionedAt: later } };
    expect(expectDocumented(whenUserEvent([provisioned], deleted))).toMatchObject({ type: 'user.deleted', data: { user: { id: 'u1', userName: 'ada@acme.test' } } });
  });

  it('user.converted keeps the manual roles as pre-existing', () => {
    const manual: UserEvent = { type: 'ManualUserCreated', data: { userId: 'u1', accountId: 'a1', profile, createdAt: at } };
    const assigned: UserEvent = { type: 'RoleAssignedManually', data: { userId: 'u1', role: 'billing', assignedAt: at } };
    const converted: UserEvent = { type: 'UserConvertedToScim', data: { userId: 'u1', accountId: 'a1', profile, active: true, preExistingRoles: ['billing'], convertedAt: later } };
    const event = expectDocumented(whenUserEvent([manual, assigned], converted));
    expect(event).toMatchObject({ type: 'user.converted', data: { source: 'scim', preExistingRoles: ['billing'] } });
  });

  it('user.roles_changed carries the effective roles after the change and its cause', () => {
    const manual: UserEvent = { type: 'RoleAssignedManually', data: { userId: 'u1', role: 'billing', assignedAt: at } };
    const granted: UserEvent = { type: 'RoleGrantedViaGroup', data: { userId: 'u1', role: 'admin', groupId: 'g1', grantedAt: later } };
    expect(expectDocumented(whenUserEvent([provisioned, manual], granted)).data).toMatchObject({
      roles: ['admin', 'billing'],
      cause: { kind: 'granted-via-group', role: 'admin', groupId: 'g1' },
    });
    const revoked: UserEvent = { type: 'RoleRevokedViaGroup', data: { userId: 'u1', role: 'admin', groupId: 'g1', reason: 'membership-removed', revokedAt: later } };
    expect(expectDocumented(whenUserEvent([provisioned, manual, granted], revoked)).data).toMatchObject({
      roles: ['billing'],
      cause: { kind: 'revoked-via-group', role: 'admin', groupId: 'g1', reason: 'membership-removed' },
    });
    const removed: UserEvent = { type: 'RoleRemovedManually', data: { userId: 'u1', role: 'billing', removedAt: later } };
    expect(expectDocumented(whenUserEvent([provisioned, manual], removed)).data).toMatchObject({ roles: [], cause: { kind: 'role-removed', role: 'billing' } });
  });

  it('an inactive user holds no effective role, whatever it is granted', () => {
    const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId: 'u1', deactivatedAt: at } };
    const granted: UserEvent = { type: 'RoleGrantedViaGroup', data: { userId: 'u1', role: 'admin', groupId: 'g1', grantedAt: later } };
    expect(expectDocumented(whenUserEvent([provisioned, deactivated], granted)).data.roles).toEqual([]);
  });

  it('group lifecycle events carry the group without members; renames and mappings are group.updated', () => {
    expect(expectDocumented(whenGroupEvent([], groupCreated, 0))).toMatchObject({
      type: 'group.created',
      data: { group: { id: 'g1', displayName: 'Engineering', meta: { location: `${baseUrl}/Groups/g1` } }, source: 'SCIM', roles: [] },
    });
    const renamed: GroupEvent = { type: 'GroupRenamed', data: { groupId: 'g1', displayName: 'Eng', renamedAt: later } };
    expect(expectDocumented(whenGroupEvent([groupCreated], renamed, 1))).toMatchObject({ type: 'group.updated', data: { group: { displayName: 'Eng' }, changedAttributes: ['displayName'] } });
    const mapped: GroupEvent = { type: 'GroupRoleMappingChanged', data: { groupId: 'g1', roles: ['admin'], previousRoles: [], changedAt: later } };
    expect(expectDocumented(whenGroupEvent([groupCreated], mapped, 1))).toMatchObject({ type: 'group.updated', data: { roles: ['admin'], previousRoles: [], changedAttributes: ['roles'] } });
    const externalId: GroupEvent = { type: 'GroupExternalIdChanged', data: { groupId: 'g1', externalId: 'x', changedAt: later } };
    expect(expectDocumented(whenGroupEvent([groupCreated], externalId, 1))).toMatchObject({ type: 'group.updated', data: { group: { externalId: 'x' }, changedAttributes: ['externalId'] } });
    const deleted: GroupEvent = { type: 'GroupDeleted', data: { groupId: 'g1', deletedAt: later } };
    expect(expectDocumented(whenGroupEvent([groupCreated], deleted, 1)).type).toBe('group.deleted');
  });

  it('membership deltas name the members that moved, with the group as it was then', () => {
    const added = { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: 'a1', members: ['u1', 'u2'], addedAt: later } };
    expect(expectDocumented(whenGroupEvent([groupCreated], added, 0))).toMatchObject({
      type: 'group.members_added',
      data: { group: { displayName: 'Engineering' }, members: [{ value: 'u1', $ref: `${baseUrl}/Users/u1` }, { value: 'u2', $ref: `${baseUrl}/Users/u2` }] },
    });
    const removed = { type: 'GroupMembersRemoved', data: { groupId: 'g1', accountId: 'a1', members: ['u2'], removedAt: later } };
    expect(expectDocumented(whenGroupEvent([groupCreated], removed, 1))).toMatchObject({ type: 'group.members_removed', data: { members: [{ value: 'u2' }] } });
  });

  it('a refused IdP request is provisioning.rejected with what the IdP was answered', () => {
    const source = recorded(
      {
        type: 'ProvisioningRejected',
        data: {
          accountId: 'a1',
          resourceType: 'User',
          userName: 'ada@acme.test',
          reason: 'request-refused',
          refusal: { method: 'POST', status: 400, scimType: 'invalidValue', detail: 'userName is required' },
          rejectedAt: at,
        },
      },
      0,
    );
    expect(resourceNeeded(source)).toBeUndefined();
    expect(expectDocumented(publicEventOf(source, {}, baseUrl))).toMatchObject({
      type: 'provisioning.rejected',
      data: { resourceType: 'User', userName: 'ada@acme.test', refusal: { status: 400, scimType: 'invalidValue' } },
    });
  });

  it('a token about to expire is scim.token_expiring, without its hash', () => {
    const source = recorded({ type: 'ScimTokenExpiring', data: { accountId: 'a1', tokenId: 't1', label: 'Okta', expiresAt: later, noticedAt: at } }, 3);
    expect(expectDocumented(publicEventOf(source, {}, baseUrl)).data).toEqual({ tokenId: 't1', label: 'Okta', expiresAt: later });
  });

  it('internal events (credentials, reservations, webhooks themselves) have no public counterpart', () => {
    const internal: DomainEvent[] = [
      { type: 'ScimTokenIssued', data: { accountId: 'a1', tokenId: 't1', secretHash: 'h', label: '', issuedAt: at, expiresAt: later } },
      { type: 'AccountAdminKeyIssued', data: { accountId: 'a1', keyId: 'k', secretHash: 'h', label: '', issuedAt: at } },
      { type: 'WebhookEndpointRegistered', data: { accountId: 'a1', endpointId: 'w', url: 'https://x.test', eventTypes: null, description: '', secretVersion: 1, registeredAt: at } },
      { type: 'UserNameReserved', data: { userId: 'u1', accountId: 'a1' } },
    ];
    for (const event of internal) {
      expect(publicEventOf(recorded(event, 0), {}, baseUrl)).toBeUndefined();
      expect(publicTypeOf(event.type)).toBeUndefined();
    }
  });

  it('the same recorded event always maps to the same public event (redeliveries are identical)', () => {
    const source = recorded(provisioned, 0);
    const resource: ResourceAtEvent = { user: evolveUser(initialUserState, provisioned) };
    expect(publicEventOf(source, resource, baseUrl)).toEqual(publicEventOf(source, resource, baseUrl));
  });

  it("never describes another account's user or group", () => {
    const elsewhere: UserEvent = { type: 'UserProvisioned', data: { ...provisioned.data, accountId: 'a2' } } as UserEvent;
    expect(publicEventOf(recorded(provisioned, 0), { user: evolveUser(initialUserState, elsewhere) }, baseUrl)).toBeUndefined();
    const otherGroup: GroupEvent = { type: 'GroupCreated', data: { ...groupCreated.data, accountId: 'a2' } } as GroupEvent;
    expect(publicEventOf(recorded(groupCreated, 0), { group: evolveGroup({ status: 'absent' }, otherGroup) }, baseUrl)).toBeUndefined();
  });

  it('an event whose aggregate could not be folded maps to nothing rather than to a half event', () => {
    expect(publicEventOf(recorded(provisioned, 0), {}, baseUrl)).toBeUndefined();
    expect(publicEventOf(recorded(groupCreated, 0), { group: evolveGroup({ status: 'absent' }, { type: 'GroupDeleted', data: { groupId: 'g1', deletedAt: at } }) }, baseUrl)).toBeUndefined();
  });
});
