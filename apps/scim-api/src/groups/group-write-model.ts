import { Injectable } from '@nestjs/common';
import {
  decideDeletedUserRemoval,
  decideMembershipChange,
  evolveGroup,
  groupDecider,
  groupMembersStream,
  groupStream,
  initialGroupState,
  membersOf,
  upcastEvent,
  requireGroupFor,
  type GroupActor,
  type GroupCommand,
  type GroupEvent,
  type GroupMembershipEvent,
  type GroupState,
  type LiveGroup,
} from '@scim/domain';
import { aggregateStream, ConcurrencyError, handleCommand, PreconditionFailedError, WrongExpectedRevisionError, type RecordedEvent } from '@scim/event-store';
import { ReadStore } from '@scim/read-models';
import { Collections } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import { EventWriter } from '../persistence/event-writer';
import { KeyedMutex } from '../persistence/keyed-mutex';
import type { CommandContext } from '../shared/request-context';

export interface WrittenGroup {
  readonly group: LiveGroup;
  /** SCIM version: lifecycle revision + membership revision + 1 (both streams count). */
  readonly version: number;
}

export interface MembershipChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
  /** Replace the whole list (PUT, or PATCH replace/remove of `members`). */
  readonly removeAll: boolean;
}

const MAX_ATTEMPTS = 4;
const toDomain = <E>(recorded: RecordedEvent): E =>
  upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined }) as E;

/**
 * The write side of groups: the lifecycle stream (name, mapping, deletion) is read whole; the
 * membership stream only ever gets deltas appended, at its current revision.
 */
@Injectable()
export class GroupWriteModel {
  private readonly membershipLocks = new KeyedMutex();

  constructor(
    private readonly writer: EventWriter,
    private readonly readStore: ReadStore,
  ) {}

  async create(context: CommandContext, groupId: string, command: Omit<Extract<GroupCommand, { type: 'CreateGroup' }>, 'type' | 'groupId' | 'accountId' | 'at'>, members: readonly string[], notes: readonly string[] = []): Promise<WrittenGroup> {
    await this.requireMembers(context.accountId, members, command.source === 'SCIM' ? 'scim' : 'admin');
    const created = await handleCommand(this.writer.store, groupStream(groupId), groupDecider, { type: 'CreateGroup', groupId, accountId: context.accountId, at: context.at, ...command }, this.options(context, notes));
    const membership = await this.changeMembers(context, created.state as LiveGroup, command.source === 'SCIM' ? 'scim' : 'admin', { add: members, remove: [], removeAll: false }, notes);
    await this.writer.settle(Math.max(created.position, membership.position));
    return { group: created.state as LiveGroup, version: created.revision + membership.revision + 1 };
  }

  /**
   * Changes attributes and membership of a group, checking If-Match against both streams.
   * `plan` sees the current group and says what to do (a PUT body, or a PATCH plan).
   */
  async update(
    context: CommandContext,
    groupId: string,
    by: GroupActor,
    ifMatch: number | undefined,
    plan: (group: LiveGroup) => { displayName: string; externalId?: string | null; members?: MembershipChange; notes: readonly string[] },
  ): Promise<WrittenGroup> {
    const { state, revision } = await this.load(groupId);
    const membersRevision = await this.writer.store.streamRevision(groupMembersStream(groupId));
    const current = requireGroupFor(state, context.accountId, by);
    if (ifMatch !== undefined && ifMatch !== revision + membersRevision + 1) {
      throw new PreconditionFailedError(groupStream(groupId), ifMatch, revision + membersRevision + 1);
    }
    const desired = plan(current);
    if (desired.members) await this.requireMembers(context.accountId, desired.members.add, by);
    const updated = await handleCommand(
      this.writer.store,
      groupStream(groupId),
      groupDecider,
      { type: 'UpdateGroup', accountId: context.accountId, by, displayName: desired.displayName, externalId: desired.externalId, at: context.at },
      { ...this.options(context, desired.notes), expectedRevision: ifMatch === undefined ? undefined : revision },
    );
    const membership = desired.members
      ? await this.changeMembers(context, updated.state as LiveGroup, by, desired.members, desired.notes)
      : { position: 0, revision: membersRevision };
    await this.writer.settle(Math.max(updated.position, membership.position));
    return { group: updated.state as LiveGroup, version: updated.revision + membership.revision + 1 };
  }

  async execute(context: CommandContext, groupId: string, command: GroupCommand): Promise<WrittenGroup> {
    const result = await handleCommand(this.writer.store, groupStream(groupId), groupDecider, command, this.options(context));
    await this.writer.settle(result.position);
    const membersRevision = await this.writer.store.streamRevision(groupMembersStream(groupId));
    return { group: result.state as LiveGroup, version: result.revision + membersRevision + 1 };
  }

  /** Current members from the delta history; only for whole-list operations. */
  async members(groupId: string): Promise<Set<string>> {
    const history = await this.writer.store.readStream(groupMembersStream(groupId));
    return membersOf(history.map((e) => toDomain<GroupMembershipEvent>(e)));
  }

  load(groupId: string) {
    return aggregateStream<GroupEvent, GroupState>(this.writer.store, groupStream(groupId), evolveGroup, initialGroupState, toDomain);
  }

  /** Takes a deleted user out of the group (see decideDeletedUserRemoval); position 0 when nothing changed. */
  async removeDeletedUser(context: CommandContext, groupId: string, userId: string): Promise<number> {
    const { state } = await this.load(groupId);
    const appended = await this.appendMembership(context, groupId, [], async () =>
      decideDeletedUserRemoval({ type: 'RemoveDeletedUser', accountId: context.accountId, userId, at: context.at }, state),
    );
    return appended.position;
  }

  private changeMembers(context: CommandContext, group: LiveGroup, by: GroupActor, change: MembershipChange, notes: readonly string[]) {
    return this.appendMembership(context, group.groupId, notes, async () => {
      const remove = change.removeAll ? [...(await this.members(group.groupId))].filter((m) => !change.add.includes(m)) : change.remove;
      return decideMembershipChange({ type: 'ChangeGroupMembers', accountId: context.accountId, by, add: change.add, remove, at: context.at }, group);
    });
  }

  /**
   * Appends the deltas `decide` returns at the membership stream's current revision, in turn per
   * group in this process; decided again if another API instance appended first.
   */
  private appendMembership(context: CommandContext, groupId: string, notes: readonly string[], decide: () => Promise<GroupMembershipEvent[]>) {
    const stream = groupMembersStream(groupId);
    return this.membershipLocks.run(groupId, async () => {
      for (let attempt = 1; ; attempt++) {
        const events = await decide();
        const revision = await this.writer.store.streamRevision(stream);
        if (events.length === 0) return { position: 0, revision };
        try {
          const appended = await this.writer.store.append(stream, this.writer.toNewEvents(events, context, notes), revision < 0 ? 'no_stream' : revision);
          return { position: appended.position, revision: appended.nextExpectedRevision };
        } catch (error) {
          // Deltas commute: append ours after the other instance's.
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyError(stream, attempt);
        }
      }
    });
  }

  /**
   * Members must be users of the account; for the IdP, users it can see (RFC 7643 §4.2). Unknown
   * ids are refused, not stored.
   */
  private async requireMembers(accountId: string, userIds: readonly string[], by: GroupActor): Promise<void> {
    const wanted = [...new Set(userIds)];
    const found = new Set<string>();
    for (let i = 0; i < wanted.length; i += 1000) {
      const chunk = wanted.slice(i, i + 1000);
      // Ids only: the store answers from its indexes, without reading 10,000 users.
      const users = await this.readStore.find(Collections.users, { _id: { $in: chunk }, accountId, ...(by === 'scim' ? { source: 'scim' } : {}) }, { fields: ['_id'] });
      for (const user of users) found.add(user._id);
    }
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length > 0) {
      const shown = missing.slice(0, 5).join(', ');
      throw new ScimError(400, `Unknown member${missing.length > 1 ? 's' : ''} (${missing.length}): ${shown}${missing.length > 5 ? ', …' : ''}`, 'invalidValue');
    }
  }

  private options(context: CommandContext, notes: readonly string[] = []) {
    return { metadata: this.writer.metadataFor(context, notes), eventId: this.writer.newEventId, upcast: toDomain<GroupEvent> };
  }
}
