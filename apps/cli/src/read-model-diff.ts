import { isDeepStrictEqual } from 'node:util';
import type { Doc } from '@scim/read-models';

/** One way the live read model differs from the rebuilt one. */
export interface ReadModelDifference {
  readonly collection: string;
  readonly id?: string;
  readonly kind: 'only-in-live' | 'missing-from-live' | 'fields-differ' | 'order-differs' | 'checkpoint-behind';
  readonly detail: string;
}

const MAX_VALUE_LENGTH = 160;

/**
 * Compares a collection document by document, leaving out the fields a store or runner keeps for
 * itself (`ignoredFields`) and the documents in `skip` (changed by events after the compared
 * position). Also compares the order of the documents both hold: the insertion order is what a
 * list without sortBy pages through.
 */
export function diffCollection(
  collection: string,
  live: readonly Doc[],
  rebuilt: readonly Doc[],
  ignoredFields: readonly string[],
  skip: ReadonlySet<string> = new Set(),
): ReadModelDifference[] {
  const differences: ReadModelDifference[] = [];
  const compared = (doc: Doc) => !skip.has(doc._id);
  const liveById = new Map(live.filter(compared).map((doc) => [doc._id, doc]));
  const rebuiltById = new Map(rebuilt.filter(compared).map((doc) => [doc._id, doc]));
  for (const [id, doc] of liveById) {
    const other = rebuiltById.get(id);
    if (!other) {
      differences.push({ collection, id, kind: 'only-in-live', detail: 'in the live read model, but no event creates it' });
      continue;
    }
    const fields = differingPaths(withoutFields(doc, ignoredFields), withoutFields(other, ignoredFields));
    if (fields.length > 0) {
      differences.push({
        collection,
        id,
        kind: 'fields-differ',
        detail: fields.map(({ path, live: a, rebuilt: b }) => `${path}: live ${show(a)}, rebuilt ${show(b)}`).join('; '),
      });
    }
  }
  for (const id of rebuiltById.keys()) {
    if (!liveById.has(id)) differences.push({ collection, id, kind: 'missing-from-live', detail: 'the events create it, the live read model lacks it' });
  }
  const liveOrder = [...liveById.keys()].filter((id) => rebuiltById.has(id));
  const rebuiltOrder = [...rebuiltById.keys()].filter((id) => liveById.has(id));
  const firstMismatch = liveOrder.findIndex((id, index) => id !== rebuiltOrder[index]);
  if (firstMismatch >= 0) {
    differences.push({
      collection,
      kind: 'order-differs',
      detail: `document #${firstMismatch + 1} in insertion order is ${liveOrder[firstMismatch]} live, ${rebuiltOrder[firstMismatch]} rebuilt`,
    });
  }
  return differences;
}

interface PathDifference {
  readonly path: string;
  readonly live: unknown;
  readonly rebuilt: unknown;
}

/** Paths (dotted) where two JSON values differ, descending into objects; arrays compare whole. */
export function differingPaths(live: unknown, rebuilt: unknown, path = ''): PathDifference[] {
  if (isDeepStrictEqual(live, rebuilt)) return [];
  if (!isPlainObject(live) || !isPlainObject(rebuilt)) return [{ path: path || '(document)', live, rebuilt }];
  const keys = [...new Set([...Object.keys(live), ...Object.keys(rebuilt)])].sort();
  return keys.flatMap((key) => differingPaths(ownValue(live, key), ownValue(rebuilt, key), path ? `${path}.${key}` : key));
}

/** Keys are stored data (role names such as "constructor"): never read what Object.prototype holds. */
function ownValue(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function withoutFields(doc: Doc, fields: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...doc };
  for (const field of fields) delete copy[field];
  return copy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = value === undefined ? '(absent)' : JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
}
