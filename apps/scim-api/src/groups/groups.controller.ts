import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { listResponse } from '@scim/scim-protocol';
import { ScimAuthGuard } from '../scim/scim-auth.guard';
import { ScimBaseUrl } from '../scim/scim-base-url';
import { expectedRevisionFrom, ifNoneMatchHits } from '../scim/scim-http';
import { AttributesQueryDto, ListQueryDto } from '../scim/list-query.dto';
import type { ListPage } from '../scim/paging';
import { sendScim } from '../scim/scim-response';
import { ScimContext, type CommandContext } from '../shared/request-context';
import { selects, type AttributeSelection } from '../users/user-presenter';
import { CreateGroupCommand, DeleteGroupCommand, PatchGroupCommand, ReplaceGroupCommand } from './group-commands';
import { groupHeaders, groupResource, membersShown, snapshotOfGroup, snapshotOfGroupView } from './group-presenter';
import { GetGroupQuery, GroupMembersQuery, ListGroupsQuery, type GroupMember, type GroupWithMembers } from './group-queries';

/** SCIM /Groups (RFC 7644 §3): the routes map requests to commands and queries, nothing else. */
@Controller('scim/v2/:accountId/Groups')
@UseGuards(ScimAuthGuard)
export class GroupsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
  ) {}

  @Get()
  async list(@ScimContext() context: CommandContext, @Query() params: ListQueryDto, @Req() request: Request, @Res() response: Response) {
    await this.respondList(context, params, request, response);
  }

  @Post('.search')
  @HttpCode(200)
  async search(@ScimContext() context: CommandContext, @Body() params: ListQueryDto, @Req() request: Request, @Res() response: Response) {
    await this.respondList(context, params, request, response);
  }

  @Post()
  async create(@ScimContext() context: CommandContext, @Body() body: unknown, @Query() selection: AttributesQueryDto, @Req() request: Request, @Res() response: Response) {
    const created = await this.commandBus.execute(new CreateGroupCommand(context, body));
    const baseUrl = this.baseUrls.of(request, context.accountId);
    const snapshot = snapshotOfGroup(created.group, created.version);
    sendScim(response, 201, groupResource(snapshot, await this.membersShown(context, created.members, selection), baseUrl, selection), groupHeaders(snapshot, baseUrl));
  }

  @Get(':groupId')
  async get(
    @ScimContext() context: CommandContext,
    @Param('groupId') groupId: string,
    @Query() selection: AttributesQueryDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const found = await this.queryBus.execute<GetGroupQuery, GroupWithMembers>(new GetGroupQuery(context.accountId, groupId, membersShown(selection)));
    const baseUrl = this.baseUrls.of(request, context.accountId);
    const snapshot = snapshotOfGroupView(found.view);
    if (ifNoneMatchHits(ifNoneMatch, snapshot.version)) {
      response.status(304).setHeader('ETag', groupHeaders(snapshot, baseUrl).ETag);
      response.end();
      return;
    }
    sendScim(response, 200, groupResource(snapshot, found.members, baseUrl, selection), groupHeaders(snapshot, baseUrl));
  }

  @Put(':groupId')
  async replace(
    @ScimContext() context: CommandContext,
    @Param('groupId') groupId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() selection: AttributesQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const written = await this.commandBus.execute(new ReplaceGroupCommand(context, groupId, body, expectedRevisionFrom(ifMatch)));
    const baseUrl = this.baseUrls.of(request, context.accountId);
    const snapshot = snapshotOfGroup(written.group, written.version);
    sendScim(response, 200, groupResource(snapshot, await this.membersShown(context, written.members, selection), baseUrl, selection), groupHeaders(snapshot, baseUrl));
  }

  /**
   * 204: a membership PATCH of thousands of members should not echo them all (Okta and Entra
   * accept it). With `attributes`/`excludedAttributes`, 200 and the resource as selected (RFC 7644
   * §3.5.2 "MUST return a 200 OK if the attributes parameter is specified"), read once the read
   * models include the write.
   */
  @Patch(':groupId')
  async patch(
    @ScimContext() context: CommandContext,
    @Param('groupId') groupId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() selection: AttributesQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const written = await this.commandBus.execute(new PatchGroupCommand(context, groupId, body, expectedRevisionFrom(ifMatch)));
    const baseUrl = this.baseUrls.of(request, context.accountId);
    if (!selects(selection)) {
      response.setHeader('ETag', groupHeaders(snapshotOfGroup(written.group, written.version), baseUrl).ETag);
      response.status(204).end();
      return;
    }
    const found = await this.queryBus.execute<GetGroupQuery, GroupWithMembers>(new GetGroupQuery(context.accountId, groupId, membersShown(selection)));
    const snapshot = snapshotOfGroupView(found.view);
    sendScim(response, 200, groupResource(snapshot, found.members, baseUrl, selection), groupHeaders(snapshot, baseUrl));
  }

  @Delete(':groupId')
  @HttpCode(204)
  async delete(@ScimContext() context: CommandContext, @Param('groupId') groupId: string, @Headers('if-match') ifMatch: string | undefined) {
    await this.commandBus.execute(new DeleteGroupCommand(context, groupId, expectedRevisionFrom(ifMatch)));
  }

  /** The written members with their display names, when the response shows members. */
  private async membersShown(context: CommandContext, userIds: readonly string[], selection: AttributeSelection): Promise<readonly GroupMember[] | undefined> {
    const shown = membersShown(selection);
    if (shown === 'none') return undefined;
    if (shown === 'values') return userIds.map((value) => ({ value }));
    return this.queryBus.execute<GroupMembersQuery, GroupMember[]>(new GroupMembersQuery(context.accountId, userIds));
  }

  private async respondList(context: CommandContext, params: ListQueryDto, request: Request, response: Response): Promise<void> {
    const page = await this.queryBus.execute<ListGroupsQuery, ListPage<GroupWithMembers>>(new ListGroupsQuery(context.accountId, params, membersShown(params)));
    const baseUrl = this.baseUrls.of(request, context.accountId);
    const resources = page.resources.map(({ view, members }) => groupResource(snapshotOfGroupView(view), members, baseUrl, params));
    sendScim(response, 200, listResponse(resources, { totalResults: page.totalResults, startIndex: page.startIndex, itemsPerPage: resources.length }));
  }
}
