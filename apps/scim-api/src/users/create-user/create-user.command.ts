import type { CommandContext } from '../../shared/request-context';

export class CreateUserCommand {
  constructor(
    readonly context: CommandContext,
    readonly body: unknown,
  ) {}
}
