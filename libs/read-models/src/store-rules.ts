/**
 * Rules of the port that every adapter applies the same way, so the embedded store and MongoDB
 * accept and reject the same calls.
 */
import { splitPath } from './query/sql-query';
import { type Checkpoint, CheckpointMovedError, type Doc, type DocumentChange, type FindOptions, type IndexSpec } from './read-store.port';

/**
 * Collections the MongoDB adapter keeps its own state in; no read model may use these names
 * (`read_store_counters` held the insertion counter of earlier versions, and may still be there).
 */
export const RESERVED_COLLECTIONS: ReadonlySet<string> = new Set(['checkpoints', 'read_store_counters']);

/**
 * Top-level fields an adapter keeps for itself (MongoDB's creation instant; `_ord`, the insertion
 * rank of earlier versions, until a rebuild rewrites their documents); documents may not use them.
 */
export const RESERVED_FIELDS: readonly string[] = ['_created', '_ord'];

export function assertValidCollectionName(collection: string): void {
  if (typeof collection !== 'string' || collection.length === 0 || collection.length > 120) {
    throw new TypeError('A collection name must be a non-empty string of at most 120 characters');
  }
  if (collection.includes('$') || collection.includes('\0') || collection.startsWith('system.')) {
    throw new TypeError(`Invalid collection name "${collection}"`);
  }
  if (RESERVED_COLLECTIONS.has(collection)) {
    throw new TypeError(`Collection name "${collection}" is reserved by the read store`);
  }
}

export function assertValidCheckpoint(checkpoint: Checkpoint): void {
  if (typeof checkpoint?.projection !== 'string' || checkpoint.projection.length === 0) {
    throw new TypeError('A checkpoint needs a projection name');
  }
  if (!Number.isFinite(checkpoint.position) || checkpoint.position < 0) {
    throw new RangeError(`Checkpoint position of ${checkpoint.projection} must be a non-negative number`);
  }
  if (checkpoint.after !== undefined && (!Number.isFinite(checkpoint.after) || checkpoint.after < 0)) {
    throw new RangeError(`The checkpoint ${checkpoint.projection} follows must be a non-negative number`);
  }
}

/** Throws `CheckpointMovedError` when a commit computed `after` a checkpoint finds it moved past (`stored`). */
export function assertCheckpointNotMoved(checkpoint: Checkpoint, stored: number): void {
  if (checkpoint.after !== undefined && stored > checkpoint.after) {
    throw new CheckpointMovedError(checkpoint.projection, checkpoint.after, stored);
  }
}

export function assertValidFindOptions(options: FindOptions): void {
  for (const [name, value] of [['skip', options.skip], ['limit', options.limit]] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (options.fields !== undefined) assertTopLevelFields(options.fields);
}

/** Names of top-level fields (`FindOptions.fields`, `ensureStoredApart`): no path, operator or reserved field. */
export function assertTopLevelFields(fields: readonly string[]): void {
  if (!Array.isArray(fields)) throw new TypeError('Fields must be an array of top-level field names');
  for (const field of fields) {
    if (typeof field !== 'string' || field.length === 0 || field.includes('.') || field.startsWith('$') || field.includes('\0')) {
      throw new TypeError(`"${String(field)}" is not the name of a top-level field`);
    }
    if (RESERVED_FIELDS.includes(field)) throw new TypeError(`${field} is reserved by the read store`);
  }
}

/** What a commit does to one document, the changes to it taken in order. */
export interface DocumentWrite {
  /** The last change: the new document, or null to delete it. */
  readonly doc: Doc | null;
  /**
   * A deletion precedes the final version within the commit: the document is new even if it
   * existed before, so it takes a new place in insertion order.
   */
  readonly recreated: boolean;
}

/**
 * The writes of one commit, grouped by collection, with the effect of applying the changes in order:
 * the last change to a document wins, and documents the commit creates are listed in the order of
 * the change that created them, which is the insertion order they get. Replaced documents keep their
 * place whatever their position in the list. Rejects a document whose `_id` is not its change's id.
 */
export function planWrites(changes: readonly DocumentChange[]): Map<string, Map<string, DocumentWrite>> {
  const planned = new Map<string, Map<string, DocumentWrite & { readonly createdAt: number }>>();
  changes.forEach(({ collection, id, doc }, index) => {
    assertValidChange(collection, id, doc);
    let writes = planned.get(collection);
    if (!writes) planned.set(collection, (writes = new Map()));
    const previous = writes.get(id);
    const startsNewVersion = previous === undefined || previous.doc === null;
    writes.set(id, {
      doc,
      recreated: (previous?.recreated ?? false) || previous?.doc === null,
      createdAt: startsNewVersion ? index : previous.createdAt,
    });
  });
  const byCollection = new Map<string, Map<string, DocumentWrite>>();
  for (const [collection, writes] of planned) {
    const ordered = [...writes].sort(([, a], [, b]) => a.createdAt - b.createdAt);
    byCollection.set(collection, new Map(ordered.map(([id, { doc, recreated }]) => [id, { doc, recreated }])));
  }
  return byCollection;
}

function assertValidChange(collection: string, id: string, doc: Doc | null): void {
  assertValidCollectionName(collection);
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError(`A change to ${collection} needs a non-empty string id`);
  }
  if (doc === null) return;
  if (typeof doc !== 'object' || Array.isArray(doc) || doc._id !== id) {
    throw new TypeError(`The document for ${collection}/${id} must be an object whose _id is "${id}"`);
  }
  const reserved = RESERVED_FIELDS.find((field) => Object.hasOwn(doc, field));
  if (reserved !== undefined) {
    throw new TypeError(`The document for ${collection}/${id} uses the reserved field ${reserved}`);
  }
}

/** An index with a name, at least one field path and directions of 1 or -1, `unique` as a boolean. */
export function normalizeIndexSpec(spec: IndexSpec): IndexSpec {
  if (typeof spec?.name !== 'string' || spec.name.length === 0) throw new TypeError('An index needs a name');
  if (!Array.isArray(spec.fields) || spec.fields.length === 0) throw new TypeError(`Index ${spec.name} needs at least one field`);
  const fields = spec.fields.map(([field, direction]) => {
    splitPath(field);
    if (direction !== 1 && direction !== -1) throw new TypeError(`Index ${spec.name}: direction of ${field} must be 1 or -1`);
    return [field, direction] as const;
  });
  return { name: spec.name, fields, unique: spec.unique === true };
}
