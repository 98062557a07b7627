import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../shared/request-context';

export class DeleteGroupCommand extends Command<void> {
  constructor(
    readonly context: CommandContext,
    readonly groupId: string,
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}
