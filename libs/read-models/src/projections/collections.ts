import type { IndexSpec } from '../read-store.port';

export const Collections = {
  accounts: 'accounts',
  users: 'users',
  groups: 'groups',
  groupMembers: 'group_members',
} as const;

/** Indexes each read model needs; both stores create them at start-up. */
export const readModelIndexes: Readonly<Record<string, readonly IndexSpec[]>> = {
  [Collections.users]: [
    { name: 'account', fields: [['accountId', 1]] },
    { name: 'account_source', fields: [['accountId', 1], ['source', 1]] },
    { name: 'account_userName', fields: [['accountId', 1], ['search.userName', 1]] },
    { name: 'account_externalId', fields: [['accountId', 1], ['search.externalId', 1]] },
    { name: 'account_emails', fields: [['accountId', 1], ['search.emails.value', 1]] },
    // Who holds a role now (the admin users list filtered by role), without reading every user.
    { name: 'account_effectiveRoles', fields: [['accountId', 1], ['effectiveRoles', 1]] },
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
};
