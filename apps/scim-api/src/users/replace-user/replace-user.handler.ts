import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { normalizeUserProfile } from '@scim/scim-protocol';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { UserWriteModel, type WrittenUser } from '@scim/provisioning';
import { ReplaceUserCommand } from './replace-user.command';

/** RFC 7644 §3.5.1: PUT replaces every writable attribute; `id`, `meta` and `groups` are ignored. */
@CommandHandler(ReplaceUserCommand)
export class ReplaceUserHandler implements ICommandHandler<ReplaceUserCommand, WrittenUser> {
  constructor(
    private readonly users: UserWriteModel,
    private readonly schemas: AccountSchemaReader,
  ) {}

  async execute({ context, userId, body, ifMatch }: ReplaceUserCommand): Promise<WrittenUser> {
    // Validate before loading the user: a bad body is a 400 whatever the stored state.
    const desired = normalizeUserProfile(body, (await this.schemas.of(context.accountId)).user);
    return this.users.update(context, userId, ifMatch, () => desired);
  }
}
