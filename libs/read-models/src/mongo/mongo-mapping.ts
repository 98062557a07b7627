/**
 * Pure translations between the read-store port and the MongoDB driver, kept apart from I/O so
 * they are tested without a server.
 */
import type { AnyBulkWriteOperation, Document, IndexDescription, UpdateFilter } from 'mongodb';
import { type Checkpoint, type IndexSpec, type SortSpec, UniqueIndexViolationError } from '../read-store.port';
import type { DocumentWrite } from '../store-rules';

/**
 * MongoDB has no insertion order to page by, so each document carries the instant it was created
 * (`CreationClock`), which a replaced document keeps; ties (two processes, one microsecond) are
 * broken by `_id`. `_ord`, the rank earlier versions drew from a counter, is stripped too until a
 * rebuild rewrites those documents.
 */
export const CREATED_FIELD = '_created';
export const WITHOUT_STORE_FIELDS = { [CREATED_FIELD]: 0, _ord: 0 } as const;

/**
 * Microseconds since the epoch, strictly increasing within a process: documents a commit creates get
 * consecutive values in commit order, with no counter document to contend on.
 */
export class CreationClock {
  private last = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(): number {
    this.last = Math.max(this.now() * 1000, this.last + 1);
    return this.last;
  }
}

export const CHECKPOINTS_COLLECTION = 'checkpoints';

/** Where a store keeps each of the port's collections (its checkpoints too) in the database. */
export interface CollectionNames {
  of(collection: string): string;
  /** Whether a collection of the database belongs to the store. */
  owns(name: string): boolean;
}

/** What marks a rebuild's scratch collection: `<collection>__rebuild_<tag>`. */
const SCRATCH_MARK = '__rebuild_';

export const isScratchName = (name: string): boolean => name.includes(SCRATCH_MARK);

/** The read models themselves: every collection but rebuilds' scratch ones. */
export const LIVE_NAMES: CollectionNames = { of: (collection) => collection, owns: (name) => !isScratchName(name) };

/** A rebuild's scratch copies of every collection, `<collection>__rebuild_<tag>`. */
export function scratchNames(tag: string): CollectionNames {
  // Read back by isScratchName: a tag must not make a name ambiguous, nor a collection name invalid.
  if (!/^[a-z0-9]{1,24}$/.test(tag)) throw new TypeError(`A rebuild tag is 1 to 24 lowercase letters and digits, not ${JSON.stringify(tag)}`);
  const suffix = `${SCRATCH_MARK}${tag}`;
  return { of: (collection) => `${collection}${suffix}`, owns: (name) => name.endsWith(suffix) };
}

/**
 * Checkpoints are read with majority read concern: after a failover, a checkpoint that only the old
 * primary had (rolled back since) must not tell a waiting write that its position is projected.
 */
export const CHECKPOINT_READ_OPTIONS = { readConcern: { level: 'majority' } } as const;

/** A read-model document as stored in MongoDB: string ids, plus its creation instant. */
export interface StoredDocument extends Document {
  _id: string;
}

export interface CheckpointDocument {
  readonly _id: string;
  readonly position: number;
  /** Commits so far; written by each, so that concurrent commits of one projection conflict. */
  readonly commits?: number;
}

const DUPLICATE_KEY_ERROR = 11000;

/**
 * Ids per `$in` list: a list is one BSON value, and 10,000 ids of up to 1 KiB stay far below the
 * 16 MiB a command may be (one list of 200,000 member ids was 17 MB).
 */
export const IN_LIST_CHUNK = 10_000;

/** `ids` in consecutive lists of at most `IN_LIST_CHUNK`, for `{_id: {$in}}` filters. */
export function inListChunks(ids: readonly string[], chunkSize = IN_LIST_CHUNK): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += chunkSize) chunks.push(ids.slice(start, start + chunkSize));
  return chunks;
}

/**
 * The declared indexes plus the creation-order index every unsorted page uses. A non-unique index
 * gets the creation order as its last keys, so a page of `{accountId: x}` in creation order is read
 * in index order instead of sorted in memory; equality lookups use it as before. Unique indexes keep
 * their declared key (the suffix would make every key unique).
 */
export function toIndexDescriptions(indexes: readonly IndexSpec[]): IndexDescription[] {
  return [
    // MongoDB's default name for this key, so an index created by hand is recognized, not duplicated.
    { name: `${CREATED_FIELD}_1__id_1`, key: new Map(CREATION_ORDER) },
    ...indexes.map((spec): IndexDescription => {
      // A Map keeps field order even for names that look like integers.
      const key = new Map<string, 1 | -1>(spec.fields.map(([field, direction]) => [field, direction]));
      if (spec.unique) return { name: spec.name, key, unique: true };
      for (const [field, direction] of CREATION_ORDER) if (!key.has(field)) key.set(field, direction);
      return { name: spec.name, key };
    }),
  ];
}

const CREATION_ORDER: readonly [string, 1][] = [
  [CREATED_FIELD, 1],
  ['_id', 1],
];

/**
 * MongoDB's inclusion projection for `FindOptions.fields`: `_id` and the fields named, which also
 * leaves out the creation instant. `_id` is named so that no field at all still projects (an empty
 * projection would return whole documents).
 */
export function toInclusionProjection(fields: readonly string[]): Record<string, 1> {
  const projection: Record<string, 1> = { _id: 1 };
  for (const field of fields) projection[field] = 1;
  return projection;
}

/** The requested order, then creation order (the embedded store's insertion order). */
export function toMongoSort(spec: SortSpec | undefined): [string, 1 | -1][] {
  return [...(spec ?? []).map(([field, direction]): [string, 1 | -1] => [field, direction]), ...CREATION_ORDER];
}

/** Documents a commit writes that keep their stored creation instant if they have one (not re-created ones). */
export function replaceableIds(writes: ReadonlyMap<string, DocumentWrite>): string[] {
  return [...writes].filter(([, write]) => write.doc !== null && !write.recreated).map(([id]) => id);
}

/**
 * Creation instants for the documents a commit writes: the stored one of a document replaced in
 * place, else the clock's next, in the commit's (creation) order.
 */
export function assignCreationOrder(writes: ReadonlyMap<string, DocumentWrite>, stored: ReadonlyMap<string, number>, clock: CreationClock): Map<string, number> {
  const created = new Map<string, number>();
  for (const [id, { doc, recreated }] of writes) {
    if (doc === null) continue;
    created.set(id, (recreated ? undefined : stored.get(id)) ?? clock.next());
  }
  return created;
}

/**
 * One collection's writes as one ordered bulk: delete every changed document, then insert the new
 * versions. Unique indexes then judge the commit's final state, not each intermediate step, so two
 * documents may swap keys in one commit (as in the embedded store); the surrounding transaction
 * hides the intermediate state from readers.
 */
export function toBulkOperations(
  writes: ReadonlyMap<string, DocumentWrite>,
  created: ReadonlyMap<string, number>,
): AnyBulkWriteOperation<StoredDocument>[] {
  if (writes.size === 0) return [];
  const operations: AnyBulkWriteOperation<StoredDocument>[] = inListChunks([...writes.keys()]).map((ids) => ({ deleteMany: { filter: { _id: { $in: ids } } } }));
  for (const [id, { doc }] of writes) {
    if (doc === null) continue;
    const instant = created.get(id);
    if (instant === undefined) throw new Error(`No creation instant assigned to document ${id}`);
    operations.push({ insertOne: { document: { ...doc, [CREATED_FIELD]: instant } } });
  }
  return operations;
}

/**
 * `$max` makes the checkpoint monotonic and the upsert safe: an older position changes nothing. The
 * `$inc` writes the document on every commit (a no-op update writes nothing), so that two
 * transactions committing one projection conflict and are serialized, never interleaved.
 */
export function checkpointUpdate(checkpoint: Checkpoint): {
  readonly filter: { readonly _id: string };
  readonly update: UpdateFilter<CheckpointDocument>;
} {
  return { filter: { _id: checkpoint.projection }, update: { $max: { position: checkpoint.position }, $inc: { commits: 1 } } };
}

/** MongoDB's duplicate-key error (E11000) as the port's error; any other error unchanged. */
export function translateMongoError(error: unknown, collection: string): unknown {
  if (!isRecord(error)) return error;
  const writeErrors = toArray(error.writeErrors).filter(isRecord);
  const duplicateWrite = writeErrors.find((writeError) => writeError.code === DUPLICATE_KEY_ERROR);
  if (error.code !== DUPLICATE_KEY_ERROR && !duplicateWrite) return error;

  const message = [duplicateWrite?.errmsg, error.errmsg, error.message].find((text) => typeof text === 'string') as
    | string
    | undefined;
  const index = message ? /index: (\S+) dup key/.exec(message)?.[1] : undefined;
  const translated = new UniqueIndexViolationError(collection, index ?? 'unknown', documentIdOf(duplicateWrite));
  translated.cause = error;
  return translated;
}

function documentIdOf(writeError: Record<string, unknown> | undefined): string | undefined {
  // For an insertOne, the driver's WriteError returns the inserted document as its operation.
  const operation = typeof writeError?.getOperation === 'function' ? (writeError.getOperation as () => unknown)() : undefined;
  return isRecord(operation) && typeof operation._id === 'string' ? operation._id : undefined;
}

function toArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
