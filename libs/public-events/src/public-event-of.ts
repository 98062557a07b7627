import { effectiveRoles } from '@scim/domain/history';
import {
  type AccountEvent,
  type ExistingUser,
  type GroupEvent,
  type GroupMembershipEvent,
  type GroupState,
  type ProvisioningRejected,
  type UserEvent,
  type UserState,
} from '@scim/domain';
import { renderGroup, renderUser, type ScimResource } from '@scim/scim-protocol';
import { PUBLIC_EVENT_VERSION, type PublicEvent, type PublicEventType, type RolesChangeCause } from './vocabulary';

/** A recorded event, as much of it as the mapping reads (upcast to its newest data shape). */
export interface SourceEvent {
  readonly id: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly accountId: string;
  readonly occurredAt: string;
  readonly correlationId?: string;
  readonly position: number;
  /** Revision of the event in its own stream (the user's `meta.version` after a user event). */
  readonly revision: number;
}

/**
 * The aggregate a public event describes, as it was right after the source event: the user after a
 * user event, the group (its lifecycle stream) at a membership delta. The caller folds it from the
 * write side (the stream up to the event), never from a read model that may be ahead or behind.
 */
export type ResourceNeeded = { readonly kind: 'user'; readonly userId: string } | { readonly kind: 'group'; readonly groupId: string };

export type ResourceAtEvent = { readonly user: UserState } | { readonly group: GroupState } | Record<string, never>;

/** The public type of each internal event type that has one (one each: a reader can filter before mapping). */
const publicTypes: ReadonlyMap<string, PublicEventType> = new Map<(UserEvent | GroupEvent | GroupMembershipEvent | ProvisioningRejected | AccountEvent)['type'], PublicEventType>([
  ['UserProvisioned', 'user.created'],
  ['ManualUserCreated', 'user.created'],
  ['UserConvertedToScim', 'user.converted'],
  ['UserAttributesUpdated', 'user.updated'],
  ['UserDeactivated', 'user.deactivated'],
  ['UserReactivated', 'user.reactivated'],
  ['UserDeprovisioned', 'user.deleted'],
  ['UserErased', 'user.erased'],
  ['RoleAssignedManually', 'user.roles_changed'],
  ['RoleRemovedManually', 'user.roles_changed'],
  ['RoleGrantedViaGroup', 'user.roles_changed'],
  ['RoleRevokedViaGroup', 'user.roles_changed'],
  ['GroupCreated', 'group.created'],
  ['GroupRenamed', 'group.updated'],
  ['GroupExternalIdChanged', 'group.updated'],
  ['GroupRoleMappingChanged', 'group.updated'],
  ['GroupDeleted', 'group.deleted'],
  ['GroupMembersAdded', 'group.members_added'],
  ['GroupMembersRemoved', 'group.members_removed'],
  ['ProvisioningRejected', 'provisioning.rejected'],
  ['ScimTokenExpiring', 'scim.token_expiring'],
]);

/** The public type an internal event type is published as; undefined for internal ones. */
export const publicTypeOf = (internalType: string): PublicEventType | undefined => publicTypes.get(internalType);

const userEvents: ReadonlySet<string> = new Set([...publicTypes].filter(([, type]) => type.startsWith('user.')).map(([internal]) => internal));
const groupEvents: ReadonlySet<string> = new Set([...publicTypes].filter(([, type]) => type.startsWith('group.')).map(([internal]) => internal));

/** The aggregate state `publicEventOf` needs for this event, if any. */
export function resourceNeeded(source: SourceEvent): ResourceNeeded | undefined {
  if (userEvents.has(source.type)) return { kind: 'user', userId: String(source.data.userId) };
  if (groupEvents.has(source.type)) return { kind: 'group', groupId: String(source.data.groupId) };
  return undefined;
}

/**
 * The public event for one recorded event, or undefined for an internal one (credentials, role
 * catalogue, webhooks' own configuration, username reservations…). One recorded event gives at
 * most one public event, whose id is the recorded event's: redeliveries and the events API agree.
 * `baseUrl` is the account's SCIM base URL (for `meta.location` and `$ref`s).
 */
export function publicEventOf(source: SourceEvent, resource: ResourceAtEvent, baseUrl: string): PublicEvent | undefined {
  const mapped = mappedData(source, resource, baseUrl);
  if (!mapped) return undefined;
  return {
    id: `evt_${source.id}`,
    type: mapped.type,
    version: PUBLIC_EVENT_VERSION,
    accountId: source.accountId,
    occurredAt: source.occurredAt,
    requestId: source.correlationId ?? null,
    cursor: String(source.position),
    data: mapped.data,
  };
}

type Mapped = { readonly type: PublicEventType; readonly data: Readonly<Record<string, unknown>> } | undefined;

function mappedData(source: SourceEvent, resource: ResourceAtEvent, baseUrl: string): Mapped {
  // An aggregate of another account is never described, whatever an event refers to.
  if (userEvents.has(source.type)) {
    const user = 'user' in resource ? resource.user : undefined;
    return user && user.status !== 'absent' && user.accountId === source.accountId ? userEventData(source.type as UserEvent['type'], source, user, baseUrl) : undefined;
  }
  if (groupEvents.has(source.type)) {
    const group = 'group' in resource ? resource.group : undefined;
    return group && group.status !== 'absent' && group.accountId === source.accountId ? groupEventData(source, group, baseUrl) : undefined;
  }
  if (source.type === 'ProvisioningRejected') return { type: 'provisioning.rejected', data: rejectionData(source.data as ProvisioningRejected['data']) };
  if (source.type === 'ScimTokenExpiring') {
    const { tokenId, label, expiresAt } = source.data;
    return { type: 'scim.token_expiring', data: { tokenId, label, expiresAt } };
  }
  return undefined;
}

function userEventData(type: UserEvent['type'], source: SourceEvent, user: ExistingUser, baseUrl: string): Mapped {
  const scim = userResource(user, source.revision, baseUrl);
  const base = { user: scim, source: user.source };
  switch (type) {
    case 'UserProvisioned':
    case 'ManualUserCreated':
      return { type: 'user.created', data: base };
    case 'UserConvertedToScim':
      return { type: 'user.converted', data: { ...base, preExistingRoles: source.data.preExistingRoles } };
    case 'UserAttributesUpdated': {
      const changed = Object.keys(source.data.changed as object);
      const changedAttributes = [...changed, ...(source.data.removed as string[])].sort();
      return { type: 'user.updated', data: { ...base, changedAttributes } };
    }
    case 'UserDeactivated':
      return { type: 'user.deactivated', data: base };
    case 'UserReactivated':
      return { type: 'user.reactivated', data: base };
    case 'UserDeprovisioned':
      return { type: 'user.deleted', data: base };
    case 'UserErased':
      return { type: 'user.erased', data: base };
    case 'RoleAssignedManually':
      return rolesChanged(base, user, { kind: 'role-assigned', role: String(source.data.role) });
    case 'RoleRemovedManually':
      return rolesChanged(base, user, { kind: 'role-removed', role: String(source.data.role) });
    case 'RoleGrantedViaGroup':
      return rolesChanged(base, user, { kind: 'granted-via-group', role: String(source.data.role), groupId: String(source.data.groupId) });
    case 'RoleRevokedViaGroup': {
      const { role, groupId, reason } = source.data;
      return rolesChanged(base, user, { kind: 'revoked-via-group', role: String(role), groupId: String(groupId), reason: String(reason) });
    }
    default: {
      const _exhaustive: never = type;
      return undefined;
    }
  }
}

/** `roles`: what the user may do after the change (none while inactive), not only the role that moved. */
const rolesChanged = (base: Record<string, unknown>, user: ExistingUser, cause: RolesChangeCause): Mapped => ({
  type: 'user.roles_changed',
  data: { ...base, roles: effectiveRoles(user), cause },
});

function groupEventData(source: SourceEvent, group: Exclude<GroupState, { status: 'absent' }>, baseUrl: string): Mapped {
  const base = { group: groupResource(group, baseUrl), source: group.source, roles: group.roles };
  const type = source.type as (GroupEvent | GroupMembershipEvent)['type'];
  switch (type) {
    case 'GroupCreated':
      return { type: 'group.created', data: base };
    case 'GroupRenamed':
      return { type: 'group.updated', data: { ...base, changedAttributes: ['displayName'] } };
    case 'GroupExternalIdChanged':
      return { type: 'group.updated', data: { ...base, changedAttributes: ['externalId'] } };
    case 'GroupRoleMappingChanged':
      return { type: 'group.updated', data: { ...base, changedAttributes: ['roles'], previousRoles: source.data.previousRoles } };
    case 'GroupDeleted':
      return { type: 'group.deleted', data: base };
    case 'GroupMembersAdded':
      return { type: 'group.members_added', data: { ...base, members: memberRefs(source, baseUrl) } };
    case 'GroupMembersRemoved':
      return { type: 'group.members_removed', data: { ...base, members: memberRefs(source, baseUrl) } };
    default: {
      const _exhaustive: never = type;
      return undefined;
    }
  }
}

const memberRefs = (source: SourceEvent, baseUrl: string) =>
  (source.data.members as readonly string[]).map((value) => ({ value, $ref: `${baseUrl}/Users/${value}` }));

function userResource(user: ExistingUser, revision: number, baseUrl: string): ScimResource {
  return renderUser(
    { id: user.userId, profile: user.profile, active: user.status === 'active', meta: { created: user.createdAt, lastModified: user.updatedAt, version: revision } },
    baseUrl,
  );
}

/**
 * The group without members (a delta event names the members that moved; a group of 50,000
 * members is not sent whole) and without `meta.version`, which counts membership deltas too.
 */
function groupResource(group: Exclude<GroupState, { status: 'absent' }>, baseUrl: string): ScimResource {
  const rendered = renderGroup(
    {
      id: group.groupId,
      profile: { displayName: group.displayName, ...(group.externalId !== undefined ? { externalId: group.externalId } : {}) },
      members: undefined,
      meta: { created: group.createdAt, lastModified: group.updatedAt, version: 0 },
    },
    baseUrl,
  );
  const { version: _version, ...meta } = rendered.meta as Record<string, unknown>;
  return { ...rendered, meta };
}

/** The refusal as the IdP got it; no request body is ever recorded, so none can leak here. */
function rejectionData(rejected: ProvisioningRejected['data']): Record<string, unknown> {
  const { resourceType, resourceId, userName, displayName, reason, refusal } = rejected;
  return {
    resourceType,
    ...(resourceId !== undefined ? { resourceId } : {}),
    ...(userName !== undefined ? { userName } : {}),
    ...(displayName !== undefined ? { displayName } : {}),
    reason,
    ...(refusal ? { refusal } : {}),
  };
}
