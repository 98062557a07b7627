import type { Doc, Query, ReadStore } from '@scim/read-models';

/** Largest page served; larger `count`s are cut to it (RFC 7644 §3.4.2.4), as /ServiceProviderConfig says. */
export const MAX_RESULTS = 1000;
/** Page size when the client gives no `count`. */
export const DEFAULT_COUNT = 100;

export interface ListPage<T> {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly resources: readonly T[];
}

export interface PageParams {
  readonly startIndex?: number;
  readonly count?: number;
  readonly sortField?: string;
  readonly sortOrder?: 'ascending' | 'descending';
  /** Only these top-level fields of each resource (and `_id`). */
  readonly fields?: readonly string[];
}

/**
 * Joins the account scope and the filter so that plain equalities stay at the top level, where
 * the stores' indexes can serve them.
 */
export function scoped(scope: Query, filter: Query | undefined): Query {
  if (!filter) return scope;
  const collides = Object.keys(filter).some((key) => Object.hasOwn(scope, key) || key.startsWith('$'));
  return collides ? { ...scope, $and: [filter] } : { ...scope, ...filter };
}

export async function pageOf<T extends Doc>(
  store: ReadStore,
  collection: string,
  scope: Query,
  filter: Query | undefined,
  params: PageParams,
): Promise<ListPage<T>> {
  const query = scoped(scope, filter);
  // §3.4.2.4: startIndex below 1 is read as 1, a negative count as 0.
  const startIndex = Math.max(1, params.startIndex ?? 1);
  const count = Math.min(Math.max(0, params.count ?? DEFAULT_COUNT), MAX_RESULTS);
  const sort = params.sortField ? ([[params.sortField, params.sortOrder === 'descending' ? -1 : 1]] as const) : undefined;
  const resources = count === 0 ? [] : await store.find<T>(collection, query, { sort, skip: startIndex - 1, limit: count, fields: params.fields });
  // A short page ends the results, so its last position is their number; an empty page says so
  // only from the start (past the end, the results may stop anywhere before it). Okta's
  // existence check (userName eq, one or no match) then costs one query, not two.
  const pageEndsResults = resources.length < count && (resources.length > 0 || startIndex === 1);
  const totalResults = pageEndsResults ? startIndex - 1 + resources.length : await store.count(collection, query);
  return { totalResults, startIndex, resources };
}
