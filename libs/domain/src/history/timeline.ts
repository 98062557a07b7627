import type { DomainEvent } from '../decider';
import type { Actor } from '../metadata';
import type { GroupEvent } from '../groups/group';
import type { GroupMembershipEvent } from '../groups/group-membership';
import { rejectionReason, type ProvisioningRejected } from '../provisioning/provisioning-rejected';
import type { UserEvent } from '../users/user.events';
import type { HistoryEntry } from './history-entry';

/** Names of groups for summaries; an unknown id is shown as is. */
export type GroupNames = (groupId: string) => string | undefined;

export interface TimelineEntry {
  readonly eventId: string;
  readonly position: number;
  readonly type: string;
  readonly at: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId: string;
  /** One line a person reads ("Role developer granted via group Engineering"). */
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A stream's history as a support page lists it, oldest first. */
export function timelineOf(history: readonly HistoryEntry[], groupNames: GroupNames = () => undefined): TimelineEntry[] {
  return history.map((entry) => ({
    eventId: entry.eventId,
    position: entry.position,
    type: entry.event.type,
    at: entry.occurredAt,
    actor: entry.actor,
    correlationId: entry.correlationId,
    causationId: entry.causationId,
    summary: summarizeEvent(entry.event, groupNames),
    data: entry.event.data as Readonly<Record<string, unknown>>,
  }));
}

type Summarized = UserEvent | GroupEvent | GroupMembershipEvent | ProvisioningRejected;

const REVOCATION_REASONS = {
  'membership-removed': 'the user was removed from the group',
  'mapping-changed': "the group's role mapping no longer includes it",
  'group-deleted': 'the group was deleted',
} as const;

/** One line per event type; types this module does not know are named as they are. */
export function summarizeEvent(event: DomainEvent, groupNames: GroupNames = () => undefined): string {
  const known = event as Summarized;
  const group = (groupId: string) => {
    const name = groupNames(groupId);
    return name === undefined ? `group ${groupId}` : `group "${name}"`;
  };
  switch (known.type) {
    case 'UserProvisioned':
      return `Provisioned by the IdP as ${known.data.profile.userName} (${known.data.active ? 'active' : 'inactive'})`;
    case 'ManualUserCreated':
      return `Created manually as ${known.data.profile.userName}`;
    case 'UserConvertedToScim': {
      const kept = known.data.preExistingRoles;
      return `Converted to a SCIM user (userName ${known.data.profile.userName}); ${kept.length > 0 ? `kept pre-existing roles: ${kept.join(', ')}` : 'no roles to keep'}`;
    }
    case 'UserAttributesUpdated': {
      const changed = Object.keys(known.data.changed);
      const parts = [...(changed.length > 0 ? [`changed ${changed.join(', ')}`] : []), ...(known.data.removed.length > 0 ? [`removed ${known.data.removed.join(', ')}`] : [])];
      return `Attributes updated: ${parts.join('; ')}`;
    }
    case 'UserDeactivated':
      return known.data.unassigned
        ? 'Deactivated: the IdP removed "active", which leaves it unassigned; holds no effective role until reactivated'
        : 'Deactivated: holds no effective role until reactivated';
    case 'UserReactivated':
      return 'Reactivated';
    case 'UserDeprovisioned':
      return `Deleted (${known.data.userName})`;
    case 'UserErased':
      return `Erased: personal data destroyed (${known.data.reason})`;
    case 'RoleAssignedManually':
      return `Role ${known.data.role} assigned manually`;
    case 'RoleRemovedManually':
      return `Role ${known.data.role} removed manually`;
    case 'RoleGrantedViaGroup':
      return `Role ${known.data.role} granted via ${group(known.data.groupId)}`;
    case 'RoleRevokedViaGroup':
      return `Role ${known.data.role} revoked via ${group(known.data.groupId)}: ${REVOCATION_REASONS[known.data.reason]}`;
    case 'GroupCreated':
      return `Group "${known.data.displayName}" created (${known.data.source})`;
    case 'GroupRenamed':
      return `Group renamed to "${known.data.displayName}"`;
    case 'GroupExternalIdChanged':
      return known.data.externalId === null ? 'Group externalId removed' : `Group externalId set to ${known.data.externalId}`;
    case 'GroupRoleMappingChanged':
      return `Group mapped to roles: ${known.data.roles.length > 0 ? known.data.roles.join(', ') : '(none)'} (was ${known.data.previousRoles.length > 0 ? known.data.previousRoles.join(', ') : '(none)'})`;
    case 'GroupDeleted':
      return 'Group deleted';
    case 'GroupMembersAdded':
      return `${known.data.members.length} member(s) added to ${group(known.data.groupId)}`;
    case 'GroupMembersRemoved':
      return `${known.data.members.length} member(s) removed from ${group(known.data.groupId)}`;
    case 'ProvisioningRejected':
      return `Rejected: ${known.data.resourceType} ${known.data.userName ?? known.data.displayName ?? known.data.resourceId ?? ''}`.trim() + `: ${rejectionReason(known.data)}`;
    default:
      return (event as DomainEvent).type;
  }
}

