import { Controller, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { scimContextOf, type AuthenticatedRequest } from '../../shared/request-context';
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

  /**
   * RFC 7644 §3.3: 201 with the resource, its Location and ETag. The body (read by the request
   * edge) and the caller's context are taken from the request rather than through @Body() and
   * @ScimContext(): Nest runs each decorated parameter through a chain of promises and the global
   * pipe, ~1.5 KB of garbage per parameter on the service's busiest write.
   */
  @Post()
  async create(@Query() selection: AttributesQueryDto, @Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    const context = scimContextOf(request);
    const written = await this.commandBus.execute(new CreateUserCommand(context, request.body as unknown));
    sendUser(response, 201, snapshotOfWritten(written), this.baseUrls.of(request, context.accountId), await withAccountSchema(selection, () => this.schemas.of(context.accountId)));
  }
}
