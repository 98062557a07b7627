import { StreamPrefix } from '@scim/domain';
import type { EventStore, RecordedEvent } from '@scim/event-store';
import type { ReadStore } from '@scim/read-models';
import { Collections, type GroupMemberView } from '@scim/read-models/projections';
import type { ProvisioningLogger } from '../command-context';
import type { GroupWriteModel } from '../groups/group-write-model';
import type { ReadModelFreshness } from '../read-model-freshness';
import { ProcessManager, reactionContext } from './process-subscription';

/**
 * Process manager: a deleted user (UserDeprovisioned) leaves every group it was in, with a
 * GroupMembersRemoved caused by the deletion, so no group lists a member that answers 404. The
 * roles process then revokes the roles those groups granted (already void for a deleted user).
 */
export class DeletedUsersLeaveGroupsProcess extends ProcessManager {
  static readonly checkpointName = 'process:deleted-users-leave-groups';

  constructor(
    eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly groups: GroupWriteModel,
    private readonly freshness: ReadModelFreshness,
    logger: ProvisioningLogger,
  ) {
    super(eventStore, readStore, {
      name: DeletedUsersLeaveGroupsProcess.checkpointName,
      logger,
      streamPrefixes: [StreamPrefix.user],
      // Not the role grants and attribute updates that make up most of the user streams.
      eventTypes: ['UserDeprovisioned'],
    });
  }

  protected async react(event: RecordedEvent): Promise<void> {
    // The memberships read model must hold every membership added before the deletion.
    if (!(await this.freshness.waitFor(event.position))) throw new Error(`Read models did not reach position ${event.position}`);
    const context = reactionContext(event, 'deleted-users-leave-groups');
    const userId = String(event.data.userId);
    const memberships = await this.readStore.find<GroupMemberView>(Collections.groupMembers, { accountId: context.accountId, userId });
    for (const { groupId } of memberships) await this.groups.removeDeletedUser(context, groupId, userId);
  }
}
