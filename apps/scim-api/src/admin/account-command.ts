import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { accountDecider, accountStream, type AccountCommand, type AccountState } from '@scim/domain';
import { EventStore, handleCommand } from '@scim/event-store';
import { metadataFor, ReadModelFreshness, streamModel } from '@scim/provisioning';
import type { CommandContext } from '../shared/request-context';

export class RunAccountCommand extends Command<AccountState> {
  constructor(
    readonly context: CommandContext,
    readonly command: AccountCommand,
  ) {
    super();
  }
}

const accounts = streamModel(accountDecider);

/** Every account command takes the same path: decide on the account stream, then settle. */
@CommandHandler(RunAccountCommand)
export class RunAccountCommandHandler implements ICommandHandler<RunAccountCommand, AccountState> {
  constructor(
    private readonly store: EventStore,
    private readonly freshness: ReadModelFreshness,
  ) {}

  async execute({ context, command }: RunAccountCommand): Promise<AccountState> {
    const result = await handleCommand(this.store, accountStream(context.accountId), accounts, (state) => accountDecider.decide(command, state), {
      metadata: metadataFor(context),
    });
    await this.freshness.settle(result.position);
    return result.state;
  }
}
