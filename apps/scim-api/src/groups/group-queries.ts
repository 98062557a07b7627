import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, type UserProfile } from '@scim/domain';
import { ReadStore, type Query } from '@scim/read-models';
import { Collections, type GroupMemberView, type GroupView, type UserView } from '@scim/read-models/projections';
import { filterToQuery, groupResourceSchema, parseFilter, sortPath } from '@scim/scim-protocol';
import { resolveMembershipConditions } from '../scim/membership-filter';
import { resolveResourceTypeConditions } from '../scim/resource-type-filter';
import type { ListQueryDto } from '../scim/list-query.dto';
import { pageOf, type ListPage } from '../scim/paging';

/**
 * What a response shows of the members: nothing (Entra reads with excludedAttributes=members), their
 * ids, or their ids and display names, which are read from the member users (the larger cost).
 */
export type MembersShown = 'none' | 'values' | 'withDisplay';

export class GetGroupQuery {
  constructor(
    readonly accountId: string,
    readonly groupId: string,
    readonly members: MembersShown,
  ) {}
}

export class ListGroupsQuery {
  constructor(
    readonly accountId: string,
    readonly params: ListQueryDto,
    readonly members: MembersShown,
  ) {}
}

/** Members of a group as responses show them (for the members given, in their order). */
export class GroupMembersQuery {
  constructor(
    readonly accountId: string,
    readonly userIds: readonly string[],
  ) {}
}

/** A member as SCIM shows it: `display` is readOnly here, the user's current name (see displayOf). */
export interface GroupMember {
  readonly value: string;
  readonly display?: string;
}

export interface GroupWithMembers {
  readonly view: GroupView;
  readonly members: readonly GroupMember[] | undefined;
}

/** The IdP sees only the account's SCIM groups. */
const scimGroups = (accountId: string): Query => ({ accountId, source: 'SCIM' });

@QueryHandler(GetGroupQuery)
export class GetGroupHandler implements IQueryHandler<GetGroupQuery, GroupWithMembers> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, groupId, members }: GetGroupQuery): Promise<GroupWithMembers> {
    const view = await this.readStore.get<GroupView>(Collections.groups, groupId);
    if (!view || view.accountId !== accountId || view.source !== 'SCIM') throw new DomainError('group_not_found', `Group ${groupId} not found`);
    return { view, members: await membersOf(this.readStore, accountId, groupId, members) };
  }
}

@QueryHandler(GroupMembersQuery)
export class GroupMembersHandler implements IQueryHandler<GroupMembersQuery, GroupMember[]> {
  constructor(private readonly readStore: ReadStore) {}

  execute({ accountId, userIds }: GroupMembersQuery): Promise<GroupMember[]> {
    return withDisplays(this.readStore, accountId, userIds);
  }
}

@QueryHandler(ListGroupsQuery)
export class ListGroupsHandler implements IQueryHandler<ListGroupsQuery, ListPage<GroupWithMembers>> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, params, members }: ListGroupsQuery): Promise<ListPage<GroupWithMembers>> {
    const filter = params.filter
      ? await resolveMembershipConditions(
          resolveResourceTypeConditions(filterToQuery(parseFilter(params.filter), groupResourceSchema), 'Group'),
          'search.members',
          async (userId) => ({ _id: { $in: await groupIdsOfMember(this.readStore, accountId, userId) } }),
        )
      : undefined;
    const sortField = params.sortBy ? sortPath(params.sortBy, groupResourceSchema) : undefined;
    const page = await pageOf<GroupView>(this.readStore, Collections.groups, scimGroups(accountId), filter, { ...params, sortField });
    const resources = await Promise.all(
      page.resources.map(async (view) => ({ view, members: await membersOf(this.readStore, accountId, view._id, members) })),
    );
    return { ...page, resources };
  }
}

async function membersOf(readStore: ReadStore, accountId: string, groupId: string, shown: MembersShown): Promise<GroupMember[] | undefined> {
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

async function groupIdsOfMember(readStore: ReadStore, accountId: string, userId: string): Promise<string[]> {
  return (await readStore.find<GroupMemberView>(Collections.groupMembers, { accountId, userId })).map((m) => m.groupId);
}
