import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UserWriteModel } from '@scim/provisioning';
import { EraseUserCommand } from './erase-user.command';

export interface ErasedUser {
  readonly userId: string;
  readonly status: 'erased';
  readonly erasedAt: string;
}

/** GDPR Art. 17: the person's data key is destroyed; ids, roles and times stay in the history. */
@CommandHandler(EraseUserCommand)
export class EraseUserHandler implements ICommandHandler<EraseUserCommand, ErasedUser> {
  constructor(private readonly users: UserWriteModel) {}

  async execute({ context, userId, reason }: EraseUserCommand): Promise<ErasedUser> {
    const { erasedAt } = await this.users.erase(context, userId, reason);
    return { userId, status: 'erased', erasedAt };
  }
}
