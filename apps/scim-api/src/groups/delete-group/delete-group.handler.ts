import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { GroupWriteModel } from '@scim/provisioning';
import { DeleteGroupCommand } from './delete-group.command';

@CommandHandler(DeleteGroupCommand)
export class DeleteGroupHandler implements ICommandHandler<DeleteGroupCommand, void> {
  constructor(private readonly groups: GroupWriteModel) {}

  async execute({ context, groupId, ifMatch }: DeleteGroupCommand): Promise<void> {
    await this.groups.execute(context, groupId, { type: 'DeleteGroup', accountId: context.accountId, by: 'scim', at: context.at }, ifMatch);
  }
}
