import { Body, Controller, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { sendUser, snapshotOfWritten, withAccountSchema } from '../user-presenter';
import { CreateUserCommand } from './create-user.command';

@Controller('scim/v2/:accountId/Users')
@UseGuards(ScimAuthGuard)
export class CreateUserController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly schemas: AccountSchemaReader,
  ) {}

  /** RFC 7644 §3.3: 201 with the resource, its Location and ETag. */
  @Post()
  async create(
    @ScimContext() context: CommandContext,
    @Body() body: unknown,
    @Query() selection: AttributesQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const written = await this.commandBus.execute(new CreateUserCommand(context, body));
    sendUser(response, 201, snapshotOfWritten(written), this.baseUrls.of(request, context.accountId), await withAccountSchema(selection, () => this.schemas.of(context.accountId)));
  }
}
