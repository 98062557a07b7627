export * from './collections';
export * from './accounts.projection';
export * from './users.projection';
export * from './groups.projection';

import { accountsProjection } from './accounts.projection';
import { groupsProjection } from './groups.projection';
import { usersProjection } from './users.projection';

/** Every projection the service runs, in one place for the runner and for rebuilds. */
export const allProjections = [accountsProjection, usersProjection, groupsProjection] as const;
