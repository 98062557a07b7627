import type { Decider, DomainEvent } from '../decider';
import { DomainError } from '../domain-error';
import type { UserSource } from '../users/user.events';

/**
 * One create-once stream per userName guards uniqueness across all accounts (shared/DESIGN.md §4):
 * the append with an expected revision is the lock, not a read model.
 *
 * A reservation can outlive its purpose: the process may stop between reserving and writing the
 * user, the user may be deprovisioned, or renamed. The holder's current state therefore comes
 * with each command, and a reservation whose holder no longer uses the name is taken over.
 *
 * The events name no userName (docs/PRIVACY.md): the stream's name is a keyed digest of it, and the
 * holder's id says who holds it. Version 1 carried `userNameKey` and `userName`; they are dropped
 * on read (upcasting.ts), and stay in old logs only until those are migrated.
 */
export type UserNameReserved = DomainEvent<
  'UserNameReserved',
  {
    readonly accountId: string;
    readonly userId: string;
    readonly reservedAt: string;
  }
>;

export type UserNameReleased = DomainEvent<
  'UserNameReleased',
  {
    readonly accountId: string;
    readonly userId: string;
    readonly reason: ReleaseReason;
    readonly releasedAt: string;
  }
>;

export type ReleaseReason = 'deprovisioned' | 'renamed' | 'abandoned' | 'stale';

export type UserNameEvent = UserNameReserved | UserNameReleased;

export type UserNameState =
  | { readonly status: 'free' }
  | {
      readonly status: 'reserved';
      readonly accountId: string;
      readonly userId: string;
      readonly reservedAt: string;
    };

/** What the holder's own stream says right now, read by the handler just before deciding. */
export type HolderStatus =
  | { readonly exists: false }
  | { readonly exists: true; readonly userNameKey: string; readonly deprovisioned: boolean; readonly source: UserSource };

export interface ReserveUserName {
  readonly type: 'ReserveUserName';
  /** userNameKey(userName): compared with the holder's, never recorded. */
  readonly userNameKey: string;
  readonly accountId: string;
  readonly userId: string;
  readonly holder: HolderStatus;
  readonly at: string;
}

export interface ReleaseUserName {
  readonly type: 'ReleaseUserName';
  readonly userId: string;
  readonly reason: Exclude<ReleaseReason, 'abandoned' | 'stale'>;
  readonly at: string;
}

export type UserNameCommand = ReserveUserName | ReleaseUserName;

/**
 * How long a reservation whose user stream does not exist yet counts as "being written".
 * Creating the user follows the reservation within milliseconds; after this, it was abandoned.
 */
export const IN_FLIGHT_RESERVATION_MS = 60_000;

export const initialUserNameState: UserNameState = { status: 'free' };

export function evolveUserName(state: UserNameState, event: UserNameEvent): UserNameState {
  switch (event.type) {
    case 'UserNameReserved': {
      const { accountId, userId, reservedAt } = event.data;
      return { status: 'reserved', accountId, userId, reservedAt };
    }
    case 'UserNameReleased':
      return state.status === 'reserved' && state.userId === event.data.userId ? { status: 'free' } : state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export function decideUserName(command: UserNameCommand, state: UserNameState): readonly UserNameEvent[] {
  switch (command.type) {
    case 'ReserveUserName':
      return reserve(command, state);
    case 'ReleaseUserName': {
      if (state.status !== 'reserved' || state.userId !== command.userId) return [];
      const { userId, reason, at } = command;
      return [{ type: 'UserNameReleased', data: { accountId: state.accountId, userId, reason, releasedAt: at } }];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

function reserve(command: ReserveUserName, state: UserNameState): UserNameEvent[] {
  const { accountId, userId, at } = command;
  const reserved: UserNameReserved = { type: 'UserNameReserved', data: { accountId, userId, reservedAt: at } };
  if (state.status === 'free') return [reserved];
  if (state.userId === userId) return [];

  const staleness = holderStaleness(state, command);
  if (staleness) {
    const released: UserNameReleased = {
      type: 'UserNameReleased',
      data: { accountId: state.accountId, userId: state.userId, reason: staleness, releasedAt: at },
    };
    return [released, reserved];
  }
  if (state.accountId !== accountId) {
    // The detail must not reveal which account holds it; no error detail quotes the name (it may be logged).
    throw new DomainError('username_held_by_another_account', 'userName is not available');
  }
  throw new DomainError('username_taken', 'userName is already in use in this account', { holderUserId: state.userId });
}

function holderStaleness(state: Extract<UserNameState, { status: 'reserved' }>, command: ReserveUserName): ReleaseReason | undefined {
  const { holder } = command;
  if (!holder.exists) {
    const age = Date.parse(command.at) - Date.parse(state.reservedAt);
    return age > IN_FLIGHT_RESERVATION_MS ? 'abandoned' : undefined;
  }
  if (holder.deprovisioned || holder.userNameKey !== command.userNameKey) return 'stale';
  return undefined;
}

/**
 * User matching on a SCIM create (shared/DESIGN.md §2): when the name belongs to a live manual
 * user of the same account, that user is converted rather than a new one created. Every other
 * row of the matching table (new, another account, an existing SCIM user) is `reserve`'s.
 */
export function manualUserToConvert(state: UserNameState, holder: HolderStatus, accountId: string, key: string): string | undefined {
  if (state.status !== 'reserved' || state.accountId !== accountId || !holder.exists) return undefined;
  const holdsName = !holder.deprovisioned && holder.userNameKey === key;
  return holdsName && holder.source === 'manual' ? state.userId : undefined;
}

export const userNameDecider: Decider<UserNameCommand, UserNameEvent, UserNameState> = {
  initialState: initialUserNameState,
  evolve: evolveUserName,
  decide: decideUserName,
};

/**
 * The upgrade to keyed reservation streams (apps/scim-api NameHashing): the reservation a legacy
 * `username-<name>` stream still holds, to be written to the keyed stream with its original time
 * (so an in-flight reservation keeps its grace period); none when the name is free.
 */
export function carriedOverReservation(legacyHistory: readonly UserNameEvent[]): UserNameReserved | undefined {
  const state = legacyHistory.reduce(evolveUserName, initialUserNameState);
  if (state.status !== 'reserved') return undefined;
  const { accountId, userId, reservedAt } = state;
  return { type: 'UserNameReserved', data: { accountId, userId, reservedAt } };
}

/**
 * Recorded once per log, when its reservations started to be keyed (after carrying over the legacy
 * ones): the key's check value (an HMAC of a fixed text, which reveals nothing of the key) lets
 * every later start refuse a key other than the one the names were hashed with.
 */
export type UserNameHashingAdopted = DomainEvent<
  'UserNameHashingAdopted',
  {
    readonly keyCheckValue: string;
    readonly legacyReservationsCarriedOver: number;
    readonly adoptedAt: string;
  }
>;
