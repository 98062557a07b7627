import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ReadStore, type Query } from '@scim/read-models';
import { Collections, type UserView } from '@scim/read-models/projections';
import { filterToQuery, parseFilter, sortPath } from '@scim/scim-protocol';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { resolveMembershipConditions } from '../../scim/membership-filter';
import { pageOf, type ListPage } from '../../scim/paging';
import { memberIdsOf } from '../user-groups/user-groups.query';
import { selects } from '../user-presenter';
import { ListUsersQuery } from './list-users.query';

/** A listed user: its stored JSON alone when that is all the response needs, else the whole read model. */
export type ListedUserView = UserView | (Pick<UserView, '_id'> & { readonly scimJson: string });

/** RFC 7644 §3.4.2: filter, sort and page the account's SCIM users. */
@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery, ListPage<ListedUserView>> {
  constructor(
    private readonly readStore: ReadStore,
    private readonly schemas: AccountSchemaReader,
  ) {}

  async execute({ accountId, params }: ListUsersQuery): Promise<ListPage<ListedUserView>> {
    const scope: Query = { accountId, source: 'scim' };
    // Filters and sorting may name the account's declared extension attributes (RFC 7644 §3.10 full paths).
    const schema = params.filter || params.sortBy ? (await this.schemas.of(accountId)).user : undefined;
    const filter = params.filter && schema
      ? await resolveMembershipConditions(filterToQuery(parseFilter(params.filter), schema), 'search.groups', (groupId) => memberIdsOf(this.readStore, accountId, groupId))
      : undefined;
    const sort = params.sortBy && schema ? sortPath(params.sortBy, schema) : undefined;
    // Full representations are the users' stored JSON: the page reads nothing else (a selection is rendered from the whole user).
    const storedJsonOnly = !selects(params);
    const page = await pageOf<ListedUserView>(this.readStore, Collections.users, scope, filter, {
      ...params,
      sortField: sort,
      fields: storedJsonOnly ? ['scimJson'] : undefined,
    });
    if (!storedJsonOnly) return page;
    // Users last written before their JSON was stored are read whole.
    const unstored = page.resources.filter((user) => typeof user.scimJson !== 'string').map((user) => user._id);
    if (unstored.length === 0) return page;
    const whole = new Map((await this.readStore.find<UserView>(Collections.users, { _id: { $in: unstored } })).map((user) => [user._id, user]));
    // A user deleted in between is left out, as a page read a moment later would.
    const resources = page.resources.flatMap((user) => (typeof user.scimJson === 'string' ? [user] : (whole.get(user._id) ?? [])));
    return { ...page, resources };
  }
}
