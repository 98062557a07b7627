import type { CommandContext } from '../../shared/request-context';

export class EraseUserCommand {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly reason: string,
  ) {}
}
