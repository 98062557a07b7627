import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ReadStore, type Query } from '@scim/read-models';
import { Collections, type UserView } from '@scim/read-models/projections';
import { filterToQuery, parseFilter, sortPath, userResourceSchema } from '@scim/scim-protocol';
import { pageOf, type ListPage } from '../../scim/paging';
import { ListUsersQuery } from './list-users.query';

/** RFC 7644 §3.4.2: filter, sort and page the account's SCIM users. */
@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery, ListPage<UserView>> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, params }: ListUsersQuery): Promise<ListPage<UserView>> {
    const scope: Query = { accountId, source: 'scim' };
    const filter = params.filter ? filterToQuery(parseFilter(params.filter), userResourceSchema) : undefined;
    const sort = params.sortBy ? sortPath(params.sortBy, userResourceSchema) : undefined;
    return pageOf<UserView>(this.readStore, Collections.users, scope, filter, { ...params, sortField: sort });
  }
}
