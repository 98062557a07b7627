import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { applyUserPatch, parsePatchRequest } from '@scim/scim-protocol';
import { UserWriteModel, type WrittenUser } from '@scim/provisioning';
import { PatchUserCommand } from './patch-user.command';

/** RFC 7644 §3.5.2: the operations are applied to the freshest state, atomically. */
@CommandHandler(PatchUserCommand)
export class PatchUserHandler implements ICommandHandler<PatchUserCommand, WrittenUser> {
  constructor(private readonly users: UserWriteModel) {}

  execute({ context, userId, body, ifMatch }: PatchUserCommand): Promise<WrittenUser> {
    const operations = parsePatchRequest(body);
    return this.users.update(context, userId, ifMatch, (current) =>
      applyUserPatch({ profile: current.profile, active: current.status === 'active' }, operations),
    );
  }
}
