import type { GroupEvent } from '../groups/group';
import type { GroupMembershipEvent } from '../groups/group-membership';
import type { GrantRolesViaGroup, RevokeRolesViaGroup } from '../users/user.commands';

/** What one user must do because of a group event. */
export interface RoleReaction {
  readonly userId: string;
  readonly command: GrantRolesViaGroup | RevokeRolesViaGroup;
}

export interface GroupFacts {
  /** The group's role mapping now (not at the event): later mapping events converge the rest. */
  readonly roles: readonly string[];
  /** Current members; only read for mapping changes and deletions. */
  readonly members: () => Promise<ReadonlySet<string>> | ReadonlySet<string>;
}

/** Whether the event affects roles at all; the process skips the rest without loading anything. */
export function affectsRoles(event: GroupEvent | GroupMembershipEvent): boolean {
  return (
    event.type === 'GroupMembersAdded' ||
    event.type === 'GroupMembersRemoved' ||
    event.type === 'GroupRoleMappingChanged' ||
    event.type === 'GroupDeleted'
  );
}

/**
 * The roles-via-groups process: group events in, per-user commands out. The commands are
 * idempotent on the user aggregate, so replaying an event after a restart changes nothing.
 */
export async function roleReactions(event: GroupEvent | GroupMembershipEvent, group: GroupFacts, at: string): Promise<RoleReaction[]> {
  switch (event.type) {
    case 'GroupMembersAdded': {
      if (group.roles.length === 0) return [];
      const { groupId, members } = event.data;
      return members.map((userId) => ({ userId, command: { type: 'GrantRolesViaGroup', groupId, roles: group.roles, at } }));
    }
    case 'GroupMembersRemoved': {
      const { groupId, members } = event.data;
      return members.map((userId) => ({ userId, command: { type: 'RevokeRolesViaGroup', groupId, reason: 'membership-removed', at } }));
    }
    case 'GroupRoleMappingChanged': {
      const { groupId, roles, previousRoles } = event.data;
      const dropped = previousRoles.filter((role) => !roles.includes(role));
      const reactions: RoleReaction[] = [];
      for (const userId of await group.members()) {
        if (roles.length > 0) reactions.push({ userId, command: { type: 'GrantRolesViaGroup', groupId, roles, at } });
        if (dropped.length > 0) reactions.push({ userId, command: { type: 'RevokeRolesViaGroup', groupId, roles: dropped, reason: 'mapping-changed', at } });
      }
      return reactions;
    }
    case 'GroupDeleted': {
      const { groupId } = event.data;
      return [...(await group.members())].map((userId) => ({ userId, command: { type: 'RevokeRolesViaGroup', groupId, reason: 'group-deleted', at } }));
    }
    default:
      return [];
  }
}
