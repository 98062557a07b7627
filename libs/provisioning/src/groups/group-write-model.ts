import {
  decideDeletedUserRemoval,
  decideGroupName,
  decideMembershipChange,
  groupDecider,
  groupNameDecider,
  groupNameKey,
  groupNameStream,
  groupMembersStream,
  groupStream,
  initialGroupState,
  membersOf,
  membershipReplacement,
  splitMembershipEvents,
  requireGroupFor,
  requireNameUnusedByUnreservedGroups,
  type GroupActor,
  type GroupCommand,
  type GroupMembershipEvent,
  type GroupNameHolder,
  type GroupNameCommand,
  type ReserveGroupName,
  type LiveGroup,
} from '@scim/domain';
import {
  aggregateStream,
  appendOnlyLog,
  appendSizeInBytes,
  decideAndAppend,
  type EventStore,
  handleCommand,
  MAX_APPEND_BYTES,
  newEventId,
  PreconditionFailedError,
  retryOnConflict,
} from '@scim/event-store';
import type { ReadStore } from '@scim/read-models';
import { Collections } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import type { CommandContext } from '../command-context';
import { metadataFor, withNotes } from '../event-metadata';
import { KeyedMutex } from '../keyed-mutex';
import type { ReadModelFreshness } from '../read-model-freshness';
import { streamModel, upcastRecorded } from '../stream-model';

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

type CreateCommand = Omit<Extract<GroupCommand, { type: 'CreateGroup' }>, 'type' | 'groupId' | 'accountId' | 'at' | 'membersRevision'>;

/** Where a group's streams stand after a write, and the last position it wrote (0: none). */
interface Written extends WrittenGroup {
  readonly position: number;
}

interface Appended {
  readonly revision: number;
  readonly position: number;
}

/**
 * Room each membership append leaves under MAX_APPEND_BYTES beyond what is measured here: what
 * adapters add to the metadata (hash-chain links, EventStoreDB's `$correlationId`/`$causationId`).
 */
const ADAPTER_METADATA_BYTES = 4096;

/** Only members being added must be users of the account: those a PUT keeps already are. */
const added = (deltas: readonly GroupMembershipEvent[]): string[] => deltas.flatMap((d) => (d.type === 'GroupMembersAdded' ? d.data.members : []));

const groups = streamModel(groupDecider);
const groupNames = streamModel(groupNameDecider);

/**
 * The write side of groups: the lifecycle stream (name, mapping, deletion) is read whole; the
 * membership stream only ever gets deltas appended, in appends under EventStoreDB's size limit.
 *
 * The SCIM version covers both streams, so one write checks both revisions. Writes to one group
 * take turns in this process (an If-Match is then decided against a group no other request of
 * this process is changing); across API instances each append's expected revision decides, and a
 * write without If-Match that loses is decided again on the fresh state, a few times at most.
 */
export class GroupWriteModel {
  private readonly inTurn = new KeyedMutex();

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly freshness: ReadModelFreshness,
  ) {}

  /**
   * The initial members first, `GroupCreated` last: until it is written the group does not exist
   * (no read model, no role or SCIM request sees it), so a create that fails half-way leaves
   * nothing, and the IdP's retry (a new id) creates the group once. Deltas of a create that never
   * completed stay in its membership stream, read by nothing.
   */
  async create(context: CommandContext, groupId: string, command: CreateCommand, members: readonly string[], notes: readonly string[] = []): Promise<WrittenGroup> {
    const by: GroupActor = command.source === 'SCIM' ? 'scim' : 'admin';
    await this.requireMembers(context.accountId, members, by);
    const creating: Extract<GroupCommand, { type: 'CreateGroup' }> = { type: 'CreateGroup', groupId, accountId: context.accountId, at: context.at, ...command };
    const reservedAt = command.source === 'SCIM' ? await this.reserveName(context, command.displayName, groupId) : 0;
    const written = await this.write(groupId, undefined, async (): Promise<Written> => {
      // The membership is decided against the group as it will be once created.
      const group = groupDecider.decide(creating, initialGroupState).reduce(groupDecider.evolve, initialGroupState) as LiveGroup;
      const deltas = decideMembershipChange({ type: 'ChangeGroupMembers', accountId: context.accountId, by, add: members, remove: [], at: context.at }, group);
      const membership = await this.appendDeltas(context, groupId, deltas, notes, -1);
      const created = await handleCommand(this.store, groupStream(groupId), groups, (state) => withNotes(groupDecider.decide({ ...creating, membersRevision: membership.revision }, state), notes), {
        metadata: metadataFor(context),
        newStream: true,
      });
      return { group: created.state as LiveGroup, version: created.revision + membership.revision + 1, position: Math.max(created.position, reservedAt, membership.position) };
    }).catch((error: unknown) => this.abandonReservation(context, groupId, command.source === 'SCIM' ? command.displayName : undefined, error));
    return this.settled(written);
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
    const written = await this.write(groupId, ifMatch, async () => {
      const { state, current, revision, membersRevision } = await this.current(groupId, context.accountId, by, ifMatch);
      const desired = plan(current);
      const deltas = desired.members ? await this.membershipDeltas(context, current, by, desired.members) : [];
      await this.requireMembers(context.accountId, added(deltas), by);
      // A case-only change keeps the name.
      const renamed = current.source === 'SCIM' && groupNameKey(desired.displayName) !== groupNameKey(current.displayName);
      const reservedAt = renamed ? await this.reserveName(context, desired.displayName, groupId) : 0;
      const update: GroupCommand = { type: 'UpdateGroup', accountId: context.accountId, by, displayName: desired.displayName, externalId: desired.externalId, at: context.at };
      // Appended at the revision the plan was made on: a request that lost the race is planned again.
      const updated = await decideAndAppend(this.store, groupStream(groupId), groups, (group) => withNotes(groupDecider.decide(update, group), desired.notes), {
        metadata: metadataFor(context),
      }, { state, revision }).catch((error: unknown) => this.abandonReservation(context, groupId, renamed ? desired.displayName : undefined, error));
      const membership = await this.appendDeltas(context, groupId, deltas, desired.notes, membersRevision);
      const releasedAt = renamed ? await this.releaseName(context, current.displayName, groupId, 'renamed') : 0;
      return {
        group: updated.state as LiveGroup,
        version: updated.revision + membership.revision + 1,
        position: Math.max(updated.position, reservedAt, membership.position, releasedAt),
      };
    });
    return this.settled(written);
  }

  /** A lifecycle command (role mapping, deletion), with the client's If-Match if it sent one. */
  async execute(context: CommandContext, groupId: string, command: GroupCommand, ifMatch?: number): Promise<WrittenGroup> {
    const written = await this.write(groupId, ifMatch, async () => {
      const membersRevision = await this.store.streamRevision(groupMembersStream(groupId));
      // The version counts both streams; the lifecycle stream's part of it is what If-Match expects of it.
      const lifecycleIfMatch = ifMatch === undefined ? undefined : ifMatch - membersRevision - 1;
      const result = await decideAndAppend(this.store, groupStream(groupId), groups, (state) => groupDecider.decide(command, state), { metadata: metadataFor(context), ifMatch: lifecycleIfMatch });
      const group = result.state as LiveGroup;
      const deleted = group.source === 'SCIM' && result.newEvents.some((e) => e.type === 'GroupDeleted');
      const releasedAt = deleted ? await this.releaseName(context, group.displayName, groupId, 'deleted') : 0;
      return { group, version: result.revision + membersRevision + 1, position: Math.max(result.position, releasedAt) };
    });
    return this.settled(written);
  }

  /** Current members from the delta history; only for whole-list operations. */
  async members(groupId: string): Promise<Set<string>> {
    const history = await this.store.readStream(groupMembersStream(groupId));
    return membersOf(history.map((e) => upcastRecorded<GroupMembershipEvent>(e)));
  }

  load(groupId: string) {
    return aggregateStream(this.store, groupStream(groupId), groups);
  }

  /** Takes a deleted user out of the group (see decideDeletedUserRemoval); position 0 when nothing changed. */
  async removeDeletedUser(context: CommandContext, groupId: string, userId: string): Promise<number> {
    const written = await this.write(groupId, undefined, async () => {
      const { state } = await this.load(groupId);
      const membersRevision = await this.store.streamRevision(groupMembersStream(groupId));
      const deltas = decideDeletedUserRemoval({ type: 'RemoveDeletedUser', accountId: context.accountId, userId, at: context.at }, state);
      return this.appendDeltas(context, groupId, deltas, [], membersRevision);
    });
    return written.position;
  }

  /**
   * Runs `attempt` in turn with this process's other writes to the group. A stream that moved
   * under it (another API instance) is a 412 for a client that sent If-Match (RFC 7644 §3.14);
   * without one, the write is decided again on the fresh state, a few times at most.
   */
  private write<T>(groupId: string, ifMatch: number | undefined, attempt: () => Promise<T>): Promise<T> {
    return this.inTurn.run(groupId, () => retryOnConflict(attempt, { ifMatch }));
  }

  private async current(groupId: string, accountId: string, by: GroupActor, ifMatch: number | undefined) {
    const { state, revision } = await this.load(groupId);
    const membersRevision = await this.store.streamRevision(groupMembersStream(groupId));
    const current = requireGroupFor(state, accountId, by);
    const version = revision + membersRevision + 1;
    if (ifMatch !== undefined && ifMatch !== version) throw new PreconditionFailedError(groupStream(groupId), ifMatch, version);
    return { state, current, revision, membersRevision };
  }

  private async membershipDeltas(context: CommandContext, group: LiveGroup, by: GroupActor, change: MembershipChange): Promise<GroupMembershipEvent[]> {
    // A whole list (PUT) is written as its difference to the current members, not as the list.
    const { add, remove } = change.removeAll ? membershipReplacement(await this.members(group.groupId), change.add) : change;
    return decideMembershipChange({ type: 'ChangeGroupMembers', accountId: context.accountId, by, add, remove, at: context.at }, group);
  }

  /**
   * Appends the deltas, one append each, split to stay under MAX_APPEND_BYTES. The first append
   * expects the revision the write was decided on: the precondition. Once it is in, the change is
   * accepted; the parts after it follow at whatever revision the stream has (deltas commute).
   */
  private async appendDeltas(context: CommandContext, groupId: string, deltas: readonly GroupMembershipEvent[], notes: readonly string[], decidedAt: number): Promise<Appended> {
    const stream = groupMembersStream(groupId);
    let appended: Appended = { revision: decidedAt, position: 0 };
    const options = { metadata: metadataFor(context, notes) };
    for (const [index, part] of splitMembershipEvents(deltas, this.memberBytesPerAppend(context, deltas[0], notes)).entries()) {
      const result =
        index === 0
          ? await decideAndAppend(this.store, stream, appendOnlyLog<GroupMembershipEvent>(), () => [part], options, { state: null, revision: decidedAt })
          : await handleCommand(this.store, stream, appendOnlyLog<GroupMembershipEvent>(), () => [part], options);
      appended = { revision: result.revision, position: result.position };
    }
    return appended;
  }

  /** What a delta's member list may weigh: the limit less the rest of its event and metadata. */
  private memberBytesPerAppend(context: CommandContext, delta: GroupMembershipEvent | undefined, notes: readonly string[]): number {
    if (!delta) return MAX_APPEND_BYTES;
    const withoutMembers = { ...delta, data: { ...delta.data, members: [] } };
    const event = { id: newEventId(), type: delta.type, data: withoutMembers.data, metadata: metadataFor(context, notes)(withoutMembers) };
    return MAX_APPEND_BYTES - appendSizeInBytes([event]) - ADAPTER_METADATA_BYTES;
  }

  private async settled(written: Written): Promise<WrittenGroup> {
    await this.freshness.settle(written.position);
    return { group: written.group, version: written.version };
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

  /**
   * Reserves a SCIM group's displayName in its account (or confirms the group already holds it);
   * the position written, 0 if nothing. Platform groups do not reserve: see README, "Groups".
   */
  private async reserveName(context: CommandContext, displayName: string, groupId: string): Promise<number> {
    const nameKey = groupNameKey(displayName);
    const result = await handleCommand(
      this.store,
      groupNameStream(context.accountId, nameKey),
      groupNames,
      async (state, revision) => {
        const holder = state.status === 'reserved' && state.groupId !== groupId ? await this.nameHolder(state.groupId) : { exists: false as const };
        const reserve: ReserveGroupName = { type: 'ReserveGroupName', accountId: context.accountId, nameKey, displayName, groupId, holder, at: context.at };
        if (revision < 0) requireNameUnusedByUnreservedGroups(reserve, await this.groupsNamed(context.accountId, nameKey));
        return decideGroupName(reserve, state);
      },
      { metadata: metadataFor(context) },
    );
    return result.position;
  }

  private async releaseName(context: CommandContext, displayName: string, groupId: string, reason: 'deleted' | 'renamed' | 'abandoned'): Promise<number> {
    const release: GroupNameCommand = { type: 'ReleaseGroupName', accountId: context.accountId, groupId, reason, at: context.at };
    const stream = groupNameStream(context.accountId, groupNameKey(displayName));
    const result = await handleCommand(this.store, stream, groupNames, (state) => decideGroupName(release, state), { metadata: metadataFor(context) });
    return result.position;
  }

  /**
   * A create or rename that failed after reserving `reserved` frees it at once: a refused request
   * leaves the name as it was, and the IdP's retry of a create (a new group id) is not refused for
   * a group that does not exist. Only when the group does not hold the name after all (its write
   * may have landed before the error); if even the release fails, the reservation is taken over
   * once its group is found not to use it (or, never created, after IN_FLIGHT_RESERVATION_MS).
   */
  private async abandonReservation(context: CommandContext, groupId: string, reserved: string | undefined, error: unknown): Promise<never> {
    if (reserved !== undefined) {
      const holder = await this.nameHolder(groupId).catch(() => undefined);
      const holdsIt = holder === undefined || (holder.exists && !holder.deleted && holder.nameKey === groupNameKey(reserved));
      if (!holdsIt) await this.releaseName(context, reserved, groupId, 'abandoned').catch(() => 0);
    }
    throw error;
  }

  private async nameHolder(groupId: string): Promise<GroupNameHolder> {
    const { state } = await this.load(groupId);
    if (state.status === 'absent') return { exists: false };
    return { exists: true, deleted: state.status === 'deleted', nameKey: groupNameKey(state.displayName) };
  }

  /** Live SCIM groups of the account with this name, from the read model (search.displayName is the same key). */
  private async groupsNamed(accountId: string, nameKey: string): Promise<string[]> {
    const groups = await this.readStore.find(Collections.groups, { accountId, source: 'SCIM', 'search.displayName': nameKey }, { fields: ['_id'] });
    return groups.map((group) => group._id);
  }

}
