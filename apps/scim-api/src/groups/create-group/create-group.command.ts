import { Command } from '@nestjs/cqrs';
import type { WrittenGroup } from '@scim/provisioning';
import type { CommandContext } from '../../shared/request-context';

/** A group as written with the members the request gave (a create's or a replace's whole list). */
export interface CreatedGroup extends WrittenGroup {
  readonly members: readonly string[];
}

export class CreateGroupCommand extends Command<CreatedGroup> {
  constructor(
    readonly context: CommandContext,
    readonly body: unknown,
  ) {
    super();
  }
}
