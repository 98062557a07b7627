import { Injectable } from '@nestjs/common';
import {
  accountStream,
  DomainError,
  evolveGroup,
  evolveUser,
  groupMembersStream,
  groupStream,
  initialGroupState,
  initialUserState,
  upcastEvent,
  userStream,
  type Actor,
  type DomainEvent,
  type GroupEvent,
  type GroupMembershipEvent,
  type GroupState,
  type UserEvent,
  type UserState,
} from '@scim/domain';
import type { GroupHistory, HistoryEntry } from '@scim/domain/history';
import { EventStore, type RecordedEvent } from '@scim/event-store';

const READ_BATCH = 1000;
/** First look-back of the activity log, in global positions; grows fourfold until enough is read. */
const FIRST_SPAN = 4000;

/** A recorded event in its newest shape, with the metadata history needs. */
export function historyEntryOf<E extends DomainEvent>(recorded: RecordedEvent): HistoryEntry<E> {
  const metadata = recorded.metadata;
  const schemaVersion = typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : undefined;
  const correlationId = typeof metadata.correlationId === 'string' ? metadata.correlationId : recorded.id;
  return {
    eventId: recorded.id,
    streamId: recorded.streamId,
    position: recorded.position,
    event: upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion }) as unknown as E,
    occurredAt: typeof metadata.occurredAt === 'string' ? metadata.occurredAt : recorded.recordedAt,
    actor: actorOf(metadata.actor),
    correlationId,
    causationId: typeof metadata.causationId === 'string' ? metadata.causationId : correlationId,
  };
}

function actorOf(value: unknown): Actor {
  const actor = value as Partial<Record<string, unknown>> | null;
  switch (actor?.kind) {
    case 'scim-token':
      return { kind: 'scim-token', tokenId: String(actor.tokenId) };
    case 'account-admin':
      return { kind: 'account-admin', adminId: String(actor.adminId) };
    case 'operator':
      return { kind: 'operator' };
    case 'system':
      return { kind: 'system', process: String(actor.process) };
    default:
      return { kind: 'system', process: 'unrecorded' };
  }
}

/**
 * Reads the event store for support: whole streams of one user or group, and an account's events
 * through `readAllMatching({ metadata: { accountId } })` (indexed by the SQLite adapter). Never a
 * read model: everything support shows is reconstructed from the history.
 */
@Injectable()
export class SupportHistory {
  constructor(private readonly store: EventStore) {}

  /** Account-wide answers for an account that never existed would be empty, not wrong: say so instead. */
  async requireAccount(accountId: string): Promise<void> {
    if ((await this.store.streamRevision(accountStream(accountId))) < 0) throw new DomainError('account_not_found', 'Account not found');
  }

  /** The user's stream; a user of another account is as unknown as a missing one. */
  async user(accountId: string, userId: string): Promise<HistoryEntry<UserEvent>[]> {
    const history = (await this.store.readStream(userStream(userId))).map((e) => historyEntryOf<UserEvent>(e));
    const creation = history.find((e) => e.event.type === 'ManualUserCreated' || e.event.type === 'UserProvisioned');
    if (!creation || (creation.event.data as { accountId?: string }).accountId !== accountId) throw new DomainError('user_not_found', 'User not found');
    return history;
  }

  /** The group's two streams; `forUser` keeps only the membership deltas naming that user. */
  async group(accountId: string, groupId: string, forUser?: string): Promise<GroupHistory> {
    const lifecycle = (await this.store.readStream(groupStream(groupId))).map((e) => historyEntryOf<GroupEvent>(e));
    const created = lifecycle.find((e) => e.event.type === 'GroupCreated');
    if (!created || (created.event.type === 'GroupCreated' && created.event.data.accountId !== accountId)) {
      throw new DomainError('group_not_found', 'Group not found');
    }
    const recorded = await this.store.readStream(groupMembersStream(groupId));
    const membership = recorded
      .filter((e) => forUser === undefined || (Array.isArray(e.data.members) && e.data.members.includes(forUser)))
      .map((e) => historyEntryOf<GroupMembershipEvent>(e));
    return { lifecycle, membership };
  }

  /** Each group's history (for explanations); groups of another account are left out. */
  async groups(accountId: string, groupIds: readonly string[], forUser?: string): Promise<Map<string, GroupHistory>> {
    const histories = new Map<string, GroupHistory>();
    for (const groupId of groupIds) {
      try {
        histories.set(groupId, await this.group(accountId, groupId, forUser));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    return histories;
  }

  /** An account's events of some stream kinds, in commit order, batch by batch. */
  async *account(accountId: string, streamPrefixes: readonly string[], fromPosition = 0): AsyncIterable<HistoryEntry[]> {
    for await (const batch of this.store.readAllMatching({ metadata: { accountId }, streamPrefixes, fromPosition, batchSize: READ_BATCH })) {
      yield batch.map((e) => historyEntryOf(e));
    }
  }

  /**
   * The account's most recent events, read backwards in growing windows of global positions
   * (each window once) until `enough` says so or the start of the log is reached.
   */
  async recent(
    accountId: string,
    streamPrefixes: readonly string[],
    enough: (entries: readonly HistoryEntry[]) => boolean,
  ): Promise<{ entries: HistoryEntry[]; reachedStart: boolean }> {
    let upper = await this.store.headPosition();
    let span = FIRST_SPAN;
    let entries: HistoryEntry[] = [];
    for (;;) {
      const from = Math.max(0, upper - span);
      const window: HistoryEntry[] = [];
      read: for await (const batch of this.account(accountId, streamPrefixes, from)) {
        for (const entry of batch) {
          if (entry.position > upper) break read;
          window.push(entry);
        }
      }
      entries = [...window, ...entries];
      if (from === 0) return { entries, reachedStart: true };
      if (enough(entries)) return { entries, reachedStart: false };
      upper = from;
      span *= 4;
    }
  }

  /** A user's state from its stream (for labels: a userName that a read model may no longer hold). */
  async userState(userId: string): Promise<UserState> {
    return (await this.store.readStream(userStream(userId))).reduce<UserState>((state, e) => evolveUser(state, historyEntryOf<UserEvent>(e).event), initialUserState);
  }

  async groupState(groupId: string): Promise<GroupState> {
    return (await this.store.readStream(groupStream(groupId))).reduce<GroupState>((state, e) => evolveGroup(state, historyEntryOf<GroupEvent>(e).event), initialGroupState);
  }
}
