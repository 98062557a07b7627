export * from './collections';
export * from './accounts.projection';
export * from './users.projection';
export * from './groups.projection';
export * from './account-log.projection';

import { accountLogProjection } from './account-log.projection';
import { accountsProjection } from './accounts.projection';
import { groupsProjection } from './groups.projection';
import { usersProjection } from './users.projection';

/** Every projection the service runs, in one place for the runner and for rebuilds. */
export const allProjections = [accountsProjection, usersProjection, groupsProjection] as const;

/**
 * What the projector runs in distributed mode: the read models, and the account-log index that
 * EventStoreDB lacks (embedded mode's SQLite log indexes accounts itself).
 */
export const distributedProjections = [...allProjections, accountLogProjection] as const;
