import { Body, Controller, Headers, Param, Patch, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { expectedRevisionFrom } from '../../scim/scim-http';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { WrittenUserResponse } from '../written-user-response';
import { PatchUserCommand } from './patch-user.command';

@Controller('scim/v2/:accountId/Users')
@UseGuards(ScimAuthGuard)
export class PatchUserController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly writtenUsers: WrittenUserResponse,
  ) {}

  /** Answers 200 with the resource: Okta reads it, and Entra accepts 200 as well as 204. */
  @Patch(':userId')
  async patch(
    @ScimContext() context: CommandContext,
    @Param('userId') userId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() selection: AttributesQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const written = await this.commandBus.execute(new PatchUserCommand(context, userId, body, expectedRevisionFrom(ifMatch)));
    await this.writtenUsers.send(response, request, context, written, selection);
  }
}
