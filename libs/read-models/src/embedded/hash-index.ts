import type { IndexableValue } from '../query/equality-constraints';
import { splitPath, valuesAtPath } from '../query/values';
import type { Doc, IndexSpec } from '../read-store.port';

const NO_DOCUMENTS: readonly number[] = Object.freeze([]);
/** Buckets up to this size drop a rank at once; larger ones collect removals (see `removed`). */
const SPLICE_LIMIT = 1024;

/**
 * Equality index over one or more fields. Each key lists its documents by rank (of first insertion,
 * which a replaced document keeps), so an indexed query pages in insertion order without sorting
 * and without touching documents outside its key. Ranks are small integers: a key's list is a
 * packed array, a few bytes per document; a key of one document (a userName, a membership) holds
 * its rank alone, without the ~60 bytes of an array, which 100,000 such keys would cost in 6 MB.
 *
 * Keys follow MongoDB: an array value is indexed under each of its elements, a missing field under
 * null (so a unique index admits one document without the field, as in MongoDB).
 */
export class HashIndex {
  readonly fields: readonly string[];
  private readonly paths: readonly (readonly string[])[];
  /** Ranks by key, ascending: one rank alone, or an array of two or more. */
  private readonly buckets = new Map<string, number | number[]>();
  /**
   * Ranks removed from a large bucket and not yet dropped from it. Splicing a rank out is O(n):
   * 10,000 users granted a role left one 90,000-rank bucket (those without roles) one at a time,
   * ~0.5 s of moving ranks. They are dropped all at once, when there are many or the bucket is read.
   */
  private readonly removed = new Map<string, Set<number>>();

  constructor(readonly spec: IndexSpec) {
    this.fields = spec.fields.map(([field]) => field);
    this.paths = this.fields.map(splitPath);
  }

  /** Every key the document is indexed under, without duplicates. */
  keysOf(doc: Doc): string[] {
    // Every document a commit writes is keyed in each index of its collection: most have one value,
    // not an array, at each field, hence one key, built without the arrays of the general case.
    let key = '';
    for (const path of this.paths) {
      const value = singleValueAtPath(doc, path);
      if (value === SEVERAL_VALUES) return this.keysOfEveryValue(doc);
      key += keyComponent(value);
    }
    return [key];
  }

  private keysOfEveryValue(doc: Doc): string[] {
    let keys = fieldKeyComponents(doc, this.paths[0]);
    for (let field = 1; field < this.paths.length; field++) {
      const components = fieldKeyComponents(doc, this.paths[field]);
      keys =
        components.length === 1
          ? keys.map((key) => key + components[0])
          : keys.flatMap((key) => components.map((component) => key + component));
    }
    return keys;
  }

  /** The key of documents whose fields (in index order) equal these values. */
  keyFor(values: readonly IndexableValue[]): string {
    return values.map(keyComponent).join('');
  }

  /** Ranks of the documents under `key`, ascending. */
  documentsWithKey(key: string): readonly number[] {
    if (this.removed.has(key)) this.dropRemoved(key);
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return NO_DOCUMENTS;
    return typeof bucket === 'number' ? [bucket] : bucket;
  }

  /** Files the document under `keys` (its `keysOf`, computed now or when it was written). */
  add(ord: number, keys: readonly string[]): void {
    for (const key of keys) this.insertIntoBucket(key, ord);
  }

  remove(ord: number, keys: readonly string[]): void {
    for (const key of keys) this.removeFromBucket(key, ord);
  }

  /** Moves a replaced document between keys; keys it keeps are untouched. */
  replace(ord: number, keysBefore: readonly string[], keysAfter: readonly string[]): void {
    if (keysBefore.length === 1 && keysAfter.length === 1 && keysBefore[0] === keysAfter[0]) return;
    const kept = new Set(keysAfter);
    for (const key of keysBefore) if (!kept.has(key)) this.removeFromBucket(key, ord);
    const previous = new Set(keysBefore);
    for (const key of keysAfter) if (!previous.has(key)) this.insertIntoBucket(key, ord);
  }

  clear(): void {
    this.buckets.clear();
    this.removed.clear();
  }

  private insertIntoBucket(key: string, ord: number): void {
    // Back before its removal was applied: it never left its place.
    if (this.removed.get(key)?.delete(ord)) return;
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.buckets.set(key, ord);
    } else if (typeof bucket === 'number') {
      // A literal of two: pushing onto [bucket] would reserve room for 17.
      if (bucket !== ord) this.buckets.set(key, bucket < ord ? [bucket, ord] : [ord, bucket]);
    } else if (bucket[bucket.length - 1] < ord) {
      bucket.push(ord); // the usual case: a new document is the newest
    } else {
      const position = positionOf(bucket, ord);
      if (bucket[position] !== ord) bucket.splice(position, 0, ord);
    }
  }

  private removeFromBucket(key: string, ord: number): void {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return;
    if (typeof bucket === 'number') {
      if (bucket === ord) this.buckets.delete(key);
      return;
    }
    const position = positionOf(bucket, ord);
    if (bucket[position] !== ord) return;
    if (bucket.length <= SPLICE_LIMIT) {
      bucket.splice(position, 1);
      if (bucket.length === 1) this.buckets.set(key, bucket[0]);
      return;
    }
    const removed = this.removed.get(key) ?? new Set<number>();
    this.removed.set(key, removed.add(ord));
    if (removed.size * 8 > bucket.length) this.dropRemoved(key);
  }

  /** One pass over the bucket: O(1) per removal, amortised. */
  private dropRemoved(key: string): void {
    const removed = this.removed.get(key);
    const bucket = this.buckets.get(key);
    this.removed.delete(key);
    if (!removed || !Array.isArray(bucket)) return;
    const kept = bucket.filter((ord) => !removed.has(ord));
    if (kept.length === 0) this.buckets.delete(key);
    else this.buckets.set(key, kept.length === 1 ? kept[0] : kept);
  }
}

/** First position whose ord is >= `ord` (binary search; buckets are sorted by ord). */
export function positionOf(bucket: readonly number[], ord: number): number {
  let low = 0;
  let high = bucket.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (bucket[middle] < ord) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether a bucket (or any list of ranks sorted the same way) holds `ord`. */
export function includesRank(bucket: readonly number[], ord: number): boolean {
  return bucket[positionOf(bucket, ord)] === ord;
}

const SEVERAL_VALUES = Symbol('several values');

/**
 * The value `valuesAtPath` finds alone (undefined when the path stops short of it), or
 * SEVERAL_VALUES when the path meets an array, which may hold several.
 */
function singleValueAtPath(doc: Doc, path: readonly string[]): unknown {
  let value: unknown = doc;
  for (const segment of path) {
    if (Array.isArray(value)) return SEVERAL_VALUES;
    if (typeof value !== 'object' || value === null) return undefined;
    value = Object.hasOwn(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
  }
  return Array.isArray(value) ? SEVERAL_VALUES : value;
}

function fieldKeyComponents(doc: Doc, path: readonly string[]): string[] {
  const values = valuesAtPath(doc, path);
  // Most fields hold one value that is not an array: nothing to deduplicate (every document written is keyed).
  if (values.length === 1 && !Array.isArray(values[0])) return [keyComponent(values[0])];
  const components = new Set<string>();
  for (const value of values) {
    if (!Array.isArray(value)) components.add(keyComponent(value));
    else if (value.length === 0) components.add(EMPTY_ARRAY_COMPONENT);
    else for (const element of value) components.add(keyComponent(element));
  }
  return [...components];
}

// MongoDB indexes an empty array as undefined: distinct from null, equal to other empty arrays.
const EMPTY_ARRAY_COMPONENT = 'e';

/**
 * Self-delimiting encoding of one key component: compound keys are concatenations, so strings and
 * JSON carry their length and numbers a terminator. The same number in any notation (1, 1.0, -0/0)
 * gets one encoding, as MongoDB compares numbers by value.
 */
function keyComponent(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`;
    case 'number':
      return `n${value === 0 ? 0 : value};`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'z';
    default: {
      if (value === null) return 'z';
      const json = JSON.stringify(value);
      return `j${json.length}:${json}`;
    }
  }
}
