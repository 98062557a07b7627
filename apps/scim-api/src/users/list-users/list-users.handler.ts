import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ReadStore, type Query } from '@scim/read-models';
import { Collections, userPageFields, type UserPageView } from '@scim/read-models/projections';
import { filterToQuery, parseFilter, sortPath } from '@scim/scim-protocol';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { resolveMembershipConditions } from '../../scim/membership-filter';
import { pageOf, type ListPage } from '../../scim/paging';
import { membersOfGroup } from '../user-groups/user-groups.query';
import { ListUsersQuery } from './list-users.query';

/** RFC 7644 §3.4.2: filter, sort and page the account's SCIM users (what a response shows of each, nothing else). */
@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery, ListPage<UserPageView>> {
  constructor(
    private readonly readStore: ReadStore,
    private readonly schemas: AccountSchemaReader,
  ) {}

  async execute({ accountId, params }: ListUsersQuery): Promise<ListPage<UserPageView>> {
    const scope: Query = { accountId, source: 'scim' };
    // Filters and sorting may name the account's declared extension attributes (RFC 7644 §3.10 full paths).
    const schema = params.filter || params.sortBy ? (await this.schemas.of(accountId)).user : undefined;
    const filter = params.filter && schema
      ? await resolveMembershipConditions(filterToQuery(parseFilter(params.filter), schema), 'search.groups', (groupId) => membersOfGroup(this.readStore, accountId, groupId))
      : undefined;
    const sort = params.sortBy && schema ? sortPath(params.sortBy, schema) : undefined;
    return pageOf<UserPageView>(this.readStore, Collections.users, scope, filter, { ...params, sortField: sort, fields: userPageFields });
  }
}
