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
 * PUT, or a PATCH that replaces `members` (RFC 7644 §3.5.1, §3.5.2.3): the desired list as deltas
 * against the current members, so only what changes is written.
 */
export function membershipReplacement(current: ReadonlySet<string>, desired: readonly string[]): { add: string[]; remove: string[] } {
  const wanted = new Set(desired);
  return { add: [...wanted].filter((m) => !current.has(m)), remove: [...current].filter((m) => !wanted.has(m)) };
}

/** UTF-8 bytes of `text` without encoding it (ids are mostly ASCII; 50,000 of them are split per request). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 2; // a surrogate pair: 4 bytes for its 2 UTF-16 units
      i++;
    } else if (code >= 0x800) bytes += 2;
    else if (code >= 0x80) bytes += 1;
  }
  return bytes;
}

/**
 * Splits deltas so that each one's member list weighs at most `maxMemberBytes` as JSON: each can
 * then be appended on its own under the event store's append size limit (EventStoreDB: 1 MiB, about
 * 26,000 member ids). Order is kept, removals before additions as decided.
 */
export function splitMembershipEvents(events: readonly GroupMembershipEvent[], maxMemberBytes: number): GroupMembershipEvent[] {
  const parts: GroupMembershipEvent[] = [];
  for (const event of events) {
    let chunk: string[] = [];
    let bytes = 1; // '['
    for (const member of event.data.members) {
      const size = utf8Length(JSON.stringify(member)) + 1; // the ',' or ']' after it
      if (chunk.length > 0 && bytes + size > maxMemberBytes) {
        parts.push(withMembers(event, chunk));
        chunk = [];
        bytes = 1;
      }
      chunk.push(member);
      bytes += size;
    }
    if (chunk.length > 0) parts.push(withMembers(event, chunk));
  }
  return parts;
}

function withMembers(event: GroupMembershipEvent, members: readonly string[]): GroupMembershipEvent {
  // One branch per type: a spread of the union would lose which data goes with which type.
  return event.type === 'GroupMembersAdded' ? { type: event.type, data: { ...event.data, members } } : { type: event.type, data: { ...event.data, members } };
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
