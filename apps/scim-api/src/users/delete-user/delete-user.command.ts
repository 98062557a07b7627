import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../shared/request-context';

export class DeleteUserCommand extends Command<void> {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly ifMatch: number | undefined,
  ) {
    super();
  }
}
