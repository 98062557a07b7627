import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UserWriteModel } from '@scim/provisioning';
import { DeleteUserCommand } from './delete-user.command';

/** RFC 7644 §3.6: the user is gone from SCIM (404 afterwards); its history stays in the log. */
@CommandHandler(DeleteUserCommand)
export class DeleteUserHandler implements ICommandHandler<DeleteUserCommand, void> {
  constructor(private readonly users: UserWriteModel) {}

  execute({ context, userId, ifMatch }: DeleteUserCommand): Promise<void> {
    return this.users.deprovision(context, userId, ifMatch);
  }
}
