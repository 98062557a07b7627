import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { accountDecider, accountStream, upcastEvent, type AccountCommand, type AccountEvent, type AccountState } from '@scim/domain';
import { handleCommand } from '@scim/event-store';
import { EventWriter } from '../persistence/event-writer';
import type { CommandContext } from '../shared/request-context';

export class RunAccountCommand {
  constructor(
    readonly context: CommandContext,
    readonly command: AccountCommand,
  ) {}
}

/** Every account command takes the same path: decide on the account stream, then settle. */
@CommandHandler(RunAccountCommand)
export class RunAccountCommandHandler implements ICommandHandler<RunAccountCommand, AccountState> {
  constructor(private readonly writer: EventWriter) {}

  async execute({ context, command }: RunAccountCommand): Promise<AccountState> {
    const result = await handleCommand(this.writer.store, accountStream(context.accountId), accountDecider, command, {
      metadata: this.writer.metadataFor(context),
      eventId: this.writer.newEventId,
      upcast: (recorded) =>
        upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined }) as AccountEvent,
    });
    await this.writer.settle(result.position);
    return result.state;
  }
}
