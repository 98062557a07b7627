import type { CommandContext } from '../../shared/request-context';

export class ReplaceUserCommand {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly body: unknown,
    /** Revision from If-Match; undefined when absent or `*`. */
    readonly ifMatch: number | undefined,
  ) {}
}
