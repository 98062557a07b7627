import { Command } from '@nestjs/cqrs';
import type { WrittenUser } from '@scim/provisioning';
import type { CommandContext } from '../../shared/request-context';

export class CreateUserCommand extends Command<WrittenUser> {
  constructor(
    readonly context: CommandContext,
    readonly body: unknown,
  ) {
    super();
  }
}
