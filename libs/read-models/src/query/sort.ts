import type { SortSpec } from '../read-store.port';
import { UnsupportedQueryError } from './unsupported-query.error';
import { compareValues, EMPTY_ARRAY_SORT_KEY, splitPath, valuesAtPath, type JsonObject } from './values';

export interface CompiledSort {
  /** The values a document sorts by, one per sort field; compute once per document. */
  keysOf(document: JsonObject): unknown[];
  compareKeys(a: readonly unknown[], b: readonly unknown[]): number;
}

export function compileSort(spec: SortSpec): CompiledSort {
  if (!Array.isArray(spec) || spec.length === 0) throw new UnsupportedQueryError('A sort needs at least one field');
  const fields = spec.map(([path, direction]) => {
    if (direction !== 1 && direction !== -1) {
      throw new UnsupportedQueryError(`Sort direction of "${path}" must be 1 or -1`);
    }
    return { segments: splitPath(path), direction };
  });
  return {
    keysOf: (document) => fields.map(({ segments, direction }) => sortKey(document, segments, direction)),
    compareKeys: (a, b) => {
      for (let i = 0; i < fields.length; i++) {
        const order = compareValues(a[i], b[i]);
        if (order !== 0) return order * fields[i].direction;
      }
      return 0;
    },
  };
}

/**
 * MongoDB sort order: missing and null first ascending (last descending); an array sorts by its
 * smallest element ascending and by its largest descending; an empty array before missing.
 */
export function compareForSort(a: JsonObject, b: JsonObject, spec: SortSpec): number {
  const sort = compileSort(spec);
  return sort.compareKeys(sort.keysOf(a), sort.keysOf(b));
}

function sortKey(document: JsonObject, segments: readonly string[], direction: 1 | -1): unknown {
  let key: unknown;
  let hasKey = false;
  let sawEmptyArray = false;
  const consider = (candidate: unknown) => {
    if (!hasKey || compareValues(candidate, key) * direction < 0) {
      key = candidate;
      hasKey = true;
    }
  };
  for (const value of valuesAtPath(document, segments)) {
    if (!Array.isArray(value)) {
      consider(value);
    } else if (value.length === 0) {
      sawEmptyArray = true;
    } else {
      for (const element of value) consider(element);
    }
  }
  return hasKey ? key : sawEmptyArray ? EMPTY_ARRAY_SORT_KEY : undefined;
}
