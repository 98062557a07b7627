import type { Query } from '../read-store.port';
import { isJsonObject } from './values';

/** A value an equality index can look up (MongoDB equality on strings and numbers). */
export type IndexableValue = string | number;

export function isIndexableValue(value: unknown): value is IndexableValue {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Fields the query pins to one string or number at top level (`{field: v}`, `{field: {$eq: v}}`,
 * also inside a top-level `$and`): every matching document has that value at that path, so an
 * equality index on those fields yields a superset of the matches.
 */
export function topLevelEqualities(query: Query): Map<string, IndexableValue> {
  const equalities = new Map<string, IndexableValue>();
  const visit = (clauses: Query) => {
    for (const [key, condition] of Object.entries(clauses)) {
      if (key === '$and' && Array.isArray(condition)) {
        for (const branch of condition) if (isJsonObject(branch)) visit(branch);
      } else if (!key.startsWith('$')) {
        if (isIndexableValue(condition)) equalities.set(key, condition);
        else if (isJsonObject(condition) && isIndexableValue(condition.$eq)) equalities.set(key, condition.$eq);
      }
    }
  };
  visit(query);
  return equalities;
}
