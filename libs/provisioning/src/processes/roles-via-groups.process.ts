import { affectsRoles, roleReactions, StreamPrefix, type GroupEvent, type GroupMembershipEvent, type RoleReaction } from '@scim/domain';
import type { EventStore, RecordedEvent } from '@scim/event-store';
import type { ReadStore } from '@scim/read-models';
import type { ProvisioningLogger } from '../command-context';
import type { GroupWriteModel } from '../groups/group-write-model';
import type { ReadModelFreshness } from '../read-model-freshness';
import { upcastRecorded } from '../stream-model';
import type { UserWriteModel } from '../users/user-write-model';
import { ProcessManager, reactionContext } from './process-subscription';

/** User streams written at once per group event: large group commits (10,000 grants in ~1 s here), bounded memory. */
const PARALLEL_USERS = 2000;

/**
 * Process manager: group membership, mapping and deletion events become RoleGrantedViaGroup /
 * RoleRevokedViaGroup on each affected user. Checkpointed in the read store after each batch;
 * the user commands are idempotent, so a restart that replays a batch changes nothing.
 */
export class RolesViaGroupsProcess extends ProcessManager {
  static readonly checkpointName = 'process:roles-via-groups';

  constructor(
    eventStore: EventStore,
    readStore: ReadStore,
    private readonly users: UserWriteModel,
    private readonly groups: GroupWriteModel,
    private readonly freshness: ReadModelFreshness,
    logger: ProvisioningLogger,
  ) {
    super(eventStore, readStore, { name: RolesViaGroupsProcess.checkpointName, streamPrefixes: [StreamPrefix.group, StreamPrefix.groupMembers], logger });
  }

  protected async react(recorded: RecordedEvent): Promise<void> {
    const event = upcastRecorded<GroupEvent | GroupMembershipEvent>(recorded);
    if (!affectsRoles(event)) return;
    // The request that wrote the event answers once the read models include it; granting at once
    // would compete with those projections for the event loop (a 10,000-member PATCH's response
    // shared it with 10,000 user writes). When the bounded wait runs out, the grants go ahead.
    await this.freshness.waitFor(recorded.position);
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
