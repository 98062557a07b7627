import { Body, Controller, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { WrittenGroupResponse } from '../written-group-response';
import { CreateGroupCommand } from './create-group.command';

@Controller('scim/v2/:accountId/Groups')
@UseGuards(ScimAuthGuard)
export class CreateGroupController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly writtenGroups: WrittenGroupResponse,
  ) {}

  /** RFC 7644 §3.3: 201 with the resource, its Location and ETag. */
  @Post()
  async create(@ScimContext() context: CommandContext, @Body() body: unknown, @Query() selection: AttributesQueryDto, @Req() request: Request, @Res() response: Response) {
    const created = await this.commandBus.execute(new CreateGroupCommand(context, body));
    await this.writtenGroups.send(response, 201, created, this.baseUrls.of(request, context.accountId), context.accountId, selection);
  }
}
