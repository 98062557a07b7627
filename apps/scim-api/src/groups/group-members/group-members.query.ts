import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { UserProfile } from '@scim/domain';
import { ReadStore } from '@scim/read-models';
import { Collections, type GroupMemberView, type UserView } from '@scim/read-models/projections';

/**
 * What a response shows of the members: nothing (Entra reads with excludedAttributes=members), their
 * ids, or their ids and display names, which are read from the member users (the larger cost).
 */
export type MembersShown = 'none' | 'values' | 'withDisplay';

/** A member as SCIM shows it: `display` is readOnly here, the user's current name (see displayOf). */
export interface GroupMember {
  readonly value: string;
  readonly display?: string;
}

/** Members of a group as responses show them (for the members given, in their order). */
export class GroupMembersQuery {
  constructor(
    readonly accountId: string,
    readonly userIds: readonly string[],
  ) {}
}

@QueryHandler(GroupMembersQuery)
export class GroupMembersHandler implements IQueryHandler<GroupMembersQuery, GroupMember[]> {
  constructor(private readonly readStore: ReadStore) {}

  execute({ accountId, userIds }: GroupMembersQuery): Promise<GroupMember[]> {
    return withDisplays(this.readStore, accountId, userIds);
  }
}

/** A stored group's members as `shown` asks. */
export async function membersOf(readStore: ReadStore, accountId: string, groupId: string, shown: MembersShown): Promise<GroupMember[] | undefined> {
  if (shown === 'none') return undefined;
  const userIds = (await readStore.find<GroupMemberView>(Collections.groupMembers, { groupId })).map((m) => m.userId);
  return shown === 'withDisplay' ? withDisplays(readStore, accountId, userIds) : userIds.map((value) => ({ value }));
}

/**
 * RFC 7643 §4.2 `members.display`, declared readOnly in /Schemas: the member's current
 * displayName, or its userName when it has none, so a rename shows on the next read. What a
 * client sends as `display` is not stored (§2.2: readOnly values in requests are ignored).
 */
async function withDisplays(readStore: ReadStore, accountId: string, userIds: readonly string[]): Promise<GroupMember[]> {
  const displays = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += 1000) {
    const users = await readStore.find<UserView>(Collections.users, { _id: { $in: userIds.slice(i, i + 1000) }, accountId }, { fields: ['profile'] });
    for (const user of users) displays.set(user._id, displayOf(user.profile));
  }
  return userIds.map((value) => {
    const display = displays.get(value);
    return display === undefined ? { value } : { value, display };
  });
}

const displayOf = (profile: UserProfile): string => (typeof profile.displayName === 'string' && profile.displayName !== '' ? profile.displayName : profile.userName);

/** The groups a user is a member of (a `members` filter's condition). */
export async function groupIdsOfMember(readStore: ReadStore, accountId: string, userId: string): Promise<string[]> {
  return (await readStore.find<GroupMemberView>(Collections.groupMembers, { accountId, userId })).map((m) => m.groupId);
}
