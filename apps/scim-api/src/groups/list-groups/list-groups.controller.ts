import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { listResponse } from '@scim/scim-protocol';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { ListQueryDto } from '../../scim/list-query.dto';
import type { ListPage } from '../../scim/paging';
import { sendScim } from '../../scim/scim-response';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import type { GroupWithMembers } from '../get-group/get-group.query';
import { groupResource, membersShown, snapshotOfGroupView } from '../group-presenter';
import { ListGroupsQuery } from './list-groups.query';

@Controller('scim/v2/:accountId/Groups')
@UseGuards(ScimAuthGuard)
export class ListGroupsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
  ) {}

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
    const page = await this.queryBus.execute<ListGroupsQuery, ListPage<GroupWithMembers>>(new ListGroupsQuery(context.accountId, params, membersShown(params)));
    const baseUrl = this.baseUrls.of(request, context.accountId);
    const resources = page.resources.map(({ view, members }) => groupResource(snapshotOfGroupView(view), members, baseUrl, params));
    sendScim(response, 200, listResponse(resources, { totalResults: page.totalResults, startIndex: page.startIndex, itemsPerPage: resources.length }));
  }
}
