import { evolveUser, initialUserState, type ExistingUser, type UserState } from '../users/user.decider';
import type { UserEvent } from '../users/user.events';
import { happenedBy, requireInstant, type HistoryEntry } from './history-entry';

/** Every role the user holds a grant for (manual or via a group), whether or not it is in effect. */
export function heldRoles(state: UserState): string[] {
  if (state.status === 'absent') return [];
  return [...new Set([...state.manualRoles.keys(), ...state.groupRoles.keys()])].sort();
}

/** What the user may do: the held roles while active; none while inactive, deleted or absent. */
export function effectiveRoles(state: UserState): string[] {
  return state.status === 'active' ? heldRoles(state) : [];
}

/** The user as it was at `asOf`: the fold of the events that had happened by then. */
export function userAsOf(history: readonly HistoryEntry<UserEvent>[], asOf: string): UserState {
  const asOfMs = requireInstant(asOf);
  let state = initialUserState;
  for (const entry of history) if (happenedBy(entry, asOfMs)) state = evolveUser(state, entry.event);
  return state;
}

/**
 * Folds an account's user events, fed in commit order and in any number of batches, into every
 * user's state at `asOf`. Memory is one state per user, not the history.
 */
export interface UsersAsOf {
  readonly asOf: string;
  add(entry: HistoryEntry<UserEvent>): void;
  /** Users that existed at `asOf` (deleted ones included, with status 'deprovisioned'). */
  users(): ReadonlyMap<string, ExistingUser>;
}

export function usersAsOf(asOf: string): UsersAsOf {
  const asOfMs = requireInstant(asOf);
  const states = new Map<string, ExistingUser>();
  return {
    asOf,
    add(entry) {
      if (!happenedBy(entry, asOfMs)) return;
      const userId = entry.event.data.userId;
      const next = evolveUser(states.get(userId) ?? initialUserState, entry.event);
      if (next.status !== 'absent') states.set(userId, next);
    },
    users: () => states,
  };
}

export type HolderSource =
  | { readonly kind: 'manual'; readonly since: string }
  | { readonly kind: 'pre-existing-at-conversion'; readonly since: string; readonly convertedAt?: string }
  | { readonly kind: 'group'; readonly groupId: string; readonly since: string };

export interface RoleHolder {
  readonly userId: string;
  readonly userName: string;
  readonly sources: readonly HolderSource[];
}

export interface RoleHolders {
  readonly role: string;
  /** Users for whom the role was in effect. */
  readonly holders: readonly RoleHolder[];
  /** Users who held a grant for the role but were inactive, so it was not in effect. */
  readonly suspended: readonly RoleHolder[];
}

/** Who held `role`, from users' states at one instant (see `usersAsOf`). */
export function roleHolders(users: ReadonlyMap<string, ExistingUser>, role: string): RoleHolders {
  const holders: RoleHolder[] = [];
  const suspended: RoleHolder[] = [];
  for (const user of users.values()) {
    if (user.status === 'deprovisioned') continue;
    const sources = holderSources(user, role);
    if (sources.length === 0) continue;
    (user.status === 'active' ? holders : suspended).push({ userId: user.userId, userName: user.profile.userName, sources });
  }
  const byName = (a: RoleHolder, b: RoleHolder) => compareText(a.userName, b.userName) || compareText(a.userId, b.userId);
  return { role, holders: holders.sort(byName), suspended: suspended.sort(byName) };
}

function holderSources(user: ExistingUser, role: string): HolderSource[] {
  const sources: HolderSource[] = [];
  const manual = user.manualRoles.get(role);
  if (manual) {
    sources.push(
      manual.preExisting
        ? { kind: 'pre-existing-at-conversion', since: manual.since, ...(user.convertedAt ? { convertedAt: user.convertedAt } : {}) }
        : { kind: 'manual', since: manual.since },
    );
  }
  for (const grant of user.groupRoles.get(role) ?? []) sources.push({ kind: 'group', groupId: grant.groupId, since: grant.since });
  return sources;
}

export type UserStatusAsOf = ExistingUser['status'] | 'absent';

export interface AccessChange {
  readonly userId: string;
  readonly userName: string;
  readonly statusFrom: UserStatusAsOf;
  readonly statusTo: UserStatusAsOf;
  readonly effectiveFrom: readonly string[];
  readonly effectiveTo: readonly string[];
  readonly gained: readonly string[];
  readonly lost: readonly string[];
}

/**
 * Per user, the effective roles gained and lost between two instants (users' states from
 * `usersAsOf` at each). Users whose effective roles did not change are left out.
 */
export function accessDiff(from: ReadonlyMap<string, ExistingUser>, to: ReadonlyMap<string, ExistingUser>): AccessChange[] {
  const changes: AccessChange[] = [];
  for (const userId of new Set([...from.keys(), ...to.keys()])) {
    const before = from.get(userId) ?? initialUserState;
    const after = to.get(userId) ?? initialUserState;
    const effectiveFrom = effectiveRoles(before);
    const effectiveTo = effectiveRoles(after);
    const gained = effectiveTo.filter((role) => !effectiveFrom.includes(role));
    const lost = effectiveFrom.filter((role) => !effectiveTo.includes(role));
    if (gained.length === 0 && lost.length === 0) continue;
    const named = after.status !== 'absent' ? after : before;
    changes.push({
      userId,
      userName: named.status === 'absent' ? '' : named.profile.userName,
      statusFrom: before.status,
      statusTo: after.status,
      effectiveFrom,
      effectiveTo,
      gained,
      lost,
    });
  }
  return changes.sort((a, b) => compareText(a.userName, b.userName) || compareText(a.userId, b.userId));
}

/** Every user's effective roles at one instant (an account's access as of T). */
export function accountAccess(users: ReadonlyMap<string, ExistingUser>): { userId: string; userName: string; status: ExistingUser['status']; effectiveRoles: string[] }[] {
  return [...users.values()]
    .filter((user) => user.status !== 'deprovisioned')
    .map((user) => ({ userId: user.userId, userName: user.profile.userName, status: user.status, effectiveRoles: effectiveRoles(user) }))
    .sort((a, b) => compareText(a.userName, b.userName) || compareText(a.userId, b.userId));
}

/** Locale-independent order, so answers are the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
