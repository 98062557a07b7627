import type { Query } from '../read-store.port';
import { isJsonObject, splitPath } from './values';

/**
 * The top-level fields a (valid) query looks at: the first segment of each path, through
 * `$and`/`$or`/`$nor`. A store that keeps some fields apart reads only these to test a document.
 */
export function topLevelFieldsOf(query: Query, into = new Set<string>()): Set<string> {
  for (const [key, condition] of Object.entries(query)) {
    if (!key.startsWith('$')) into.add(splitPath(key)[0]);
    else if (Array.isArray(condition)) for (const branch of condition) if (isJsonObject(branch)) topLevelFieldsOf(branch, into);
  }
  return into;
}
