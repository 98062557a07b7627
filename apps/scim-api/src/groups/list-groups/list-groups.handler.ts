import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ReadStore, type Query } from '@scim/read-models';
import { Collections, type GroupView } from '@scim/read-models/projections';
import { filterToQuery, groupResourceSchema, parseFilter, sortPath } from '@scim/scim-protocol';
import { resolveMembershipConditions } from '../../scim/membership-filter';
import { resolveResourceTypeConditions } from '../../scim/resource-type-filter';
import { pageOf, type ListPage } from '../../scim/paging';
import type { GroupWithMembers } from '../get-group/get-group.query';
import { groupIdsOfMember, membersOf } from '../group-members/group-members.query';
import { ListGroupsQuery } from './list-groups.query';

/** The IdP sees only the account's SCIM groups. */
const scimGroups = (accountId: string): Query => ({ accountId, source: 'SCIM' });

/** RFC 7644 §3.4.2: filter, sort and page the account's SCIM groups, each with its members as shown. */
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
