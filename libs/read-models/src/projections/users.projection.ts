import {
  evolveUser,
  StreamPrefix,
  userEventTypes,
  userNameKey,
  type ExistingUser,
  type GroupGrant,
  type GroupMembershipEvent,
  type ManualRole,
  type UserEvent,
  type UserProfile,
  type UserSource,
} from '@scim/domain';
import { effectiveRoles } from '@scim/domain/history';
import { searchAtVersion, storedUserForms } from '@scim/scim-protocol';
import type { Projection } from '../projection';
import type { Doc } from '../read-store.port';
import { Collections, type userPageFields } from './collections';
import { domainEventOf } from './recorded-event';

interface UserFields {
  readonly _id: string;
  readonly accountId: string;
  readonly source: UserSource;
  readonly status: 'active' | 'inactive';
  readonly userNameKey: string;
  readonly profile: UserProfile;
  readonly active: boolean;
  /** `active` was removed (RFC 7644 §3.5.2.2): SCIM shows none, and `active` is false. */
  readonly activeUnassigned?: true;
  readonly created: string;
  readonly lastModified: string;
  /** Stream revision: the SCIM version / ETag. */
  readonly version: number;
  readonly convertedAt?: string;
  /**
   * The aggregate's role maps as JSON objects (the stored shape since the first release). Role
   * names are chosen by account admins ("constructor"): read them through `userStateOf` only.
   */
  readonly manualRoles: Readonly<Record<string, ManualRole>>;
  readonly groupRoles: Readonly<Record<string, readonly GroupGrant[]>>;
  /** What the user may do now: none while inactive (grants are kept and return on reactivation). */
  readonly effectiveRoles: readonly string[];
}

/**
 * A user as SCIM and the admin API list it; `search` is the case-folded mirror filters run against.
 * `resourceJson` is the SCIM resource without `meta` (`storedUserForms`), serialised once per
 * change of its attributes and stored apart: a page of users is assembled from stored text, with
 * each response's `meta` added. `groupIds` are the groups the user is a direct member of, kept from
 * membership events so that a page reads no membership; which are the IdP's SCIM groups, and their
 * names, are read with the page (a rename then rewrites no member).
 */
export type UserView = Doc &
  UserFields & { readonly search: Readonly<Record<string, unknown>>; readonly resourceJson: string; readonly groupIds: readonly string[] };

export type UserPageView = Pick<UserView, '_id' | (typeof userPageFields)[number]>;

/** The aggregate's state a user document holds; its role maps hold the document's own keys only. */
export function userStateOf(view: UserView): ExistingUser {
  return {
    status: view.status,
    userId: view._id,
    accountId: view.accountId,
    source: view.source,
    profile: view.profile,
    createdAt: view.created,
    updatedAt: view.lastModified,
    convertedAt: view.convertedAt,
    ...(view.activeUnassigned ? { activeUnassigned: true as const } : {}),
    manualRoles: new Map(Object.entries(view.manualRoles)),
    groupRoles: new Map(Object.entries(view.groupRoles)),
  };
}

/**
 * The read model is the aggregate's own state, plus what lists and filters need. `previous`, the
 * view before the event, lends its stored forms when the event changed no SCIM attribute.
 */
function viewOf(state: ExistingUser, version: number, previous: UserView | null): UserView | null {
  if (state.status === 'deprovisioned') return null; // gone from SCIM (RFC 7644 §3.6); history stays in the log
  const active = state.status === 'active';
  const fields: UserFields = {
    _id: state.userId,
    accountId: state.accountId,
    source: state.source,
    status: state.status,
    userNameKey: previous?.profile === state.profile ? previous.userNameKey : userNameKey(state.profile.userName),
    profile: state.profile,
    active,
    ...(state.activeUnassigned ? { activeUnassigned: true as const } : {}),
    created: state.createdAt,
    lastModified: state.updatedAt,
    version,
    ...(state.convertedAt ? { convertedAt: state.convertedAt } : {}),
    // fromEntries defines own keys, so a role named "__proto__" is stored as a role, not a prototype.
    manualRoles: Object.fromEntries(state.manualRoles),
    groupRoles: Object.fromEntries(state.groupRoles),
    effectiveRoles: effectiveRoles(state),
  };
  // Roles granted or revoked (most events of a user's stream) change no attribute: rendering each of
  // the 10,000 users a group's new role reaches was a third of their projection.
  const unchanged =
    previous &&
    previous.profile === fields.profile &&
    previous.active === active &&
    previous.activeUnassigned === fields.activeUnassigned &&
    previous.created === fields.created &&
    previous.lastModified === fields.lastModified;
  const { resourceJson, search } = unchanged
    ? { resourceJson: previous.resourceJson, search: searchAtVersion(previous.search, version) }
    : storedUserForms({ id: fields._id, profile: fields.profile, active: fields.activeUnassigned ? undefined : active, meta: { created: fields.created, lastModified: fields.lastModified, version } });
  return { ...fields, search, resourceJson, groupIds: previous?.groupIds ?? [] };
}

/** A membership change applied to one member's document: a user of another account is left as it is. */
function withMembership(user: UserView, event: GroupMembershipEvent): UserView {
  const { groupId, accountId } = event.data;
  if (user.accountId !== accountId) return user;
  const others = user.groupIds.filter((id) => id !== groupId);
  return { ...user, groupIds: event.type === 'GroupMembersAdded' ? [...others, groupId] : others };
}

const isMembership = (type: string): type is GroupMembershipEvent['type'] => type === 'GroupMembersAdded' || type === 'GroupMembersRemoved';

export const usersProjection: Projection = {
  name: 'users',
  // 2: the SCIM resource stored without `meta`; the ids of the user's groups.
  version: 2,
  streamPrefixes: [StreamPrefix.user, StreamPrefix.groupMembers],
  targets: (recorded) => {
    if (isMembership(recorded.type)) return (recorded.data.members as readonly string[]).map((id) => ({ collection: Collections.users, id }));
    return userEventTypes.has(recorded.type as UserEvent['type']) && typeof recorded.data.userId === 'string'
      ? [{ collection: Collections.users, id: recorded.data.userId }]
      : [];
  },
  evolve: (_ref, doc, recorded) => {
    const previous = doc as UserView | null;
    // A membership of a user not (or no longer) provisioned leaves no document.
    if (isMembership(recorded.type)) return previous && withMembership(previous, domainEventOf<GroupMembershipEvent>(recorded));
    const current = previous ? userStateOf(previous) : { status: 'absent' as const };
    const next = evolveUser(current, domainEventOf<UserEvent>(recorded));
    return next.status === 'absent' ? null : viewOf(next, recorded.revision, previous);
  },
};
