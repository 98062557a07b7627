import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ReadStore } from '@scim/read-models';
import { Collections, type GroupMemberView, type GroupView } from '@scim/read-models/projections';
import { groupsWanted, type AttributeSelection, type UserGroup, type UserSnapshot } from '../user-presenter';

/** The SCIM groups each of these users is a member of (RFC 7643 §4.1.2 `groups`). */
export class UserGroupsQuery {
  constructor(
    readonly accountId: string,
    readonly userIds: readonly string[],
  ) {}
}

/** Users without a group are absent from the map. */
export type GroupsByUser = ReadonlyMap<string, readonly UserGroup[]>;

const CHUNK = 1000;

/**
 * Read from the memberships the groups projection keeps (one document per membership, indexed by
 * account and user), not stored on the user: a PATCH adding 10,000 members then rewrites no user,
 * a group's rename shows at once, and a membership's write has settled the projection read here
 * before it answers (read-your-writes). Platform groups are not the IdP's, so they are left out.
 */
@QueryHandler(UserGroupsQuery)
export class UserGroupsHandler implements IQueryHandler<UserGroupsQuery, GroupsByUser> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, userIds }: UserGroupsQuery): Promise<GroupsByUser> {
    // One exact (account, user) lookup per user: the stores' equality index serves it, where a
    // `userId: {$in}` would read every membership (a page of 100 users cost 7× more).
    const memberships = (await Promise.all(userIds.map((userId) => this.readStore.find<GroupMemberView>(Collections.groupMembers, { accountId, userId }, { fields: ['groupId', 'userId'] })))).flat();
    if (memberships.length === 0) return new Map();
    const groupIds = [...new Set(memberships.map((m) => m.groupId))];
    const names = new Map<string, string>();
    for (let i = 0; i < groupIds.length; i += CHUNK) {
      const groups = await this.readStore.find<GroupView>(Collections.groups, { _id: { $in: groupIds.slice(i, i + CHUNK) }, accountId, source: 'SCIM' }, { fields: ['displayName'] });
      for (const group of groups) names.set(group._id, group.displayName);
    }
    const byUser = new Map<string, UserGroup[]>();
    for (const { userId, groupId } of memberships) {
      const display = names.get(groupId);
      if (display === undefined) continue;
      const groups = byUser.get(userId) ?? [];
      groups.push({ value: groupId, display });
      byUser.set(userId, groups);
    }
    return byUser;
  }
}

/** The ids of a SCIM group's members: `groups.value eq "…"` on /Users. Another account's or a Platform group has none here. */
export async function memberIdsOf(readStore: ReadStore, accountId: string, groupId: string): Promise<string[]> {
  const group = await readStore.get<GroupView>(Collections.groups, groupId);
  if (!group || group.accountId !== accountId || group.source !== 'SCIM') return [];
  return (await readStore.find<GroupMemberView>(Collections.groupMembers, { groupId }, { fields: ['userId'] })).map((m) => m.userId);
}

/** The snapshot with its groups, when the response will show them. */
export async function withGroups(queryBus: QueryBus, accountId: string, snapshot: UserSnapshot, selection: AttributeSelection): Promise<UserSnapshot> {
  if (!groupsWanted(selection)) return snapshot;
  const groups = await queryBus.execute<UserGroupsQuery, GroupsByUser>(new UserGroupsQuery(accountId, [snapshot.id]));
  return { ...snapshot, groups: groups.get(snapshot.id) };
}
