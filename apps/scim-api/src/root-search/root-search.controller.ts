import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { filterToQuery, groupResourceSchema, parseFilter, ScimError, type ResourceSchema } from '@scim/scim-protocol';
import { groupResource, membersShown, snapshotOfGroupView } from '../groups/group-presenter';
import type { GroupWithMembers } from '../groups/get-group/get-group.query';
import { ListGroupsQuery } from '../groups/list-groups/list-groups.query';
import { ScimAuthGuard } from '../scim/scim-auth.guard';
import { AccountSchemaReader } from '../scim/account-schemas';
import { ScimBaseUrl } from '../scim/scim-base-url';
import { ListQueryDto } from '../scim/list-query.dto';
import { DEFAULT_COUNT, MAX_RESULTS, type ListPage } from '../scim/paging';
import { sendScimJson } from '../scim/scim-response';
import { ScimContext, type CommandContext } from '../shared/request-context';
import { listedUserJson, listResponseBytes } from '../users/list-users/list-users.controller';

const NONE: ListPage<never> = { totalResults: 0, startIndex: 1, resources: [] };

/**
 * RFC 7644 §3.4.3: a SearchRequest at the account's base URL searches Users and Groups together.
 * The results are the users, then the groups, each in the order of its own endpoint, paged as
 * one list. A filter naming an attribute one type lacks (`userName`) selects from the other type
 * only; one neither type knows is a 400 `invalidFilter`.
 */
@Controller('scim/v2/:accountId')
@UseGuards(ScimAuthGuard)
export class RootSearchController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly schemas: AccountSchemaReader,
  ) {}

  @Post('.search')
  @HttpCode(200)
  async search(@ScimContext() context: CommandContext, @Body() params: ListQueryDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (params.sortBy !== undefined) {
      throw new ScimError(400, 'sortBy is not supported at the root: Users and Groups have no common order; search /Users/.search or /Groups/.search to sort', 'invalidValue');
    }
    const { user: userSchema } = await this.schemas.of(context.accountId);
    const [searchUsers, searchGroups] = typesTheFilterFits(params.filter, userSchema);
    const startIndex = Math.max(1, params.startIndex ?? 1);
    const count = Math.min(Math.max(0, params.count ?? DEFAULT_COUNT), MAX_RESULTS);
    const baseUrl = this.baseUrls.of(request, context.accountId);
    const users: ListPage<string> = searchUsers ? await listedUserJson(this.queryBus, baseUrl, context.accountId, { ...params, startIndex, count, schema: userSchema }) : NONE;
    // The groups continue where the users end: position startIndex is group number startIndex - users.
    const groupsPage = { ...params, startIndex: Math.max(1, startIndex - users.totalResults), count: count - users.resources.length };
    const groups: ListPage<GroupWithMembers> = searchGroups
      ? await this.queryBus.execute(new ListGroupsQuery(context.accountId, groupsPage, membersShown(params)))
      : NONE;
    const groupJson = groups.resources.map(({ view, members }) => JSON.stringify(groupResource(snapshotOfGroupView(view), members, baseUrl, params)));
    const paging = { totalResults: users.totalResults + groups.totalResults, startIndex };
    sendScimJson(response, 200, listResponseBytes([...users.resources, ...groupJson], paging));
  }
}

/** Which of Users and Groups a filter can be evaluated on; the first type's error when neither. */
function typesTheFilterFits(filter: string | undefined, userSchema: ResourceSchema): [users: boolean, groups: boolean] {
  if (filter === undefined) return [true, true];
  const fits = (schema: ResourceSchema) => {
    try {
      filterToQuery(parseFilter(filter), schema);
      return undefined;
    } catch (error) {
      if (error instanceof ScimError) return error;
      throw error;
    }
  };
  const [usersError, groupsError] = [fits(userSchema), fits(groupResourceSchema)];
  if (usersError && groupsError) throw usersError;
  return [!usersError, !groupsError];
}
