import { Command } from '@nestjs/cqrs';
import type { WrittenGroup } from '@scim/provisioning';
import type { CommandContext } from '../../shared/request-context';

export class PatchGroupCommand extends Command<WrittenGroup> {
  constructor(
    readonly context: CommandContext,
    readonly groupId: string,
    readonly body: unknown,
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}
