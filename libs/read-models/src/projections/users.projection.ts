import {
  evolveUser,
  StreamPrefix,
  userEventTypes,
  userNameKey,
  type ExistingUser,
  type GroupGrant,
  type ManualRole,
  type UserEvent,
  type UserProfile,
  type UserSource,
} from '@scim/domain';
import { effectiveRoles } from '@scim/domain/history';
import { userReadModelForms, userReadModelFormsAtVersion, type UserReadModelForms } from '@scim/scim-protocol';
import type { Projection } from '../projection';
import type { Doc } from '../read-store.port';
import { Collections } from './collections';
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
 * `scimJson` is the SCIM representation with the base URL left out (`userJsonWithoutBaseUrl`),
 * serialised once per revision and stored apart, so that a page of users is assembled from stored
 * text; documents written before it existed lack it until their user's next event or a rebuild.
 */
export type UserView = Doc & UserFields & { readonly search: Readonly<Record<string, unknown>>; readonly scimJson?: string };

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
 * view before the event, lends its forms when the event changed nothing SCIM renders.
 */
function viewOf(state: ExistingUser, version: number, previous: UserView | null): UserView | null {
  if (state.status === 'deprovisioned') return null; // gone from SCIM (RFC 7644 §3.6); history stays in the log
  const active = state.status === 'active';
  const fields: UserFields = {
    _id: state.userId,
    accountId: state.accountId,
    source: state.source,
    status: state.status,
    // Documents older than the key lack it: computed for them.
    userNameKey: previous?.profile === state.profile && typeof previous.userNameKey === 'string' ? previous.userNameKey : userNameKey(state.profile.userName),
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
  const { search, json } = (previous && formsAtNewVersion(previous, fields)) ?? userReadModelForms({
    id: fields._id,
    profile: fields.profile,
    active: fields.activeUnassigned ? undefined : active,
    meta: { created: fields.created, lastModified: fields.lastModified, version },
  });
  return { ...fields, search, scimJson: json };
}

/**
 * The previous view's forms at the new version, when all that SCIM renders of the user is as it was
 * (roles granted or revoked: most events of a user's stream). Rendering each of the 10,000 users a
 * group's new role reaches was a third of their projection.
 */
function formsAtNewVersion(previous: UserView, next: UserFields): UserReadModelForms | undefined {
  const unchanged =
    previous.scimJson !== undefined &&
    previous.profile === next.profile &&
    previous.active === next.active &&
    previous.activeUnassigned === next.activeUnassigned &&
    previous.created === next.created &&
    previous.lastModified === next.lastModified;
  return unchanged ? userReadModelFormsAtVersion({ search: previous.search, json: previous.scimJson as string }, previous.version, next.version) : undefined;
}

export const usersProjection: Projection = {
  name: 'users',
  streamPrefixes: [StreamPrefix.user],
  targets: (recorded) =>
    userEventTypes.has(recorded.type as UserEvent['type']) && typeof recorded.data.userId === 'string'
      ? [{ collection: Collections.users, id: recorded.data.userId }]
      : [],
  evolve: (_ref, doc, recorded) => {
    const previous = doc as UserView | null;
    const current = previous ? userStateOf(previous) : { status: 'absent' as const };
    const next = evolveUser(current, domainEventOf<UserEvent>(recorded));
    return next.status === 'absent' ? null : viewOf(next, recorded.revision, previous);
  },
};
