import { Body, Controller, Headers, Param, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { expectedRevisionFrom } from '../../scim/scim-http';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { WrittenGroupResponse } from '../written-group-response';
import { ReplaceGroupCommand } from './replace-group.command';

@Controller('scim/v2/:accountId/Groups')
@UseGuards(ScimAuthGuard)
export class ReplaceGroupController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly writtenGroups: WrittenGroupResponse,
  ) {}

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
    await this.writtenGroups.send(response, 200, written, this.baseUrls.of(request, context.accountId), context.accountId, selection);
  }
}
