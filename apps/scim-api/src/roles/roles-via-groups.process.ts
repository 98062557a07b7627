import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { affectsRoles, roleReactions, StreamPrefix, upcastEvent, type GroupEvent, type GroupMembershipEvent, type RoleReaction } from '@scim/domain';
import { EventStore, type RecordedEvent, type Subscription } from '@scim/event-store';
import { ReadStore } from '@scim/read-models';
import { GroupWriteModel } from '../groups/group-write-model';
import type { CommandContext } from '../shared/request-context';
import { UserWriteModel } from '../users/user-write-model';

/** User streams written at once per group event: large group commits (10,000 grants in ~1 s here), bounded memory. */
const PARALLEL_USERS = 2000;
const RESTART_DELAY_MS = 1000;
/** Other streams' events read past before the checkpoint is stored anyway, so a restart does not read them again. */
const SKIPPED_EVENTS_PER_CHECKPOINT = 1_000;

/**
 * Process manager: group membership, mapping and deletion events become RoleGrantedViaGroup /
 * RoleRevokedViaGroup on each affected user. Checkpointed in the read store after each batch;
 * the user commands are idempotent, so a restart that replays a batch changes nothing.
 */
@Injectable()
export class RolesViaGroupsProcess implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly checkpointName = 'process:roles-via-groups';
  private readonly logger = new Logger('RolesViaGroups');
  private subscription?: Subscription;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;
  private checkpointed = 0;

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly users: UserWriteModel,
    private readonly groups: GroupWriteModel,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.subscription?.close();
  }

  /** Position up to which every role consequence has been written (for tests and the benchmark). */
  checkpoint(): Promise<number> {
    return this.readStore.checkpoint(RolesViaGroupsProcess.checkpointName);
  }

  private async start(): Promise<void> {
    const fromPosition = await this.checkpoint();
    this.checkpointed = fromPosition;
    this.subscription = this.eventStore.subscribeToAll(
      {
        fromPosition,
        streamPrefixes: [StreamPrefix.group, StreamPrefix.groupMembers],
        onSkipped: async (position) => {
          if (position - this.checkpointed >= SKIPPED_EVENTS_PER_CHECKPOINT) await this.commitCheckpoint(position);
        },
      },
      (batch) => this.handle(batch),
      (error) => {
        this.logger.error(`Stopped at a failing batch; restarting from the checkpoint: ${error instanceof Error ? error.stack : String(error)}`);
        if (!this.stopped) this.restartTimer = setTimeout(() => void this.start(), RESTART_DELAY_MS);
      },
    );
  }

  private async handle(batch: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of batch) {
      const event = upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined }) as GroupEvent | GroupMembershipEvent;
      if (affectsRoles(event)) await this.react(recorded, event);
    }
    const last = batch[batch.length - 1];
    if (last) await this.commitCheckpoint(last.position);
  }

  private async commitCheckpoint(position: number): Promise<void> {
    await this.readStore.commit([], { projection: RolesViaGroupsProcess.checkpointName, position });
    this.checkpointed = position;
  }

  private async react(recorded: RecordedEvent, event: GroupEvent | GroupMembershipEvent): Promise<void> {
    const groupId = event.data.groupId;
    const { state } = await this.groups.load(groupId);
    const roles = state.status === 'live' ? state.roles : [];
    // The grant's time is the membership's: replays stay identical, and provenance reads "since T".
    const at = String(recorded.metadata.occurredAt ?? recorded.recordedAt);
    const reactions = await roleReactions(event, { roles, members: () => this.groups.members(groupId) }, at);
    const context: CommandContext = {
      accountId: String(recorded.metadata.accountId),
      actor: { kind: 'system', process: 'roles-via-groups' },
      requestId: String(recorded.metadata.correlationId ?? recorded.id),
      causationId: recorded.id,
      at,
    };
    for (let i = 0; i < reactions.length; i += PARALLEL_USERS) {
      await Promise.all(reactions.slice(i, i + PARALLEL_USERS).map((r: RoleReaction) => this.users.execute(context, r.userId, r.command, { settle: false })));
    }
  }
}
