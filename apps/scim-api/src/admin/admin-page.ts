import type { Query } from '@scim/read-models';
import { DEFAULT_COUNT, type ListPage } from '../scim/paging';
import type { PageQueryDto } from './admin.dto';

/** The one shape of every admin list: a page of `items`, 1-based like SCIM's ListResponse (RFC 7644 §3.4.2.4). */
export interface AdminPage<T> {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly items: readonly T[];
}

export function adminPageOf<S, T>(page: ListPage<S>, map: (resource: S) => T): AdminPage<T> {
  return { totalResults: page.totalResults, startIndex: page.startIndex, itemsPerPage: page.resources.length, items: page.resources.map(map) };
}

/** A page of a list that is already in memory (an account's tokens, keys or roles: tens, not thousands). */
export function pageOfList<T>(all: readonly T[], params: PageQueryDto): AdminPage<T> {
  const startIndex = params.startIndex ?? 1;
  const items = all.slice(startIndex - 1, startIndex - 1 + (params.count ?? DEFAULT_COUNT));
  return { totalResults: all.length, startIndex, itemsPerPage: items.length, items };
}

/**
 * A user-typed prefix as a range on a case-folded field: no regular expression to escape. A
 * range is served by a MongoDB index on the field; the embedded store's indexes are hash indexes,
 * so there it reads the account's documents (README, Account console, measures it).
 */
export function prefixOf(field: string, prefix: string): Query {
  const key = prefix.normalize('NFC').toLowerCase();
  return { [field]: { $gte: key, $lt: `${key}\uffff` } };
}
