import type { CommandContext } from '../../shared/request-context';

export class DeleteUserCommand {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly ifMatch: number | undefined,
  ) {}
}
