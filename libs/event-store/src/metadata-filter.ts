/**
 * Filtering events by metadata values, shared by the port's default `readAllMatching` and the
 * adapters. Imports nothing from the port, which re-exports the types.
 */

/**
 * Top-level metadata keys and the string each must hold, e.g. `{ accountId: 'a1' }`. Keys are
 * identifiers (letters, digits, `_`); an event whose value is missing or not a string never matches.
 */
export type MetadataFilter = Readonly<Record<string, string>>;

export const DEFAULT_READ_BATCH_SIZE = 500;

// Keys are spliced into SQL JSON paths by the SQLite adapter, so only plain identifiers pass.
const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Validates a filter; returns its entries. Throws on an empty filter (it would match everything). */
export function normalizeMetadataFilter(filter: MetadataFilter): ReadonlyArray<readonly [key: string, value: string]> {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new TypeError('metadata filter must be an object of key → string value');
  }
  const entries = Object.entries(filter);
  if (entries.length === 0) throw new RangeError('metadata filter must name at least one key; use readAll to read everything');
  for (const [key, value] of entries) {
    if (!METADATA_KEY.test(key)) throw new TypeError(`metadata filter key "${key}" must be an identifier`);
    if (typeof value !== 'string') throw new TypeError(`metadata filter value of ${key} must be a string`);
  }
  return entries;
}

export function matchesMetadata(
  metadata: Readonly<Record<string, unknown>>,
  entries: ReadonlyArray<readonly [key: string, value: string]>,
): boolean {
  return entries.every(([key, value]) => metadata[key] === value);
}
