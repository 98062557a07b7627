import type { IndexSpec } from '../read-store.port';

export const Collections = {
  accounts: 'accounts',
  users: 'users',
} as const;

/** Indexes each read model needs; both stores create them at start-up. */
export const readModelIndexes: Readonly<Record<string, readonly IndexSpec[]>> = {
  [Collections.users]: [
    { name: 'account', fields: [['accountId', 1]] },
    { name: 'account_userName', fields: [['accountId', 1], ['search.userName', 1]] },
    { name: 'account_externalId', fields: [['accountId', 1], ['search.externalId', 1]] },
    { name: 'account_emails', fields: [['accountId', 1], ['search.emails.value', 1]] },
  ],
};
