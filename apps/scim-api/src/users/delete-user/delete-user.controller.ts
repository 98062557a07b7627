import { Controller, Delete, Headers, HttpCode, Param, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { expectedRevisionFrom } from '../../scim/scim-http';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { DeleteUserCommand } from './delete-user.command';

@Controller('scim/v2/:accountId/Users')
@UseGuards(ScimAuthGuard)
export class DeleteUserController {
  constructor(private readonly commandBus: CommandBus) {}

  @Delete(':userId')
  @HttpCode(204)
  async delete(
    @ScimContext() context: CommandContext,
    @Param('userId') userId: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.commandBus.execute(new DeleteUserCommand(context, userId, expectedRevisionFrom(ifMatch)));
  }
}
