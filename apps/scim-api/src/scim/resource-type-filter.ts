import type { Query } from '@scim/read-models';
import { ScimError } from '@scim/scim-protocol';

const FIELD = 'search.meta.resourceType';
const ALL: Query = { _id: { $exists: true } };
const NONE: Query = { _id: { $in: [] } };

/**
 * `meta.resourceType` is the same for every resource a collection holds, and group documents do
 * not store it: conditions on it are decided here, against `resourceType`, so that
 * `meta.resourceType eq "Group"` finds the groups (and narrows a search at the root, RFC 7644 §3.4.3).
 */
export function resolveResourceTypeConditions(query: Query, resourceType: string): Query {
  const resolved = new Map<string, unknown>();
  for (const [key, condition] of Object.entries(query)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      resolved.set(key, (condition as Query[]).map((q) => resolveResourceTypeConditions(q, resourceType)));
    } else if (key === FIELD) {
      resolved.set('$and', [...((resolved.get('$and') as Query[] | undefined) ?? []), matches(condition, resourceType) ? ALL : NONE]);
    } else {
      resolved.set(key, condition);
    }
  }
  // fromEntries defines every key as an own field, whatever a filter named it.
  return Object.fromEntries(resolved);
}

function matches(condition: unknown, resourceType: string): boolean {
  if (typeof condition === 'string') return condition === resourceType;
  const operator = condition as Record<string, unknown>;
  if (typeof operator.$ne === 'string' && Object.keys(operator).length === 1) return operator.$ne !== resourceType;
  if (operator.$exists === true && Object.keys(operator).length === 1) return true;
  throw new ScimError(400, 'Filters on meta.resourceType support eq, ne and pr', 'invalidFilter');
}
