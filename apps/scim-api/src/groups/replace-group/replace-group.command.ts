import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../shared/request-context';
import type { CreatedGroup } from '../create-group/create-group.command';

export class ReplaceGroupCommand extends Command<CreatedGroup> {
  constructor(
    readonly context: CommandContext,
    readonly groupId: string,
    readonly body: unknown,
    /** Revision from If-Match; undefined when absent or `*`. */
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}
