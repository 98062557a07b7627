import type { DomainEvent } from '../decider';
import { requireGroupFor, type GroupActor, type GroupState } from './group';

/**
 * Membership lives in its own stream as deltas: a change never reads or rewrites the whole
 * member list, so groups of tens of thousands of members stay cheap and concurrent changes
 * (appended in turn, each with an expected revision) lose nothing.
 */
export type GroupMembersAdded = DomainEvent<
  'GroupMembersAdded',
  { readonly groupId: string; readonly accountId: string; readonly members: readonly string[]; readonly addedAt: string }
>;
export type GroupMembersRemoved = DomainEvent<
  'GroupMembersRemoved',
  { readonly groupId: string; readonly accountId: string; readonly members: readonly string[]; readonly removedAt: string }
>;

export type GroupMembershipEvent = GroupMembersAdded | GroupMembersRemoved;

export interface ChangeGroupMembers {
  readonly type: 'ChangeGroupMembers';
  readonly accountId: string;
  readonly by: GroupActor;
  /** Removed first, then added: a member both removed and added ends up a member. */
  readonly remove: readonly string[];
  readonly add: readonly string[];
  readonly at: string;
}

/** Decides membership deltas against the group's lifecycle state (membership itself is not read). */
export function decideMembershipChange(command: ChangeGroupMembers, group: GroupState): GroupMembershipEvent[] {
  const live = requireGroupFor(group, command.accountId, command.by);
  const { groupId, accountId } = live;
  const remove = [...new Set(command.remove)];
  const add = [...new Set(command.add)];
  const events: GroupMembershipEvent[] = [];
  if (remove.length > 0) events.push({ type: 'GroupMembersRemoved', data: { groupId, accountId, members: remove, removedAt: command.at } });
  if (add.length > 0) events.push({ type: 'GroupMembersAdded', data: { groupId, accountId, members: add, addedAt: command.at } });
  return events;
}

/**
 * A deleted user leaves the groups it was in, Platform and SCIM groups alike: the platform acts
 * here, not the IdP or an admin, so neither one's restriction applies. Nothing to do for a group
 * that is gone or belongs to another account.
 */
export interface RemoveDeletedUser {
  readonly type: 'RemoveDeletedUser';
  readonly accountId: string;
  readonly userId: string;
  readonly at: string;
}

export function decideDeletedUserRemoval(command: RemoveDeletedUser, group: GroupState): GroupMembershipEvent[] {
  if (group.status !== 'live' || group.accountId !== command.accountId) return [];
  const { groupId, accountId } = group;
  return [{ type: 'GroupMembersRemoved', data: { groupId, accountId, members: [command.userId], removedAt: command.at } }];
}

/** Current members from the delta history (for the rare whole-list operations). */
export function membersOf(history: readonly GroupMembershipEvent[]): Set<string> {
  const members = new Set<string>();
  for (const event of history) {
    if (event.type === 'GroupMembersAdded') for (const m of event.data.members) members.add(m);
    else for (const m of event.data.members) members.delete(m);
  }
  return members;
}
