import { Controller, Get, Headers, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { ifNoneMatchHits } from '../../scim/scim-http';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { sendScim } from '../../scim/scim-response';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { groupHeaders, groupResource, membersShown, snapshotOfGroupView } from '../group-presenter';
import { GetGroupQuery, type GroupWithMembers } from './get-group.query';

@Controller('scim/v2/:accountId/Groups')
@UseGuards(ScimAuthGuard)
export class GetGroupController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
  ) {}

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
}
