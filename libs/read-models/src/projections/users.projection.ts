import { applyAttributeChanges, StreamPrefix, userEventTypes, userNameKey, type UserEvent, type UserProfile, type UserSource } from '@scim/domain';
import { renderUser, searchMirror, userResourceSchema } from '@scim/scim-protocol';
import type { Projection } from '../projection';
import type { Doc } from '../read-store.port';
import { Collections } from './collections';
import { domainEventOf } from './recorded-event';

/** A user as SCIM lists and filters it; `search` is the case-folded mirror filters run against. */
interface UserFields {
  readonly _id: string;
  readonly accountId: string;
  readonly source: UserSource;
  readonly status: 'active' | 'inactive';
  readonly userNameKey: string;
  readonly profile: UserProfile;
  readonly active: boolean;
  readonly created: string;
  readonly lastModified: string;
  /** Stream revision: the SCIM version / ETag. */
  readonly version: number;
}

export type UserView = Doc & UserFields & { readonly search: Readonly<Record<string, unknown>> };

function withSearch(view: UserFields): UserView {
  const resource = renderUser(
    { id: view._id, profile: view.profile, active: view.active, meta: { created: view.created, lastModified: view.lastModified, version: view.version } },
    '',
  );
  return { ...view, search: searchMirror(resource, userResourceSchema) };
}

export const usersProjection: Projection = {
  name: 'users',
  streamPrefixes: [StreamPrefix.user],
  targets: (recorded) =>
    userEventTypes.has(recorded.type as UserEvent['type']) && typeof recorded.data.userId === 'string'
      ? [{ collection: Collections.users, id: recorded.data.userId }]
      : [],
  evolve: (ref, doc, recorded) => {
    const event = domainEventOf<UserEvent>(recorded);
    const version = recorded.revision;
    if (event.type === 'UserProvisioned') {
      const { accountId, profile, active, provisionedAt } = event.data;
      return withSearch({
        _id: ref.id,
        accountId,
        source: 'scim',
        status: active ? 'active' : 'inactive',
        userNameKey: userNameKey(profile.userName),
        profile,
        active,
        created: provisionedAt,
        lastModified: provisionedAt,
        version,
      });
    }
    const user = doc as UserView | null;
    if (!user) return null;
    switch (event.type) {
      case 'UserAttributesUpdated': {
        const profile = applyAttributeChanges(user.profile, event.data);
        return withSearch({ ...user, profile, userNameKey: userNameKey(profile.userName), lastModified: event.data.updatedAt, version });
      }
      case 'UserDeactivated':
        return withSearch({ ...user, status: 'inactive', active: false, lastModified: event.data.deactivatedAt, version });
      case 'UserReactivated':
        return withSearch({ ...user, status: 'active', active: true, lastModified: event.data.reactivatedAt, version });
      case 'UserDeprovisioned':
        // Gone from SCIM (RFC 7644 §3.6); the history stays in the event log.
        return null;
      default: {
        const _exhaustive: never = event;
        return user;
      }
    }
  },
};
