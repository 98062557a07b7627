import { Command } from '@nestjs/cqrs';
import type { WrittenUser } from '@scim/provisioning';
import type { CommandContext } from '../../shared/request-context';

export class ReplaceUserCommand extends Command<WrittenUser> {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly body: unknown,
    /** Revision from If-Match; undefined when absent or `*`. */
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}
