import { Injectable } from '@nestjs/common';
import { affectsRoles, roleReactions, StreamPrefix, upcastEvent, type GroupEvent, type GroupMembershipEvent, type RoleReaction } from '@scim/domain';
import { EventStore, type RecordedEvent } from '@scim/event-store';
import { ReadStore } from '@scim/read-models';
import { GroupWriteModel } from '../groups/group-write-model';
import { ProcessManager, reactionContext } from '../shared/process-subscription';
import { UserWriteModel } from '../users/user-write-model';

/** User streams written at once per group event: large group commits (10,000 grants in ~1 s here), bounded memory. */
const PARALLEL_USERS = 2000;

/**
 * Process manager: group membership, mapping and deletion events become RoleGrantedViaGroup /
 * RoleRevokedViaGroup on each affected user. Checkpointed in the read store after each batch;
 * the user commands are idempotent, so a restart that replays a batch changes nothing.
 */
@Injectable()
export class RolesViaGroupsProcess extends ProcessManager {
  static readonly checkpointName = 'process:roles-via-groups';

  constructor(
    eventStore: EventStore,
    readStore: ReadStore,
    private readonly users: UserWriteModel,
    private readonly groups: GroupWriteModel,
  ) {
    super(eventStore, readStore, { name: RolesViaGroupsProcess.checkpointName, streamPrefixes: [StreamPrefix.group, StreamPrefix.groupMembers] });
  }

  protected async react(recorded: RecordedEvent): Promise<void> {
    const event = upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined }) as GroupEvent | GroupMembershipEvent;
    if (!affectsRoles(event)) return;
    const groupId = event.data.groupId;
    const { state } = await this.groups.load(groupId);
    const roles = state.status === 'live' ? state.roles : [];
    // The grant's time is the membership's: replays stay identical, and provenance reads "since T".
    const context = reactionContext(recorded, 'roles-via-groups');
    const reactions = await roleReactions(event, { roles, members: () => this.groups.members(groupId) }, context.at);
    for (let i = 0; i < reactions.length; i += PARALLEL_USERS) {
      await Promise.all(reactions.slice(i, i + PARALLEL_USERS).map((r: RoleReaction) => this.users.execute(context, r.userId, r.command, { settle: false })));
    }
  }
}
