import type { DomainEvent } from '../decider';
import type { GroupEvent } from '../groups/group';
import type { GroupMembershipEvent } from '../groups/group-membership';
import type { Actor } from '../metadata';
import type { UserEvent } from '../users/user.events';
import type { GroupHistory } from './explain-user';
import type { HistoryEntry, Step } from './history-entry';

/**
 * Records a history for specs the way the service does: global positions in commit order, ids,
 * and the metadata (time, actor, request) of each event.
 */
export function historyRecorder() {
  const all: HistoryEntry[] = [];
  let position = 0;
  return {
    record<E extends DomainEvent>(streamId: string, event: E, meta: { at: string; actor: Actor; correlationId: string; causationId?: string }): HistoryEntry<E> {
      position += 1;
      const entry: HistoryEntry<E> = {
        eventId: `e${position}`,
        streamId,
        position,
        event,
        occurredAt: meta.at,
        actor: meta.actor,
        correlationId: meta.correlationId,
        causationId: meta.causationId ?? meta.correlationId,
      };
      all.push(entry);
      return entry;
    },
    all: (): readonly HistoryEntry[] => all,
    stream<E extends DomainEvent>(streamId: string): HistoryEntry<E>[] {
      return all.filter((e) => e.streamId === streamId) as HistoryEntry<E>[];
    },
    userHistory: (userId: string) => all.filter((e) => e.streamId === `user-${userId}`) as HistoryEntry<UserEvent>[],
    groupHistories(...groupIds: string[]): Map<string, GroupHistory> {
      return new Map(
        groupIds.map((groupId) => [
          groupId,
          {
            lifecycle: all.filter((e) => e.streamId === `group-${groupId}`) as HistoryEntry<GroupEvent>[],
            membership: all.filter((e) => e.streamId === `groupmembers-${groupId}`) as HistoryEntry<GroupMembershipEvent>[],
          },
        ]),
      );
    },
  };
}

export const token = (tokenId: string): Actor => ({ kind: 'scim-token', tokenId });
export const admin = (adminId: string): Actor => ({ kind: 'account-admin', adminId });
export const rolesProcess: Actor = { kind: 'system', process: 'roles-via-groups' };

/** The step an entry is explained as. */
export function stepFor(entry: HistoryEntry): Step {
  return { eventId: entry.eventId, type: entry.event.type, at: entry.occurredAt, actor: entry.actor, correlationId: entry.correlationId };
}
