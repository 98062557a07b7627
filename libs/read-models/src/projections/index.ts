export * from './collections';
export * from './accounts.projection';
export * from './users.projection';
export * from './groups.projection';
export * from './account-log.projection';

import { ACCOUNT_LOG, accountLogProjection } from './account-log.projection';
import { accountsProjection } from './accounts.projection';
import { Collections } from './collections';
import { groupsProjection } from './groups.projection';
import { usersProjection } from './users.projection';

/** Every projection the service runs, in one place for the runner and for rebuilds. */
export const allProjections = [accountsProjection, usersProjection, groupsProjection] as const;

/**
 * What the projector runs in distributed mode: the read models, and the account-log index that
 * EventStoreDB lacks (embedded mode's SQLite log indexes accounts itself).
 */
export const distributedProjections = [...allProjections, accountLogProjection] as const;

/**
 * The collections each projection writes (its `targets`), by projection name: a distributed rebuild
 * swaps exactly these in, and refuses a write to any other.
 */
export const projectionCollections: ReadonlyMap<string, readonly string[]> = new Map([
  [accountsProjection.name, [Collections.accounts]],
  [usersProjection.name, [Collections.users]],
  [groupsProjection.name, [Collections.groups, Collections.groupMembers]],
  [accountLogProjection.name, [ACCOUNT_LOG]],
]);
