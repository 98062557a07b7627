import type { CommandContext } from '../../shared/request-context';

export class PatchUserCommand {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly body: unknown,
    readonly ifMatch: number | undefined,
  ) {}
}
