export * from './collections';
export * from './accounts.projection';
export * from './users.projection';

import { accountsProjection } from './accounts.projection';
import { usersProjection } from './users.projection';

/** Every projection the service runs, in one place for the runner and for rebuilds. */
export const allProjections = [accountsProjection, usersProjection] as const;
