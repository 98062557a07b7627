import { Command } from '@nestjs/cqrs';
import type { WrittenUser } from '@scim/provisioning';
import type { CommandContext } from '../../shared/request-context';

export class PatchUserCommand extends Command<WrittenUser> {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly body: unknown,
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}
