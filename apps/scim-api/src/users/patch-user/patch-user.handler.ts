import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { activeOf } from '@scim/domain';
import { applyUserPatch, parsePatchRequest } from '@scim/scim-protocol';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { UserWriteModel, type WrittenUser } from '@scim/provisioning';
import { PatchUserCommand } from './patch-user.command';

/** RFC 7644 §3.5.2: the operations are applied to the freshest state, atomically. */
@CommandHandler(PatchUserCommand)
export class PatchUserHandler implements ICommandHandler<PatchUserCommand, WrittenUser> {
  constructor(
    private readonly users: UserWriteModel,
    private readonly schemas: AccountSchemaReader,
  ) {}

  async execute({ context, userId, body, ifMatch }: PatchUserCommand): Promise<WrittenUser> {
    const operations = parsePatchRequest(body);
    const { user: schema } = await this.schemas.of(context.accountId);
    return this.users.update(context, userId, ifMatch, (current) =>
      applyUserPatch({ profile: current.profile, active: activeOf(current) }, operations, schema),
    );
  }
}
