import { evolveGroup, initialGroupState, type GroupEvent, type GroupState } from '../groups/group';
import type { GroupMembershipEvent } from '../groups/group-membership';
import { evolveUser, initialUserState, type UserState } from '../users/user.decider';
import type { RoleGrantedViaGroup, RoleRevocationReason, UserEvent, UserSource } from '../users/user.events';
import { effectiveRoles, heldRoles, compareText } from './access-as-of';
import { describeActor, entriesAsOf, stepOf, type HistoryEntry, type Step } from './history-entry';

/** The two streams of a group, as far as an explanation needs them. */
export interface GroupHistory {
  readonly lifecycle: readonly HistoryEntry<GroupEvent>[];
  /** Membership deltas; only those naming the explained user are needed. */
  readonly membership: readonly HistoryEntry<GroupMembershipEvent>[];
}

export interface GroupRef {
  readonly groupId: string;
  /** The group's name at the explained instant; null when its history was not found. */
  readonly displayName: string | null;
  readonly status: 'live' | 'deleted' | 'unknown';
}

export interface MappingStep extends Step {
  /** The group's whole mapping after this change. */
  readonly roles: readonly string[];
}

/** Which group event made the roles-via-groups process grant the role. */
export type GrantTrigger = 'membership-added' | 'mapping-changed' | 'unknown';

export type RoleSource =
  | { readonly kind: 'manual'; readonly assigned: Step }
  | { readonly kind: 'pre-existing-at-conversion'; readonly assigned: Step; readonly converted: Step }
  | {
      readonly kind: 'group';
      readonly group: GroupRef;
      /** The RoleGrantedViaGroup event (written by the roles-via-groups process). */
      readonly granted: Step;
      readonly trigger: GrantTrigger;
      /** The membership delta that made the user a member (which IdP token, which request). */
      readonly membership: Step | null;
      /** The mapping change that mapped the group to this role (which administrator, when). */
      readonly mapping: MappingStep | null;
    };

export type SourceEnd =
  | { readonly reason: 'removed-manually'; readonly step: Step }
  | {
      readonly reason: RoleRevocationReason;
      /** The RoleRevokedViaGroup event. */
      readonly step: Step;
      /** The group event that caused the revocation (membership removal, mapping change, deletion). */
      readonly cause: Step | null;
    };

export type EndedSource = RoleSource & { readonly ended: SourceEnd };

export interface HeldRole {
  readonly role: string;
  /** False while the user is inactive or deleted: held, but not in effect. */
  readonly effective: boolean;
  readonly sources: readonly RoleSource[];
  /** Earlier sources of this role that ended (e.g. one of two granting groups was left). */
  readonly ended: readonly EndedSource[];
}

export interface FormerRole {
  readonly role: string;
  /** How each source of the role ended, oldest first. */
  readonly ended: readonly EndedSource[];
}

export interface UserExplanation {
  readonly userId: string;
  readonly accountId: string;
  readonly userName: string;
  readonly source: UserSource;
  readonly status: 'active' | 'inactive' | 'deprovisioned';
  /** The instant explained; null for "now" (the whole recorded history). */
  readonly asOf: string | null;
  readonly created: Step;
  readonly converted: Step | null;
  /** The last deactivation, reactivation or deletion. */
  readonly lastStatusChange: Step | null;
  readonly effectiveRoles: readonly string[];
  /** Every role the user holds a grant for, with where each grant comes from. */
  readonly roles: readonly HeldRole[];
  /** Roles the user held once and holds no more. */
  readonly formerRoles: readonly FormerRole[];
  /** Plain-language remarks for support (inactive user, roles beyond its groups, ...). */
  readonly notes: readonly string[];
}

/** The groups an explanation needs the histories of: every group that granted or revoked a role. */
export function groupsReferenced(history: readonly HistoryEntry<UserEvent>[]): string[] {
  const ids = new Set<string>();
  for (const { event } of history) {
    if (event.type === 'RoleGrantedViaGroup' || event.type === 'RoleRevokedViaGroup') ids.add(event.data.groupId);
  }
  return [...ids].sort(compareText);
}

/**
 * Why the user holds (or held) each role, from the user's recorded history and the histories of
 * the groups that granted roles. With `asOf`, only what had happened by then. Null when the
 * history holds no user (an empty stream, or only events from after `asOf`).
 */
export function explainUser(
  history: readonly HistoryEntry<UserEvent>[],
  groups: ReadonlyMap<string, GroupHistory>,
  asOf?: string,
): UserExplanation | null {
  const entries = asOf === undefined ? history : entriesAsOf(history, asOf);
  const groupIndex = indexGroups(groups, asOf);
  let state: UserState = initialUserState;
  let created: Step | null = null;
  let converted: Step | null = null;
  let lastStatusChange: Step | null = null;
  // Per role, the sources in force: 'manual' or 'group:<id>'.
  let open = new Map<string, Map<string, RoleSource>>();
  let ended = new Map<string, EndedSource[]>();

  const close = (role: string, key: string, end: SourceEnd) => {
    const sources = open.get(role);
    const source = sources?.get(key);
    if (!sources || !source) return;
    sources.delete(key);
    if (sources.size === 0) open.delete(role);
    ended.set(role, [...(ended.get(role) ?? []), { ...source, ended: end }]);
  };
  const put = (role: string, key: string, source: RoleSource) => {
    const sources = open.get(role) ?? new Map<string, RoleSource>();
    open.set(role, sources.set(key, source));
  };

  for (const entry of entries) {
    const { event } = entry;
    state = evolveUser(state, event);
    if (state.status === 'absent') continue;
    switch (event.type) {
      case 'UserProvisioned':
      case 'ManualUserCreated':
        // evolveUser starts a new user on a creation event; so does the explanation.
        created = stepOf(entry);
        converted = null;
        lastStatusChange = null;
        open = new Map();
        ended = new Map();
        break;
      case 'UserConvertedToScim': {
        converted = stepOf(entry);
        for (const [role, sources] of open) {
          const manual = sources.get('manual');
          if (manual?.kind === 'manual') put(role, 'manual', { kind: 'pre-existing-at-conversion', assigned: manual.assigned, converted });
        }
        break;
      }
      case 'RoleAssignedManually':
        put(event.data.role, 'manual', { kind: 'manual', assigned: stepOf(entry) });
        break;
      case 'RoleRemovedManually':
        close(event.data.role, 'manual', { reason: 'removed-manually', step: stepOf(entry) });
        break;
      case 'RoleGrantedViaGroup': {
        const key = `group:${event.data.groupId}`;
        if (!open.get(event.data.role)?.has(key)) put(event.data.role, key, groupSource(entry as HistoryEntry<RoleGrantedViaGroup>, groupIndex));
        break;
      }
      case 'RoleRevokedViaGroup': {
        const cause = groupIndex.get(event.data.groupId)?.byId.get(entry.causationId);
        close(event.data.role, `group:${event.data.groupId}`, { reason: event.data.reason, step: stepOf(entry), cause: cause ? stepOf(cause) : null });
        break;
      }
      case 'UserDeactivated':
      case 'UserReactivated':
      case 'UserDeprovisioned':
      case 'UserErased':
        lastStatusChange = stepOf(entry);
        break;
      case 'UserAttributesUpdated':
        break;
      default: {
        const _exhaustive: never = event;
        break;
      }
    }
  }
  if (state.status === 'absent' || created === null) return null;

  const user = state;
  const roles: HeldRole[] = [...open.keys()].sort(compareText).map((role) => ({
    role,
    effective: user.status === 'active',
    // In the order the sources started (a Map keeps insertion order; conversion keeps the slot).
    sources: [...(open.get(role)?.values() ?? [])],
    ended: ended.get(role) ?? [],
  }));
  const formerRoles: FormerRole[] = [...ended.keys()]
    .filter((role) => !open.has(role))
    .sort(compareText)
    .map((role) => ({ role, ended: ended.get(role) ?? [] }));

  return {
    userId: user.userId,
    accountId: user.accountId,
    userName: user.profile.userName,
    source: user.source,
    status: user.status,
    asOf: asOf ?? null,
    created,
    converted,
    lastStatusChange,
    effectiveRoles: effectiveRoles(user),
    roles,
    formerRoles,
    notes: notesFor(user.status, user.source, roles, lastStatusChange, heldRoles(user).length),
  };
}

interface IndexedGroup {
  readonly ref: GroupRef;
  readonly byId: ReadonlyMap<string, HistoryEntry<GroupEvent | GroupMembershipEvent>>;
  /** Both streams in commit order. */
  readonly lifecycle: readonly HistoryEntry<GroupEvent>[];
  readonly membership: readonly HistoryEntry<GroupMembershipEvent>[];
}

function indexGroups(groups: ReadonlyMap<string, GroupHistory>, asOf: string | undefined): ReadonlyMap<string, IndexedGroup> {
  const index = new Map<string, IndexedGroup>();
  for (const [groupId, history] of groups) {
    const lifecycle = [...(asOf === undefined ? history.lifecycle : entriesAsOf(history.lifecycle, asOf))].sort(byPosition);
    const membership = [...(asOf === undefined ? history.membership : entriesAsOf(history.membership, asOf))].sort(byPosition);
    const byId = new Map<string, HistoryEntry<GroupEvent | GroupMembershipEvent>>();
    for (const entry of [...lifecycle, ...membership]) byId.set(entry.eventId, entry);
    const state = lifecycle.reduce<GroupState>((s, entry) => evolveGroup(s, entry.event), initialGroupState);
    const ref: GroupRef =
      state.status === 'absent' ? { groupId, displayName: null, status: 'unknown' } : { groupId, displayName: state.displayName, status: state.status };
    index.set(groupId, { ref, byId, lifecycle, membership });
  }
  return index;
}

function groupSource(entry: HistoryEntry<RoleGrantedViaGroup>, groups: ReadonlyMap<string, IndexedGroup>): RoleSource {
  const { role, groupId, userId } = entry.event.data;
  const group = groups.get(groupId);
  const granted = stepOf(entry);
  if (!group) {
    return { kind: 'group', group: { groupId, displayName: null, status: 'unknown' }, granted, trigger: 'unknown', membership: null, mapping: null };
  }
  const cause = group.byId.get(entry.causationId);
  if (cause?.event.type === 'GroupMembersAdded') {
    return { kind: 'group', group: group.ref, granted, trigger: 'membership-added', membership: stepOf(cause), mapping: mappingOf(group, role, entry.position) };
  }
  if (cause?.event.type === 'GroupRoleMappingChanged') {
    return {
      kind: 'group',
      group: group.ref,
      granted,
      trigger: 'mapping-changed',
      membership: membershipOf(group, userId, cause.position),
      mapping: mappingOf(group, role, cause.position + 1),
    };
  }
  // The cause was not found (e.g. a history recorded before causation ids): the latest facts before the grant.
  return {
    kind: 'group',
    group: group.ref,
    granted,
    trigger: 'unknown',
    membership: membershipOf(group, userId, entry.position),
    mapping: mappingOf(group, role, entry.position),
  };
}

/** The mapping change that put `role` into the group's mapping, if it was still mapped before `before`. */
function mappingOf(group: IndexedGroup, role: string, before: number): MappingStep | null {
  let introduced: MappingStep | null = null;
  for (const entry of group.lifecycle) {
    if (entry.position >= before) break;
    if (entry.event.type !== 'GroupRoleMappingChanged') continue;
    const { roles } = entry.event.data;
    if (!roles.includes(role)) introduced = null;
    else if (!introduced) introduced = { ...stepOf(entry), roles };
  }
  return introduced;
}

/** The membership delta that made `userId` a member, if it was still one before `before`. */
function membershipOf(group: IndexedGroup, userId: string, before: number): Step | null {
  let added: Step | null = null;
  for (const entry of group.membership) {
    if (entry.position >= before) break;
    if (!entry.event.data.members.includes(userId)) continue;
    if (entry.event.type === 'GroupMembersRemoved') added = null;
    else if (!added) added = stepOf(entry);
  }
  return added;
}

function notesFor(
  status: UserExplanation['status'],
  source: UserSource,
  roles: readonly HeldRole[],
  lastStatusChange: Step | null,
  held: number,
): string[] {
  const notes: string[] = [];
  const by = lastStatusChange ? ` at ${lastStatusChange.at} by ${describeActor(lastStatusChange.actor)}` : '';
  if (status === 'inactive') {
    notes.push(`The user is inactive (deactivated${by}): holds no effective role until reactivated; ${held} role grant(s) are kept.`);
  }
  if (status === 'deprovisioned') {
    notes.push(`The user was deleted${by}: gone from SCIM, holds no role; its history is kept.`);
  }
  if (source === 'scim') {
    const beyond = roles.filter((r) => r.sources.some((s) => s.kind !== 'group')).map((r) => r.role);
    if (beyond.length > 0) {
      notes.push(`Holds ${beyond.join(', ')} beyond what its SCIM groups define: pre-existing at conversion or assigned manually (see each role's sources).`);
    }
  }
  for (const r of roles) {
    const granting = r.sources.filter((s) => s.kind === 'group').length;
    if (granting > 1) notes.push(`${r.role} is granted by ${granting} groups; it stays until the last of them stops granting it.`);
  }
  return notes;
}

function byPosition(a: HistoryEntry, b: HistoryEntry): number {
  return a.position - b.position;
}
