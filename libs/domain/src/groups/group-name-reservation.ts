import type { Decider, DomainEvent } from '../decider';
import { DomainError } from '../domain-error';
import { IN_FLIGHT_RESERVATION_MS } from '../usernames/username-reservation';

/**
 * One create-once stream per (account, lower-cased displayName) keeps SCIM group names unique
 * within an account (Entra requires it and expects 409 uniqueness): the append with an expected
 * revision is the lock, so two racing creates cannot both win. Platform groups do not reserve.
 *
 * As for userNames, a reservation can outlive its purpose (the group was deleted or renamed, or
 * the process stopped between reserving and creating): the holder's current state comes with each
 * command, and a reservation its holder no longer uses is taken over.
 */
export type GroupNameReserved = DomainEvent<
  'GroupNameReserved',
  {
    readonly accountId: string;
    readonly displayName: string;
    readonly groupId: string;
    readonly reservedAt: string;
  }
>;

export type GroupNameReleased = DomainEvent<
  'GroupNameReleased',
  {
    readonly accountId: string;
    readonly groupId: string;
    readonly reason: GroupNameReleaseReason;
    readonly releasedAt: string;
  }
>;

/** `abandoned`: the create failed after reserving, or never finished; `stale`: the holder moved on. */
export type GroupNameReleaseReason = 'deleted' | 'renamed' | 'abandoned' | 'stale';

export type GroupNameEvent = GroupNameReserved | GroupNameReleased;

export type GroupNameState =
  | { readonly status: 'free' }
  | { readonly status: 'reserved'; readonly groupId: string; readonly reservedAt: string };

/** What the holding group's own stream says right now, read just before deciding. */
export type GroupNameHolder =
  | { readonly exists: false }
  | { readonly exists: true; readonly deleted: boolean; readonly nameKey: string };

export interface ReserveGroupName {
  readonly type: 'ReserveGroupName';
  readonly accountId: string;
  /** groupNameKey(displayName): what the stream stands for. */
  readonly nameKey: string;
  readonly displayName: string;
  readonly groupId: string;
  readonly holder: GroupNameHolder;
  readonly at: string;
}

export interface ReleaseGroupName {
  readonly type: 'ReleaseGroupName';
  readonly accountId: string;
  readonly groupId: string;
  readonly reason: Exclude<GroupNameReleaseReason, 'stale'>;
  readonly at: string;
}

export type GroupNameCommand = ReserveGroupName | ReleaseGroupName;

export const initialGroupNameState: GroupNameState = { status: 'free' };

export function evolveGroupName(state: GroupNameState, event: GroupNameEvent): GroupNameState {
  switch (event.type) {
    case 'GroupNameReserved':
      return { status: 'reserved', groupId: event.data.groupId, reservedAt: event.data.reservedAt };
    case 'GroupNameReleased':
      return state.status === 'reserved' && state.groupId === event.data.groupId ? { status: 'free' } : state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export function decideGroupName(command: GroupNameCommand, state: GroupNameState): readonly GroupNameEvent[] {
  switch (command.type) {
    case 'ReserveGroupName':
      return reserve(command, state);
    case 'ReleaseGroupName': {
      // Only the holder frees the name: a late release must not free a name another group took over.
      if (state.status !== 'reserved' || state.groupId !== command.groupId) return [];
      const { accountId, groupId, reason, at } = command;
      return [{ type: 'GroupNameReleased', data: { accountId, groupId, reason, releasedAt: at } }];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

function reserve(command: ReserveGroupName, state: GroupNameState): GroupNameEvent[] {
  const { accountId, displayName, groupId, at } = command;
  const reserved: GroupNameReserved = { type: 'GroupNameReserved', data: { accountId, displayName, groupId, reservedAt: at } };
  if (state.status === 'free') return [reserved];
  if (state.groupId === groupId) return [];

  const staleness = holderStaleness(state, command);
  if (staleness) {
    const released: GroupNameReleased = { type: 'GroupNameReleased', data: { accountId, groupId: state.groupId, reason: staleness, releasedAt: at } };
    return [released, reserved];
  }
  throw new DomainError('group_name_taken', 'A group with this displayName already exists in this account', { holderGroupId: state.groupId });
}

function holderStaleness(state: Extract<GroupNameState, { status: 'reserved' }>, command: ReserveGroupName): GroupNameReleaseReason | undefined {
  const { holder } = command;
  if (!holder.exists) {
    // Creating the group follows the reservation within milliseconds; after this, it never will.
    const age = Date.parse(command.at) - Date.parse(state.reservedAt);
    return age > IN_FLIGHT_RESERVATION_MS ? 'abandoned' : undefined;
  }
  if (holder.deleted || holder.nameKey !== command.nameKey) return 'stale';
  return undefined;
}

/**
 * Groups created before reservations existed hold their names without a stream. A name whose
 * stream was never written is therefore also checked against the account's live SCIM groups
 * (`sameNamedGroups`, read by the caller); a group does not conflict with itself.
 */
export function requireNameUnusedByUnreservedGroups(command: ReserveGroupName, sameNamedGroups: readonly string[]): void {
  const others = sameNamedGroups.filter((id) => id !== command.groupId);
  if (others.length > 0) {
    throw new DomainError('group_name_taken', 'A group with this displayName already exists in this account', { holderGroupId: others[0] });
  }
}

export const groupNameDecider: Decider<GroupNameCommand, GroupNameEvent, GroupNameState> = {
  initialState: initialGroupNameState,
  evolve: evolveGroupName,
  decide: decideGroupName,
};
