import { Body, Controller, Headers, Param, Patch, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { expectedRevisionFrom } from '../../scim/scim-http';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { sendUser, snapshotOfWritten, withAccountSchema } from '../user-presenter';
import { withGroups } from '../user-groups/user-groups.query';
import { PatchUserCommand } from './patch-user.command';

@Controller('scim/v2/:accountId/Users')
@UseGuards(ScimAuthGuard)
export class PatchUserController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly schemas: AccountSchemaReader,
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
    const command = new PatchUserCommand(context, userId, body, expectedRevisionFrom(ifMatch));
    const written = await this.commandBus.execute(command);
    const snapshot = await withGroups(this.queryBus, context.accountId, snapshotOfWritten(written), selection);
    sendUser(response, 200, snapshot, this.baseUrls.of(request, context.accountId), await withAccountSchema(selection, () => this.schemas.of(context.accountId)));
  }
}
