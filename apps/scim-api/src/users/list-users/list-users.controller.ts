import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { ListQueryDto } from '../../scim/list-query.dto';
import type { ListPage } from '../../scim/paging';
import { sendScimBytes } from '../../scim/scim-response';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { UserJsonCache } from '../user-json-cache';
import { groupsWanted, snapshotOfView, withAccountSchema, type UserGroup } from '../user-presenter';
import { UserGroupsQuery, type GroupsByUser } from '../user-groups/user-groups.query';
import { type ListedUser, UserReadBodies } from '../user-read-bodies';
import type { ListedUserView } from './list-users.handler';
import { ListUsersQuery } from './list-users.query';

@Controller('scim/v2/:accountId/Users')
@UseGuards(ScimAuthGuard)
export class ListUsersController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly userJsonCache: UserJsonCache,
    private readonly schemas: AccountSchemaReader,
  ) {}

  /** RFC 7644 §3.4.2. An empty result is a 200 with an empty ListResponse (Entra's Test Connection). */
  @Get()
  async list(@ScimContext() context: CommandContext, @Query() params: ListQueryDto, @Req() request: Request, @Res() response: Response) {
    await this.respond(context, params, request, response);
  }

  /** RFC 7644 §3.4.3: the same query sent as a SearchRequest body. */
  @Post('.search')
  @HttpCode(200)
  async search(@ScimContext() context: CommandContext, @Body() params: ListQueryDto, @Req() request: Request, @Res() response: Response) {
    await this.respond(context, params, request, response);
  }

  private async respond(context: CommandContext, params: ListQueryDto, request: Request, response: Response): Promise<void> {
    const baseUrl = this.baseUrls.of(request, context.accountId);
    const selection = await withAccountSchema(params, () => this.schemas.of(context.accountId));
    sendScimBytes(response, 200, await listResponseBody(this.queryBus, this.userJsonCache, baseUrl, context.accountId, selection));
  }
}

/** The ListResponse a users query answers, in UTF-8 (also what the benchmark times without HTTP). */
export async function listResponseBody(queryBus: QueryBus, cache: UserJsonCache, baseUrl: string, accountId: string, params: ListQueryDto): Promise<Buffer> {
  const page = await listedUsers(queryBus, accountId, params);
  return new UserReadBodies(cache, baseUrl, params).list(page.resources, { totalResults: page.totalResults, startIndex: page.startIndex });
}

/** A page of the account's SCIM users, each with its groups when the response shows them. */
export async function listedUsers(queryBus: QueryBus, accountId: string, params: ListQueryDto): Promise<ListPage<ListedUser>> {
  const page = await queryBus.execute<ListUsersQuery, ListPage<ListedUserView>>(new ListUsersQuery(accountId, params));
  const groups = groupsWanted(params) && page.resources.length > 0 ? await queryBus.execute<UserGroupsQuery, GroupsByUser>(new UserGroupsQuery(accountId, page.resources.map((u) => u._id))) : undefined;
  return { ...page, resources: page.resources.map((user) => listedUser(user, groups?.get(user._id))) };
}

const listedUser = (user: ListedUserView, groups: readonly UserGroup[] | undefined): ListedUser =>
  'profile' in user ? { ...snapshotOfView(user), groups } : { storedJson: user.scimJson, groups };
