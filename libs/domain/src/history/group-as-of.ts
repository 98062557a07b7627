import { evolveGroup, initialGroupState, type GroupEvent, type GroupState } from '../groups/group';
import type { GroupMembershipEvent } from '../groups/group-membership';
import { compareText } from './access-as-of';
import { happenedBy, requireInstant, stepOf, type HistoryEntry, type Step } from './history-entry';

/** A group's lifecycle (name, role mapping, deletion) as it was at `asOf`. */
export function groupAsOf(lifecycle: readonly HistoryEntry<GroupEvent>[], asOf: string): GroupState {
  const asOfMs = requireInstant(asOf);
  let state = initialGroupState;
  for (const entry of lifecycle) if (happenedBy(entry, asOfMs)) state = evolveGroup(state, entry.event);
  return state;
}

export interface MemberAsOf {
  readonly userId: string;
  /** The membership delta that (last) added the user: when, by which token, in which request. */
  readonly added: Step;
}

/** The members at `asOf`, from the membership deltas (removals first within an event pair, as recorded). */
export function groupMembersAsOf(membership: readonly HistoryEntry<GroupMembershipEvent>[], asOf: string): MemberAsOf[] {
  const asOfMs = requireInstant(asOf);
  const members = new Map<string, Step>();
  for (const entry of membership) {
    if (!happenedBy(entry, asOfMs)) continue;
    const { event } = entry;
    if (event.type === 'GroupMembersAdded') {
      const step = stepOf(entry);
      for (const userId of event.data.members) if (!members.has(userId)) members.set(userId, step);
    } else {
      for (const userId of event.data.members) members.delete(userId);
    }
  }
  return [...members].map(([userId, added]) => ({ userId, added })).sort((a, b) => compareText(a.userId, b.userId));
}
