import { ScimUrn } from './urns';

/** Paging figures of a ListResponse (RFC 7644 §3.4.2.4): integers, never strings (Okta checks). */
export interface ListPaging {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
}

/** The RFC 7644 §3.4.2 ListResponse message. */
export interface ListResponse<T> extends ListPaging {
  readonly schemas: readonly [typeof ScimUrn.ListResponse];
  readonly Resources: readonly T[];
}

/**
 * Builds a ListResponse. Throws a RangeError (a programming error, not a client one) when a paging
 * figure is not a non-negative integer, or startIndex is below 1.
 */
export function listResponse<T>(resources: readonly T[], paging: ListPaging): ListResponse<T> {
  const { totalResults, startIndex, itemsPerPage } = checkedPaging(paging);
  return { schemas: [ScimUrn.ListResponse], totalResults, startIndex, itemsPerPage, Resources: resources };
}

/**
 * The JSON text of `listResponse(resources, paging)` around its resources: `before`, then each
 * resource's JSON separated by commas, then `after`. Resources serialised earlier are written
 * as they are, not serialised again. Same RangeErrors as `listResponse`.
 */
export function listResponseFrame(paging: ListPaging): { readonly before: string; readonly after: string } {
  const { totalResults, startIndex, itemsPerPage } = checkedPaging(paging);
  const head = JSON.stringify({ schemas: [ScimUrn.ListResponse], totalResults, startIndex, itemsPerPage });
  return { before: `${head.slice(0, -1)},"Resources":[`, after: ']}' };
}

function checkedPaging(paging: ListPaging): ListPaging {
  const { totalResults, startIndex, itemsPerPage } = paging;
  for (const [name, value] of Object.entries({ totalResults, startIndex, itemsPerPage })) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  if (startIndex < 1) throw new RangeError(`startIndex is 1-based, got ${startIndex}`);
  return { totalResults, startIndex, itemsPerPage };
}
