import { ScimError } from '@scim/scim-protocol';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Stream revision as a weak ETag (RFC 7644 §3.14): W/"<revision>". */
export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * If-Match → the revision the client expects; undefined for no header or `*`.
 * A malformed or list-valued header cannot match any single revision, so it is a 412.
 */
export function expectedRevisionFrom(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(ifMatch);
  if (!match) throw new ScimError(412, `If-Match ${JSON.stringify(ifMatch)} does not name a version of this resource`);
  return Number(match[1]);
}

/** If-None-Match matches when any listed ETag (weak comparison) is the current one, or `*`. */
export function ifNoneMatchHits(ifNoneMatch: string | undefined, version: number): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${version}"`);
}
