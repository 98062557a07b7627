import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { UserPageView } from '@scim/read-models/projections';
import { listResponseFrame } from '@scim/scim-protocol';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { ListQueryDto } from '../../scim/list-query.dto';
import type { ListPage } from '../../scim/paging';
import { sendScimJson } from '../../scim/scim-response';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { groupsWanted, storedUserJson, withAccountSchema, type AttributeSelection } from '../user-presenter';
import { UserGroupsQuery, type GroupsByUser } from '../user-groups/user-groups.query';
import { ListUsersQuery } from './list-users.query';

@Controller('scim/v2/:accountId/Users')
@UseGuards(ScimAuthGuard)
export class ListUsersController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
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
    const page = await listedUserJson(this.queryBus, baseUrl, context.accountId, selection);
    sendScimJson(response, 200, listResponseBytes(page.resources, { totalResults: page.totalResults, startIndex: page.startIndex }));
  }
}

/** A page of the account's SCIM users, each as this request's JSON (with its groups when the response shows them). */
export async function listedUserJson(queryBus: QueryBus, baseUrl: string, accountId: string, params: ListQueryDto & AttributeSelection): Promise<ListPage<string>> {
  const page = await queryBus.execute<ListUsersQuery, ListPage<UserPageView>>(new ListUsersQuery(accountId, params));
  const groups = groupsWanted(params) && page.resources.length > 0 ? await queryBus.execute<UserGroupsQuery, GroupsByUser>(new UserGroupsQuery(accountId, page.resources)) : undefined;
  return { ...page, resources: page.resources.map((user) => storedUserJson(user, baseUrl, params, groups?.get(user._id))) };
}

/** A ListResponse (RFC 7644 §3.4.2) of resources already serialised, in UTF-8. */
export function listResponseBytes(resources: readonly string[], paging: { readonly totalResults: number; readonly startIndex: number }): Buffer {
  const { before, after } = listResponseFrame({ ...paging, itemsPerPage: resources.length });
  return Buffer.from(before + resources.join(',') + after, 'utf8');
}
