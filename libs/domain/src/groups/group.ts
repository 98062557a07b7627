import type { Decider, DomainEvent } from '../decider';
import { DomainError } from '../domain-error';

/** Platform groups are the account's built-in ones; SCIM groups are pushed by the IdP. */
export type GroupSource = 'SCIM' | 'Platform';

/** Who acts: the IdP may change only SCIM groups; an administrator only Platform groups' own data. */
export type GroupActor = 'scim' | 'admin';

export type GroupCreated = DomainEvent<
  'GroupCreated',
  {
    readonly groupId: string;
    readonly accountId: string;
    readonly displayName: string;
    readonly externalId?: string;
    readonly source: GroupSource;
    readonly createdAt: string;
    /**
     * Revision of the membership stream when the group was created: its initial members are
     * written before it, so a create that fails half-way leaves no group. Absent: no members yet.
     */
    readonly membersRevision?: number;
  }
>;
export type GroupRenamed = DomainEvent<'GroupRenamed', { readonly groupId: string; readonly displayName: string; readonly renamedAt: string }>;
export type GroupExternalIdChanged = DomainEvent<
  'GroupExternalIdChanged',
  { readonly groupId: string; readonly externalId: string | null; readonly changedAt: string }
>;
export type GroupRoleMappingChanged = DomainEvent<
  'GroupRoleMappingChanged',
  { readonly groupId: string; readonly roles: readonly string[]; readonly previousRoles: readonly string[]; readonly changedAt: string }
>;
export type GroupDeleted = DomainEvent<'GroupDeleted', { readonly groupId: string; readonly deletedAt: string }>;

export type GroupEvent = GroupCreated | GroupRenamed | GroupExternalIdChanged | GroupRoleMappingChanged | GroupDeleted;

export type GroupState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'live' | 'deleted';
      readonly groupId: string;
      readonly accountId: string;
      readonly displayName: string;
      readonly externalId?: string;
      readonly source: GroupSource;
      readonly roles: readonly string[];
      readonly createdAt: string;
      readonly updatedAt: string;
    };

export type LiveGroup = Exclude<GroupState, { status: 'absent' }>;

export type GroupCommand =
  | {
      readonly type: 'CreateGroup';
      readonly groupId: string;
      readonly accountId: string;
      readonly displayName: string;
      readonly externalId?: string;
      readonly source: GroupSource;
      /** The membership stream's revision once the initial members are written (see GroupCreated). */
      readonly membersRevision?: number;
      readonly at: string;
    }
  /** PUT or PATCH of the group's own attributes; `externalId: undefined` leaves it as it is. */
  | {
      readonly type: 'UpdateGroup';
      readonly accountId: string;
      readonly by: GroupActor;
      readonly displayName: string;
      readonly externalId?: string | null;
      readonly at: string;
    }
  | {
      readonly type: 'MapGroupToRoles';
      readonly accountId: string;
      readonly roles: readonly string[];
      readonly knownRoles: readonly string[];
      readonly at: string;
    }
  | { readonly type: 'DeleteGroup'; readonly accountId: string; readonly by: GroupActor; readonly at: string };

export const initialGroupState: GroupState = { status: 'absent' };

export function evolveGroup(state: GroupState, event: GroupEvent): GroupState {
  if (event.type === 'GroupCreated') {
    const { groupId, accountId, displayName, externalId, source, createdAt } = event.data;
    return { status: 'live', groupId, accountId, displayName, externalId, source, roles: [], createdAt, updatedAt: createdAt };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'GroupRenamed':
      return { ...state, displayName: event.data.displayName, updatedAt: event.data.renamedAt };
    case 'GroupExternalIdChanged':
      return { ...state, externalId: event.data.externalId ?? undefined, updatedAt: event.data.changedAt };
    case 'GroupRoleMappingChanged':
      return { ...state, roles: event.data.roles, updatedAt: event.data.changedAt };
    case 'GroupDeleted':
      return { ...state, status: 'deleted', updatedAt: event.data.deletedAt };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export function decideGroup(command: GroupCommand, state: GroupState): readonly GroupEvent[] {
  switch (command.type) {
    case 'CreateGroup': {
      if (state.status !== 'absent') throw new DomainError('group_already_exists', `Group ${command.groupId} already exists`);
      const { groupId, accountId, displayName, externalId, source, membersRevision, at } = command;
      const initialMembers = membersRevision !== undefined && membersRevision >= 0 ? { membersRevision } : {};
      return [{ type: 'GroupCreated', data: { groupId, accountId, displayName, ...(externalId ? { externalId } : {}), source, createdAt: at, ...initialMembers } }];
    }
    case 'UpdateGroup': {
      const group = requireGroupFor(state, command.accountId, command.by);
      const events: GroupEvent[] = [];
      if (command.displayName !== group.displayName) {
        events.push({ type: 'GroupRenamed', data: { groupId: group.groupId, displayName: command.displayName, renamedAt: command.at } });
      }
      if (command.externalId !== undefined && (command.externalId ?? undefined) !== group.externalId) {
        events.push({ type: 'GroupExternalIdChanged', data: { groupId: group.groupId, externalId: command.externalId, changedAt: command.at } });
      }
      return events;
    }
    case 'MapGroupToRoles': {
      const group = requireLiveGroup(state, command.accountId);
      const unknown = command.roles.filter((role) => !command.knownRoles.includes(role));
      if (unknown.length > 0) {
        throw new DomainError('unknown_role', `Not in this account's role catalogue: ${unknown.join(', ')}`, { roles: unknown });
      }
      const roles = [...new Set(command.roles)].sort();
      if (roles.join('\n') === [...group.roles].sort().join('\n')) return [];
      return [{ type: 'GroupRoleMappingChanged', data: { groupId: group.groupId, roles, previousRoles: group.roles, changedAt: command.at } }];
    }
    case 'DeleteGroup': {
      const group = requireGroupFor(state, command.accountId, command.by);
      return [{ type: 'GroupDeleted', data: { groupId: group.groupId, deletedAt: command.at } }];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

export function requireLiveGroup(state: GroupState, accountId: string): LiveGroup {
  if (state.status !== 'live' || state.accountId !== accountId) throw new DomainError('group_not_found', 'Group not found');
  return state;
}

/** The IdP sees only SCIM groups; administrators edit only Platform groups' attributes and members. */
export function requireGroupFor(state: GroupState, accountId: string, by: GroupActor): LiveGroup {
  const group = requireLiveGroup(state, accountId);
  if (by === 'scim' && group.source !== 'SCIM') throw new DomainError('group_not_managed_by_scim', 'Group not found');
  if (by === 'admin' && group.source === 'SCIM') {
    throw new DomainError('group_managed_by_scim', 'This group is managed by the identity provider; change it there');
  }
  return group;
}

export const groupDecider: Decider<GroupCommand, GroupEvent, GroupState> = {
  initialState: initialGroupState,
  evolve: evolveGroup,
  decide: decideGroup,
};
