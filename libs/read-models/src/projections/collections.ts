import type { IndexSpec, ReadStore } from '../read-store.port';
import { ACCOUNT_LOG, accountLogIndexes } from './account-log.projection';

export const Collections = {
  accounts: 'accounts',
  users: 'users',
  groups: 'groups',
  groupMembers: 'group_members',
} as const;

/**
 * Indexes each read model needs; both stores create them at start-up. The embedded store reads a
 * query that pins the fields of several off the widest, the last declared among equals: the broader go first.
 */
export const readModelIndexes: Readonly<Record<string, readonly IndexSpec[]>> = {
  [Collections.users]: [
    { name: 'account', fields: [['accountId', 1]] },
    { name: 'account_source', fields: [['accountId', 1], ['source', 1]] },
    { name: 'account_userName', fields: [['accountId', 1], ['search.userName', 1]] },
    { name: 'account_externalId', fields: [['accountId', 1], ['search.externalId', 1]] },
    { name: 'account_emails', fields: [['accountId', 1], ['search.emails.value', 1]] },
    // Who holds a role now (the admin users list filtered by role), without reading every user.
    { name: 'account_effectiveRoles', fields: [['accountId', 1], ['effectiveRoles', 1]] },
    // The members of a group (`groups.value eq` on /Users).
    { name: 'account_groupIds', fields: [['accountId', 1], ['groupIds', 1]] },
  ],
  [Collections.groups]: [
    { name: 'account', fields: [['accountId', 1]] },
    { name: 'account_displayName', fields: [['accountId', 1], ['search.displayName', 1]] },
    { name: 'account_externalId', fields: [['accountId', 1], ['search.externalId', 1]] },
  ],
  [Collections.groupMembers]: [
    { name: 'group', fields: [['groupId', 1]] },
    { name: 'user', fields: [['accountId', 1], ['userId', 1]] },
  ],
  [ACCOUNT_LOG]: accountLogIndexes,
};

/** What a page of users reads of each (UserView): its stored resource, `meta`'s facts and its groups. */
export const userPageFields = ['resourceJson', 'created', 'lastModified', 'version', 'groupIds'] as const;

/** Fields read alone on hot paths (a page of users is its users' stored JSON and `meta`): stores may keep them apart. */
export const readModelFieldsStoredApart: Readonly<Record<string, readonly string[]>> = {
  [Collections.users]: userPageFields,
};

/** Gives a store every read model's indexes and fields stored apart: at start-up, and to a rebuild's target before it fills. */
export async function prepareReadModelStore(store: ReadStore): Promise<void> {
  for (const [collection, indexes] of Object.entries(readModelIndexes)) await store.ensureIndexes(collection, indexes);
  for (const [collection, fields] of Object.entries(readModelFieldsStoredApart)) await store.ensureStoredApart(collection, fields);
}
