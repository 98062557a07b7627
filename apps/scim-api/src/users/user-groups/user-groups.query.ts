import { DomainError } from '@scim/domain';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ReadStore, type Query } from '@scim/read-models';
import { Collections, type GroupView, type UserView } from '@scim/read-models/projections';
import { GetUserQuery } from '../get-user/get-user.query';
import { groupsWanted, type AttributeSelection, type UserGroup, type UserSnapshot } from '../user-presenter';

/** The ids of the groups a user is a direct member of, as its read model keeps them. */
export type UserMemberships = Pick<UserView, '_id' | 'groupIds'>;

/** The SCIM groups each of these users is a member of (RFC 7643 §4.1.2 `groups`). */
export class UserGroupsQuery {
  constructor(
    readonly accountId: string,
    readonly users: readonly UserMemberships[],
  ) {}
}

/** Users without a group are absent from the map. */
export type GroupsByUser = ReadonlyMap<string, readonly UserGroup[]>;

const CHUNK = 1000;

/**
 * The users' read models keep the ids of their groups (kept from membership events, so a write has
 * settled them before it answers: read-your-writes). Which of them are the IdP's SCIM groups, and
 * their names, are read here in one query for a whole page: a rename then rewrites no member, and a
 * deleted or Platform group is left out.
 */
@QueryHandler(UserGroupsQuery)
export class UserGroupsHandler implements IQueryHandler<UserGroupsQuery, GroupsByUser> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, users }: UserGroupsQuery): Promise<GroupsByUser> {
    const groupIds = [...new Set(users.flatMap((user) => user.groupIds))];
    const names = new Map<string, string>();
    for (let i = 0; i < groupIds.length; i += CHUNK) {
      const groups = await this.readStore.find<GroupView>(Collections.groups, { _id: { $in: groupIds.slice(i, i + CHUNK) }, accountId, source: 'SCIM' }, { fields: ['displayName'] });
      for (const group of groups) names.set(group._id, group.displayName);
    }
    const byUser = new Map<string, UserGroup[]>();
    for (const { _id, groupIds: ofUser } of users) {
      const groups = ofUser.flatMap((value) => {
        const display = names.get(value);
        return display === undefined ? [] : [{ value, display }];
      });
      if (groups.length > 0) byUser.set(_id, groups);
    }
    return byUser;
  }
}

/**
 * The condition `groups.value eq "<groupId>"` on /Users stands for: the group's members, when it is
 * a SCIM group of the account (another account's or a Platform group has none here).
 */
export async function membersOfGroup(readStore: ReadStore, accountId: string, groupId: string): Promise<Query> {
  const group = await readStore.get<GroupView>(Collections.groups, groupId);
  if (!group || group.accountId !== accountId || group.source !== 'SCIM') return { _id: { $in: [] } };
  return { groupIds: groupId };
}

/** The snapshot of a write with the user's groups, when the response will show them. */
export async function withGroups(queryBus: QueryBus, accountId: string, snapshot: UserSnapshot, selection: AttributeSelection): Promise<UserSnapshot> {
  if (!groupsWanted(selection)) return snapshot;
  // The write waited for the read models, so the user's document holds its groups; a DELETE that
  // came after the write may have removed it: the response still reports the write it made.
  const user = await queryBus.execute<GetUserQuery, UserView>(new GetUserQuery(accountId, snapshot.id)).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'user_not_found') return undefined;
    throw error;
  });
  if (!user) return snapshot;
  const groups = await queryBus.execute<UserGroupsQuery, GroupsByUser>(new UserGroupsQuery(accountId, [user]));
  return { ...snapshot, groups: groups.get(snapshot.id) };
}
