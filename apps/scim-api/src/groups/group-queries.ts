import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@scim/domain';
import { ReadStore, type Query } from '@scim/read-models';
import { Collections, type GroupMemberView, type GroupView } from '@scim/read-models/projections';
import { filterToQuery, groupResourceSchema, parseFilter, ScimError, sortPath } from '@scim/scim-protocol';
import type { ListQueryDto } from '../scim/list-query.dto';
import { pageOf, type ListPage } from '../scim/paging';

export class GetGroupQuery {
  constructor(
    readonly accountId: string,
    readonly groupId: string,
    readonly withMembers: boolean,
  ) {}
}

export class ListGroupsQuery {
  constructor(
    readonly accountId: string,
    readonly params: ListQueryDto,
    readonly withMembers: boolean,
  ) {}
}

export interface GroupWithMembers {
  readonly view: GroupView;
  readonly members: readonly string[] | undefined;
}

/** The IdP sees only the account's SCIM groups. */
const scimGroups = (accountId: string): Query => ({ accountId, source: 'SCIM' });

@QueryHandler(GetGroupQuery)
export class GetGroupHandler implements IQueryHandler<GetGroupQuery, GroupWithMembers> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, groupId, withMembers }: GetGroupQuery): Promise<GroupWithMembers> {
    const view = await this.readStore.get<GroupView>(Collections.groups, groupId);
    if (!view || view.accountId !== accountId || view.source !== 'SCIM') throw new DomainError('group_not_found', `Group ${groupId} not found`);
    return { view, members: withMembers ? await membersOf(this.readStore, groupId) : undefined };
  }
}

@QueryHandler(ListGroupsQuery)
export class ListGroupsHandler implements IQueryHandler<ListGroupsQuery, ListPage<GroupWithMembers>> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, params, withMembers }: ListGroupsQuery): Promise<ListPage<GroupWithMembers>> {
    const filter = params.filter
      ? await resolveMemberConditions(filterToQuery(parseFilter(params.filter), groupResourceSchema), (userId) => groupIdsOfMember(this.readStore, accountId, userId))
      : undefined;
    const sortField = params.sortBy ? sortPath(params.sortBy, groupResourceSchema) : undefined;
    const page = await pageOf<GroupView>(this.readStore, Collections.groups, scimGroups(accountId), filter, { ...params, sortField });
    const resources = await Promise.all(
      page.resources.map(async (view) => ({ view, members: withMembers ? await membersOf(this.readStore, view._id) : undefined })),
    );
    return { ...page, resources };
  }
}

async function membersOf(readStore: ReadStore, groupId: string): Promise<string[]> {
  return (await readStore.find<GroupMemberView>(Collections.groupMembers, { groupId })).map((m) => m.userId);
}

async function groupIdsOfMember(readStore: ReadStore, accountId: string, userId: string): Promise<string[]> {
  return (await readStore.find<GroupMemberView>(Collections.groupMembers, { accountId, userId })).map((m) => m.groupId);
}

const MEMBER_FIELD = 'search.members';

/**
 * Memberships are their own documents (a group may have 50,000), so a filter on
 * `members.value` (Okta and Entra: "which groups is this user in?") becomes an `_id` set.
 */
export async function resolveMemberConditions(query: Query, groupIdsOf: (userId: string) => Promise<string[]>): Promise<Query> {
  const resolved = new Map<string, unknown>();
  for (const [key, condition] of Object.entries(query)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      resolved.set(key, await Promise.all((condition as Query[]).map((q) => resolveMemberConditions(q, groupIdsOf))));
    } else if (key === `${MEMBER_FIELD}.value` || key === MEMBER_FIELD) {
      const userId = memberValueOf(key, condition);
      const ids = { _id: { $in: await groupIdsOf(userId) } };
      resolved.set('$and', [...((resolved.get('$and') as Query[] | undefined) ?? []), ids]);
    } else {
      resolved.set(key, condition);
    }
  }
  // fromEntries defines every key as an own field, whatever a filter named it.
  return Object.fromEntries(resolved);
}

function memberValueOf(key: string, condition: unknown): string {
  const value = key === MEMBER_FIELD ? (condition as { $elemMatch?: Record<string, unknown> }).$elemMatch?.value : condition;
  if (typeof value === 'string' && (key !== MEMBER_FIELD || Object.keys((condition as { $elemMatch: object }).$elemMatch).length === 1)) return value;
  throw new ScimError(400, 'Group member filters support only equality on the member id: members[value eq "…"] or members.value eq "…"', 'invalidFilter');
}
