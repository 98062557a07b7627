import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { normalizeUserProfile } from '@scim/scim-protocol';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { UserWriteModel, type WrittenUser } from '@scim/provisioning';
import { CreateUserCommand } from './create-user.command';

@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand, WrittenUser> {
  constructor(
    private readonly users: UserWriteModel,
    private readonly schemas: AccountSchemaReader,
  ) {}

  async execute({ context, body }: CreateUserCommand): Promise<WrittenUser> {
    const { profile, active, notes } = normalizeUserProfile(body, (await this.schemas.of(context.accountId)).user);
    // RFC 7643 §4.1.1: active defaults to true when the client does not say.
    return this.users.provision(context, profile, active ?? true, notes);
  }
}
