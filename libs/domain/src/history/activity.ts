import type { GroupEvent } from '../groups/group';
import type { GroupMembershipEvent } from '../groups/group-membership';
import { rejectionReason, type ProvisioningRejected } from '../provisioning/provisioning-rejected';
import type { UserEvent } from '../users/user.events';
import type { HistoryEntry } from './history-entry';

export type ActivityOutcome =
  | 'created'
  | 'converted'
  | 'rejected'
  | 'updated'
  | 'deactivated'
  | 'reactivated'
  | 'deleted'
  | 'erased'
  | 'group-created'
  | 'group-updated'
  | 'group-members-added'
  | 'group-members-removed'
  | 'group-deleted';

/** What one IdP request did to one resource. */
export interface ActivityItem {
  readonly outcome: ActivityOutcome;
  readonly resourceType: 'User' | 'Group';
  /** Null for a rejected create (nothing was created). */
  readonly resourceId: string | null;
  /** userName or displayName when the events carry it; the caller may fill it in from history. */
  readonly name: string | null;
  readonly detail: string;
  /** For membership changes: the users added or removed (at most MEMBERS_SHOWN of them). */
  readonly members?: readonly string[];
  readonly memberCount?: number;
}

/** One IdP request (one correlation id) and everything it caused. */
export interface ActivityRequest {
  readonly correlationId: string;
  /** When the request's first event happened. */
  readonly at: string;
  /** The SCIM token(s) the request was authenticated with (one, in practice). */
  readonly tokenIds: readonly string[];
  readonly items: readonly ActivityItem[];
  /** Role grants and revocations the roles-via-groups process wrote because of this request. */
  readonly roleChanges: { readonly granted: number; readonly revoked: number; readonly users: number };
  readonly firstPosition: number;
  readonly lastPosition: number;
}

export const MEMBERS_SHOWN = 20;

type ActivityEvent = UserEvent | GroupEvent | GroupMembershipEvent | ProvisioningRejected;

interface Draft {
  correlationId: string;
  at: string;
  tokenIds: Set<string>;
  items: { position: number; item: ActivityItem }[];
  granted: number;
  revoked: number;
  users: Set<string>;
  firstPosition: number;
  lastPosition: number;
  lastIdpPosition: number;
}

/**
 * The provisioning activity log: an account's events (any order of batches, commit order within)
 * grouped by correlation id into IdP requests, most recent first. A request counts when one of
 * its events was caused by a SCIM token; role changes written later by the roles-via-groups
 * process carry the request's correlation id and are counted on it.
 */
export function provisioningActivity(entries: Iterable<HistoryEntry>): ActivityRequest[] {
  const drafts = new Map<string, Draft>();
  for (const entry of entries) {
    let draft = drafts.get(entry.correlationId);
    if (!draft) {
      draft = {
        correlationId: entry.correlationId,
        at: entry.occurredAt,
        tokenIds: new Set(),
        items: [],
        granted: 0,
        revoked: 0,
        users: new Set(),
        firstPosition: entry.position,
        lastPosition: entry.position,
        lastIdpPosition: -1,
      };
      drafts.set(entry.correlationId, draft);
    }
    draft.firstPosition = Math.min(draft.firstPosition, entry.position);
    draft.lastPosition = Math.max(draft.lastPosition, entry.position);
    if (entry.position === draft.firstPosition) draft.at = entry.occurredAt;
    const event = entry.event as ActivityEvent;
    if (event.type === 'RoleGrantedViaGroup' || event.type === 'RoleRevokedViaGroup') {
      if (event.type === 'RoleGrantedViaGroup') draft.granted += 1;
      else draft.revoked += 1;
      draft.users.add(event.data.userId);
      continue;
    }
    if (entry.actor.kind !== 'scim-token') continue;
    draft.tokenIds.add(entry.actor.tokenId);
    draft.lastIdpPosition = Math.max(draft.lastIdpPosition, entry.position);
    const item = itemOf(event);
    if (item) draft.items.push({ position: entry.position, item });
  }
  return [...drafts.values()]
    .filter((d) => d.tokenIds.size > 0)
    .sort((a, b) => b.lastIdpPosition - a.lastIdpPosition)
    .map((d) => ({
      correlationId: d.correlationId,
      at: d.at,
      tokenIds: [...d.tokenIds].sort(),
      items: d.items.sort((a, b) => a.position - b.position).map((i) => i.item),
      roleChanges: { granted: d.granted, revoked: d.revoked, users: d.users.size },
      firstPosition: d.firstPosition,
      lastPosition: d.lastPosition,
    }));
}

function itemOf(event: ActivityEvent): ActivityItem | null {
  switch (event.type) {
    case 'UserProvisioned':
      return user('created', event.data.userId, event.data.profile.userName, event.data.active ? 'active' : 'created inactive');
    case 'UserConvertedToScim': {
      const kept = event.data.preExistingRoles;
      const detail = `manual user converted to SCIM (same id); ${kept.length > 0 ? `kept pre-existing roles: ${kept.join(', ')}` : 'no roles to keep'}`;
      return user('converted', event.data.userId, event.data.profile.userName, detail);
    }
    case 'ProvisioningRejected':
      return { outcome: 'rejected', resourceType: event.data.resourceType, resourceId: event.data.resourceId ?? null, name: event.data.userName ?? event.data.displayName ?? null, detail: rejectionReason(event.data) };
    case 'UserAttributesUpdated': {
      const changed = Object.keys(event.data.changed);
      const userName = typeof event.data.changed.userName === 'string' ? event.data.changed.userName : null;
      const parts = [...(changed.length > 0 ? [`changed: ${changed.join(', ')}`] : []), ...(event.data.removed.length > 0 ? [`removed: ${event.data.removed.join(', ')}`] : [])];
      return user('updated', event.data.userId, userName, parts.join('; '));
    }
    case 'UserDeactivated':
      return user('deactivated', event.data.userId, null, 'holds no effective role until reactivated');
    case 'UserReactivated':
      return user('reactivated', event.data.userId, null, 'roles kept while inactive are in effect again');
    case 'UserDeprovisioned':
      return user('deleted', event.data.userId, event.data.userName, 'gone from SCIM; history kept');
    case 'UserErased':
      return user('erased', event.data.userId, null, `personal data erased: ${event.data.reason}`);
    case 'GroupCreated':
      return group('group-created', event.data.groupId, event.data.displayName, event.data.source === 'SCIM' ? 'pushed by the IdP' : 'Platform group');
    case 'GroupRenamed':
      return group('group-updated', event.data.groupId, event.data.displayName, 'renamed');
    case 'GroupExternalIdChanged':
      return group('group-updated', event.data.groupId, null, event.data.externalId === null ? 'externalId removed' : `externalId set to ${event.data.externalId}`);
    case 'GroupRoleMappingChanged':
      return group('group-updated', event.data.groupId, null, `mapped to roles: ${event.data.roles.join(', ') || '(none)'}`);
    case 'GroupDeleted':
      return group('group-deleted', event.data.groupId, null, 'members lose the roles it granted');
    case 'GroupMembersAdded':
    case 'GroupMembersRemoved': {
      const added = event.type === 'GroupMembersAdded';
      const { members } = event.data;
      return {
        ...group(added ? 'group-members-added' : 'group-members-removed', event.data.groupId, null, `${members.length} member(s) ${added ? 'added' : 'removed'}`),
        members: members.slice(0, MEMBERS_SHOWN),
        memberCount: members.length,
      };
    }
    // Role events are counted on the request above; the IdP never writes them itself.
    case 'ManualUserCreated':
    case 'RoleAssignedManually':
    case 'RoleRemovedManually':
    case 'RoleGrantedViaGroup':
    case 'RoleRevokedViaGroup':
      return null;
    default: {
      const _exhaustive: never = event;
      return null;
    }
  }
}

const user = (outcome: ActivityOutcome, resourceId: string, name: string | null, detail: string): ActivityItem => ({
  outcome,
  resourceType: 'User',
  resourceId,
  name,
  detail,
});

const group = (outcome: ActivityOutcome, resourceId: string, name: string | null, detail: string): ActivityItem => ({
  outcome,
  resourceType: 'Group',
  resourceId,
  name,
  detail,
});
