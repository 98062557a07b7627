import { Body, Controller, Headers, Param, Patch, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { expectedRevisionFrom } from '../../scim/scim-http';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { sendScim } from '../../scim/scim-response';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { selects } from '../../users/user-presenter';
import { GetGroupQuery, type GroupWithMembers } from '../get-group/get-group.query';
import { groupHeaders, groupResource, membersShown, snapshotOfGroup, snapshotOfGroupView } from '../group-presenter';
import { PatchGroupCommand } from './patch-group.command';

@Controller('scim/v2/:accountId/Groups')
@UseGuards(ScimAuthGuard)
export class PatchGroupController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
  ) {}

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
}
