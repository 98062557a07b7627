import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import { ERASED } from '../privacy/personal-data';
import { userNameKey } from '../streams';
import type { EraseUser, GrantRolesViaGroup, RevokeRolesViaGroup, UserCommand, UpdateUser } from './user.commands';
import type { UserAttributesUpdated, UserEvent, UserProfile, UserSource } from './user.events';

/** A role an administrator assigned; `preExisting` once the user was converted to SCIM. */
export interface ManualRole {
  readonly since: string;
  readonly preExisting: boolean;
}

export interface GroupGrant {
  readonly groupId: string;
  readonly since: string;
}

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
      readonly convertedAt?: string;
      /** `active` was removed and has no value (RFC 7644 §3.5.2.2); the status is then 'inactive'. */
      readonly activeUnassigned?: true;
      /** Set once the person was erased: the profile then holds only `[erased]`. */
      readonly erasedAt?: string;
      // Keyed by role names an account admin chose ("constructor", "__proto__"): Maps, never plain objects.
      readonly manualRoles: ReadonlyMap<string, ManualRole>;
      /** Per role, the groups that grant it: the role stays until the last of them stops. */
      readonly groupRoles: ReadonlyMap<string, readonly GroupGrant[]>;
    };

export type ExistingUser = Exclude<UserState, { status: 'absent' }>;

export const initialUserState: UserState = { status: 'absent' };

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserProvisioned': {
      const { userId, accountId, profile, active, provisionedAt } = event.data;
      return newUser({ userId, accountId, profile, source: 'scim', active, at: provisionedAt });
    }
    case 'ManualUserCreated': {
      const { userId, accountId, profile, createdAt } = event.data;
      return newUser({ userId, accountId, profile, source: 'manual', active: true, at: createdAt });
    }
    default:
      return state.status === 'absent' ? state : evolveExisting(state, event);
  }
}

function newUser(user: { userId: string; accountId: string; profile: UserProfile; source: UserSource; active: boolean; at: string }): ExistingUser {
  return {
    status: user.active ? 'active' : 'inactive',
    userId: user.userId,
    accountId: user.accountId,
    source: user.source,
    profile: user.profile,
    createdAt: user.at,
    updatedAt: user.at,
    manualRoles: new Map(),
    groupRoles: new Map(),
  };
}

function evolveExisting(state: ExistingUser, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserProvisioned':
    case 'ManualUserCreated':
      return state;
    case 'UserConvertedToScim': {
      const { profile, active, convertedAt } = event.data;
      const manualRoles = new Map([...state.manualRoles].map(([role, held]) => [role, { ...held, preExisting: true }]));
      return { ...withoutUnassigned(state), source: 'scim', profile, status: active ? 'active' : 'inactive', manualRoles, convertedAt, updatedAt: convertedAt };
    }
    case 'UserAttributesUpdated':
      return { ...state, profile: applyAttributeChanges(state.profile, event.data), updatedAt: event.data.updatedAt };
    case 'UserDeactivated': {
      const next: ExistingUser = { ...withoutUnassigned(state), status: 'inactive', updatedAt: event.data.deactivatedAt };
      return event.data.unassigned ? { ...next, activeUnassigned: true } : next;
    }
    case 'UserReactivated':
      return { ...withoutUnassigned(state), status: 'active', updatedAt: event.data.reactivatedAt };
    case 'UserDeprovisioned':
      return { ...state, status: 'deprovisioned', updatedAt: event.data.deprovisionedAt };
    case 'UserErased':
      return { ...state, status: 'deprovisioned', profile: { userName: ERASED }, erasedAt: event.data.erasedAt, updatedAt: event.data.erasedAt };
    case 'RoleAssignedManually':
      return { ...state, manualRoles: withEntry(state.manualRoles, event.data.role, { since: event.data.assignedAt, preExisting: false }) };
    case 'RoleRemovedManually':
      return { ...state, manualRoles: withEntry(state.manualRoles, event.data.role, undefined) };
    case 'RoleGrantedViaGroup': {
      const { role, groupId, grantedAt } = event.data;
      const grants = state.groupRoles.get(role) ?? [];
      if (grants.some((g) => g.groupId === groupId)) return state;
      return { ...state, groupRoles: withEntry(state.groupRoles, role, [...grants, { groupId, since: grantedAt }]) };
    }
    case 'RoleRevokedViaGroup': {
      const { role, groupId } = event.data;
      const remaining = (state.groupRoles.get(role) ?? []).filter((g) => g.groupId !== groupId);
      return { ...state, groupRoles: withEntry(state.groupRoles, role, remaining.length > 0 ? remaining : undefined) };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export function decideUser(command: UserCommand, state: UserState): readonly UserEvent[] {
  switch (command.type) {
    case 'ProvisionUser': {
      requireAbsent(state, command.userId);
      const { userId, accountId, profile, active, at } = command;
      return [{ type: 'UserProvisioned', data: { userId, accountId, profile, active, provisionedAt: at } }];
    }
    case 'CreateManualUser': {
      requireAbsent(state, command.userId);
      const { userId, accountId, profile, at } = command;
      return [{ type: 'ManualUserCreated', data: { userId, accountId, profile, createdAt: at } }];
    }
    case 'ConvertUserToScim': {
      const user = requireLiveUser(state, command.accountId);
      if (user.source !== 'manual') throw new DomainError('user_not_manual', 'Only a manually created user can be converted to SCIM');
      const { profile, active, at } = command;
      const preExistingRoles = [...user.manualRoles.keys()].sort();
      return [{ type: 'UserConvertedToScim', data: { userId: user.userId, accountId: user.accountId, profile, active, preExistingRoles, convertedAt: at } }];
    }
    case 'UpdateUser': {
      const user = requireScimUser(state, command.accountId);
      return [...attributeChanges(user, command), ...lifecycleChanges(user, command)];
    }
    case 'DeprovisionUser': {
      const user = requireScimUser(state, command.accountId);
      return [{ type: 'UserDeprovisioned', data: { userId: user.userId, userName: user.profile.userName, deprovisionedAt: command.at } }];
    }
    case 'EraseUser':
      return erase(command, state);
    case 'AssignRoleManually': {
      const user = requireLiveUser(state, command.accountId);
      if (!command.knownRoles.includes(command.role)) {
        throw new DomainError('unknown_role', `Role "${command.role}" is not in this account's role catalogue`, { role: command.role });
      }
      if (user.manualRoles.has(command.role)) return [];
      return [{ type: 'RoleAssignedManually', data: { userId: user.userId, role: command.role, assignedAt: command.at } }];
    }
    case 'RemoveRoleManually': {
      const user = requireLiveUser(state, command.accountId);
      const { role } = command;
      if (user.manualRoles.has(role)) return [{ type: 'RoleRemovedManually', data: { userId: user.userId, role, removedAt: command.at } }];
      const groupIds = (user.groupRoles.get(role) ?? []).map((g) => g.groupId);
      if (groupIds.length > 0) {
        throw new DomainError(
          'role_granted_via_group',
          `Role "${role}" is granted through group membership; change the membership or the group's role mapping in the identity provider`,
          { role, groupIds },
        );
      }
      throw new DomainError('role_not_assigned', `The user does not hold role "${role}"`, { role });
    }
    case 'GrantRolesViaGroup':
      return grantViaGroup(command, state);
    case 'RevokeRolesViaGroup':
      return revokeViaGroup(command, state);
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

/** A copy of `map` with `key` set to `value`, or removed when `value` is undefined (states are never mutated). */
function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V | undefined): ReadonlyMap<string, V> {
  const next = new Map(map);
  if (value === undefined) next.delete(key);
  else next.set(key, value);
  return next;
}

function requireAbsent(state: UserState, userId: string): void {
  if (state.status !== 'absent') throw new DomainError('user_already_exists', `User ${userId} already exists`, { userId });
}

/** A user of another account is as invisible as a missing one: never confirm it exists. */
function requireLiveUser(state: UserState, accountId: string): ExistingUser {
  if (state.status === 'absent' || state.status === 'deprovisioned' || state.accountId !== accountId) {
    throw new DomainError('user_not_found', 'User not found');
  }
  return state;
}

/** The IdP sees and changes only the users it manages. */
function requireScimUser(state: UserState, accountId: string): ExistingUser {
  const user = requireLiveUser(state, accountId);
  if (user.source !== 'scim') throw new DomainError('user_not_found', 'User not found');
  return user;
}

/** Idempotent: erasing an erased user appends nothing (the handler still makes sure the key is gone). */
function erase(command: EraseUser, state: UserState): UserEvent[] {
  if (state.status === 'absent' || state.accountId !== command.accountId) throw new DomainError('user_not_found', 'User not found');
  if (state.erasedAt !== undefined) return [];
  const reason = command.reason.trim();
  if (reason === '') throw new DomainError('erasure_reason_required', 'An erasure needs a reason (it is kept in the audit trail)');
  const { userId, accountId } = state;
  const erased: UserEvent = { type: 'UserErased', data: { userId, accountId, keyId: command.keyId, reason, erasedAt: command.at } };
  if (state.status === 'deprovisioned') return [erased];
  // A live user is deprovisioned first: the IdP's DELETE and the erasure read alike in the history.
  return [{ type: 'UserDeprovisioned', data: { userId, userName: state.profile.userName, deprovisionedAt: command.at } }, erased];
}

/** Grants and revocations come from group events; for a user gone meanwhile they are moot, not errors. */
function grantViaGroup(command: GrantRolesViaGroup, state: UserState): UserEvent[] {
  if (state.status === 'absent' || state.status === 'deprovisioned') return [];
  const { groupId, at } = command;
  return [...new Set(command.roles)]
    .filter((role) => !(state.groupRoles.get(role) ?? []).some((g) => g.groupId === groupId))
    .map((role) => ({ type: 'RoleGrantedViaGroup', data: { userId: state.userId, role, groupId, grantedAt: at } }));
}

function revokeViaGroup(command: RevokeRolesViaGroup, state: UserState): UserEvent[] {
  if (state.status === 'absent' || state.status === 'deprovisioned') return [];
  const { groupId, reason, at } = command;
  const wanted = command.roles ? new Set(command.roles) : undefined;
  return [...state.groupRoles]
    .filter(([role, grants]) => (!wanted || wanted.has(role)) && grants.some((g) => g.groupId === groupId))
    .map(([role]) => ({ type: 'RoleRevokedViaGroup', data: { userId: state.userId, role, groupId, reason, revokedAt: at } }));
}

function attributeChanges(user: ExistingUser, command: UpdateUser): UserEvent[] {
  // fromEntries defines own keys: an attribute named "__proto__" could never reset a prototype.
  const changed = Object.fromEntries(Object.entries(command.profile).filter(([name, value]) => !deepEqual(ownValue(user.profile, name), value)));
  const removed = Object.keys(user.profile).filter((name) => !Object.hasOwn(command.profile, name));
  if (Object.keys(changed).length === 0 && removed.length === 0) return [];
  return [{ type: 'UserAttributesUpdated', data: { userId: user.userId, changed, removed, updatedAt: command.at } }];
}

function lifecycleChanges(user: ExistingUser, command: UpdateUser): UserEvent[] {
  if (command.active === null) {
    return user.activeUnassigned ? [] : [{ type: 'UserDeactivated', data: { userId: user.userId, deactivatedAt: command.at, unassigned: true } }];
  }
  if (command.active === true && user.status === 'inactive') {
    return [{ type: 'UserReactivated', data: { userId: user.userId, reactivatedAt: command.at } }];
  }
  if (command.active === false && (user.status === 'active' || user.activeUnassigned)) {
    return [{ type: 'UserDeactivated', data: { userId: user.userId, deactivatedAt: command.at } }];
  }
  return [];
}

/** The user's `active` as SCIM shows it: null when unassigned (RFC 7644 §3.5.2.2). */
export function activeOf(user: ExistingUser): boolean | null {
  return user.activeUnassigned ? null : user.status === 'active';
}

function withoutUnassigned({ activeUnassigned: _unassigned, ...user }: ExistingUser): ExistingUser {
  return user;
}

/** The profile after an UserAttributesUpdated delta; shared by the aggregate and the read models. */
export function applyAttributeChanges(profile: UserProfile, delta: UserAttributesUpdated['data']): UserProfile {
  const next: Record<string, unknown> = { ...profile, ...delta.changed };
  for (const name of delta.removed) delete next[name];
  return next as UserProfile;
}

/** The object's own value for `key`; never one inherited from Object.prototype ("constructor", "toString"). */
function ownValue(object: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
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
    aKeys.every((key) => Object.hasOwn(bRecord, key) && deepEqual((a as Record<string, unknown>)[key], bRecord[key]))
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
