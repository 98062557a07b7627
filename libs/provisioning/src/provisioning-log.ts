import { provisioningStream, type ProvisioningRejected } from '@scim/domain';
import { appendOnlyLog, type EventStore, handleCommand } from '@scim/event-store';
import type { CommandContext } from './command-context';
import { metadataFor } from './event-metadata';

/**
 * The account's provisioning log: IdP requests refused without touching any aggregate. No
 * invariant to protect, so only its revision is read; concurrent rejections are appended in turn.
 */
export class ProvisioningLog {
  constructor(private readonly store: EventStore) {}

  async recordRejection(context: CommandContext, rejected: ProvisioningRejected): Promise<void> {
    await handleCommand(this.store, provisioningStream(context.accountId), appendOnlyLog<ProvisioningRejected>(), () => [rejected], { metadata: metadataFor(context) });
  }
}
