import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import { userNameKey } from '../streams';
import type { UserCommand, UpdateUser } from './user.commands';
import type { UserAttributesUpdated, UserEvent, UserProfile, UserSource } from './user.events';

export type UserState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active' | 'inactive' | 'deprovisioned';
      readonly userId: string;
      readonly accountId: string;
      readonly source: UserSource;
      readonly profile: UserProfile;
      readonly createdAt: string;
      readonly updatedAt: string;
    };

export type ExistingUser = Exclude<UserState, { status: 'absent' }>;

export const initialUserState: UserState = { status: 'absent' };

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserProvisioned': {
      const { userId, accountId, profile, active, provisionedAt } = event.data;
      return {
        status: active ? 'active' : 'inactive',
        userId,
        accountId,
        source: 'scim',
        profile,
        createdAt: provisionedAt,
        updatedAt: provisionedAt,
      };
    }
    case 'UserAttributesUpdated': {
      if (state.status === 'absent') return state;
      return { ...state, profile: applyAttributeChanges(state.profile, event.data), updatedAt: event.data.updatedAt };
    }
    case 'UserDeactivated':
      return state.status === 'absent' ? state : { ...state, status: 'inactive', updatedAt: event.data.deactivatedAt };
    case 'UserReactivated':
      return state.status === 'absent' ? state : { ...state, status: 'active', updatedAt: event.data.reactivatedAt };
    case 'UserDeprovisioned':
      return state.status === 'absent' ? state : { ...state, status: 'deprovisioned', updatedAt: event.data.deprovisionedAt };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export function decideUser(command: UserCommand, state: UserState): readonly UserEvent[] {
  switch (command.type) {
    case 'ProvisionUser': {
      if (state.status !== 'absent') {
        throw new DomainError('user_already_exists', `User ${command.userId} already exists`, { userId: command.userId });
      }
      const { userId, accountId, profile, active, at } = command;
      return [{ type: 'UserProvisioned', data: { userId, accountId, profile, active, provisionedAt: at } }];
    }
    case 'UpdateUser': {
      const user = requireLiveUser(state, command.accountId);
      return [...attributeChanges(user, command), ...lifecycleChanges(user, command)];
    }
    case 'DeprovisionUser': {
      const user = requireLiveUser(state, command.accountId);
      return [
        {
          type: 'UserDeprovisioned',
          data: { userId: user.userId, userName: user.profile.userName, deprovisionedAt: command.at },
        },
      ];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

/** A user of another account is as invisible as a missing one: never confirm it exists. */
function requireLiveUser(state: UserState, accountId: string): ExistingUser {
  if (state.status === 'absent' || state.status === 'deprovisioned' || state.accountId !== accountId) {
    throw new DomainError('user_not_found', 'User not found');
  }
  return state;
}

function attributeChanges(user: ExistingUser, command: UpdateUser): UserEvent[] {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(command.profile)) {
    if (!deepEqual(user.profile[name], value)) changed[name] = value;
  }
  const removed = Object.keys(user.profile).filter((name) => !(name in command.profile));
  if (Object.keys(changed).length === 0 && removed.length === 0) return [];
  return [{ type: 'UserAttributesUpdated', data: { userId: user.userId, changed, removed, updatedAt: command.at } }];
}

function lifecycleChanges(user: ExistingUser, command: UpdateUser): UserEvent[] {
  if (command.active === true && user.status === 'inactive') {
    return [{ type: 'UserReactivated', data: { userId: user.userId, reactivatedAt: command.at } }];
  }
  if (command.active === false && user.status === 'active') {
    return [{ type: 'UserDeactivated', data: { userId: user.userId, deactivatedAt: command.at } }];
  }
  return [];
}

/** The profile after an UserAttributesUpdated delta; shared by the aggregate and the read models. */
export function applyAttributeChanges(profile: UserProfile, delta: UserAttributesUpdated['data']): UserProfile {
  const next: Record<string, unknown> = { ...profile, ...delta.changed };
  for (const name of delta.removed) delete next[name];
  return next as UserProfile;
}

/** Profiles are JSON data, so structural equality is enough (key order is irrelevant). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aKeys.length === Object.keys(bRecord).length &&
    aKeys.every((key) => key in bRecord && deepEqual((a as Record<string, unknown>)[key], bRecord[key]))
  );
}

export function currentUserNameKey(state: UserState): string | undefined {
  return state.status === 'absent' ? undefined : userNameKey(state.profile.userName);
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
};
