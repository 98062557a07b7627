import { Controller, Delete, Headers, HttpCode, Param, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { expectedRevisionFrom } from '../../scim/scim-http';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { DeleteGroupCommand } from './delete-group.command';

@Controller('scim/v2/:accountId/Groups')
@UseGuards(ScimAuthGuard)
export class DeleteGroupController {
  constructor(private readonly commandBus: CommandBus) {}

  @Delete(':groupId')
  @HttpCode(204)
  async delete(@ScimContext() context: CommandContext, @Param('groupId') groupId: string, @Headers('if-match') ifMatch: string | undefined) {
    await this.commandBus.execute(new DeleteGroupCommand(context, groupId, expectedRevisionFrom(ifMatch)));
  }
}
