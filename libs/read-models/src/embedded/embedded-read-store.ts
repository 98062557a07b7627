import { compileQuery } from '../query/compile-query';
import { isIndexableValue, topLevelEqualities, type IndexableValue } from '../query/equality-constraints';
import { compileSort } from '../query/sort';
import { isJsonObject, splitPath } from '../query/values';
import {
  type Checkpoint,
  type Doc,
  type DocumentChange,
  type FindOptions,
  type IndexSpec,
  type Query,
  ReadStore,
  UniqueIndexViolationError,
} from '../read-store.port';
import {
  assertValidCheckpoint,
  assertValidCollectionName,
  assertValidFindOptions,
  type DocumentWrite,
  planWrites,
} from '../store-rules';
import { HashIndex, type StoredDocument } from './hash-index';
import { type DocumentRow, SqliteDocumentFile } from './sqlite-document-file';

export interface EmbeddedReadStoreOptions {
  /** SQLite file the documents are written through to (created when missing), or ':memory:'. */
  readonly file: string | ':memory:';
}

class CollectionState {
  /** Map order is insertion order: a replaced document keeps its entry, hence its place. */
  readonly documents = new Map<string, StoredDocument>();
  readonly indexes = new Map<string, HashIndex>();
}

interface PlannedUpsert {
  readonly row: DocumentRow;
  readonly doc: Doc;
  /** The stored version this one replaces in place (not when the commit deleted and re-created it). */
  readonly replaced: StoredDocument | undefined;
}

/**
 * The in-process read store: every document in memory (a Map per collection, equality indexes as
 * hash maps), written through to a SQLite file and loaded back from it on open.
 *
 * Documents are deep-frozen when committed and returned as they are stored, never copied: reads
 * cost nothing per document, and a caller that tries to modify one gets a TypeError (strict mode)
 * instead of corrupting the store. Documents are normalized through JSON on commit, so the
 * in-memory copy is exactly what a reopened file yields.
 */
export class EmbeddedReadStore extends ReadStore {
  private readonly collections = new Map<string, CollectionState>();
  private readonly checkpoints: Map<string, number>;
  private nextOrd = 1;
  private closed = false;

  /** Opens (creating when needed) the store and loads the whole file into memory. */
  static open(options: EmbeddedReadStoreOptions): EmbeddedReadStore {
    const file = SqliteDocumentFile.open(options.file);
    try {
      return new EmbeddedReadStore(file);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  private constructor(private readonly file: SqliteDocumentFile) {
    super();
    this.checkpoints = file.checkpoints();
    for (const row of file.documents()) {
      const stored: StoredDocument = { id: row.id, ord: row.ord, doc: deepFreeze(JSON.parse(row.body) as Doc) };
      this.collectionState(row.collection).documents.set(row.id, stored);
      this.nextOrd = Math.max(this.nextOrd, row.ord + 1);
    }
    for (const { collection, spec } of file.indexes()) {
      this.collectionState(collection).indexes.set(spec.name, this.buildIndex(collection, spec));
    }
  }

  override async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.assertOpen();
    assertValidCollectionName(collection);
    const state = this.collectionState(collection);
    const built = new Map<string, HashIndex>();
    for (const requested of indexes) {
      const spec = normalizeIndexSpec(requested);
      const existing = state.indexes.get(spec.name)?.spec ?? built.get(spec.name)?.spec;
      if (existing) {
        if (!sameIndexSpec(existing, spec)) {
          throw new Error(`Index ${spec.name} on ${collection} already exists with a different definition`);
        }
        continue;
      }
      built.set(spec.name, this.buildIndex(collection, spec));
    }
    if (built.size === 0) return;
    const added = [...built.values()];
    this.file.saveIndexes(collection, added.map((index) => index.spec));
    for (const index of added) state.indexes.set(index.spec.name, index);
  }

  override async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    this.assertOpen();
    return (this.collections.get(collection)?.documents.get(id)?.doc as T | undefined) ?? null;
  }

  override async findOne<T extends Doc>(collection: string, query: Query): Promise<T | null> {
    const [first] = await this.find<T>(collection, query, { limit: 1 });
    return first ?? null;
  }

  override async find<T extends Doc>(collection: string, query: Query, options: FindOptions = {}): Promise<T[]> {
    this.assertOpen();
    const matches = compileQuery(query);
    assertValidFindOptions(options);
    const sort = options.sort ? compileSort(options.sort) : undefined;
    const skip = options.skip ?? 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const state = this.collections.get(collection);
    if (!state || limit === 0) return [];
    const { candidates, exact } = this.plan(state, query);

    if (!sort) {
      // An exact index key holds the matches themselves, in insertion order: the page is a slice.
      if (exact) return exact.slice(skip, skip + limit).map(({ doc }) => doc) as T[];
      // Candidates come in insertion order: page while scanning, stop at the page's end.
      const page: Doc[] = [];
      let toSkip = skip;
      for (const { doc } of candidates) {
        if (!matches(doc)) continue;
        if (toSkip > 0) {
          toSkip--;
          continue;
        }
        page.push(doc);
        if (page.length >= limit) break;
      }
      return page as T[];
    }

    const keyed: { doc: Doc; keys: unknown[] }[] = [];
    for (const { doc } of candidates) {
      if (exact || matches(doc)) keyed.push({ doc, keys: sort.keysOf(doc) });
    }
    // Array.prototype.sort is stable: ties stay in insertion order, as MongoDB's adapter does with _ord.
    keyed.sort((a, b) => sort.compareKeys(a.keys, b.keys));
    return keyed.slice(skip, skip + limit).map(({ doc }) => doc) as T[];
  }

  override async count(collection: string, query: Query): Promise<number> {
    this.assertOpen();
    const matches = compileQuery(query);
    const state = this.collections.get(collection);
    if (!state) return 0;
    const { candidates, exact } = this.plan(state, query);
    if (exact) return exact.length;
    let count = 0;
    for (const { doc } of candidates) if (matches(doc)) count++;
    return count;
  }

  override async commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void> {
    this.assertOpen();
    assertValidCheckpoint(checkpoint);
    const writesByCollection = planWrites(changes);

    // Everything that can fail (serialization, unique indexes, the SQLite transaction) happens
    // before memory changes, so a rejected commit leaves the store as it was.
    let nextOrd = this.nextOrd;
    const upserts: PlannedUpsert[] = [];
    const deletions: { readonly collection: string; readonly stored: StoredDocument }[] = [];
    for (const [collection, writes] of writesByCollection) {
      const state = this.collections.get(collection);
      const newDocs = new Map<string, Doc>();
      for (const [id, { doc, recreated }] of writes) {
        const existing = state?.documents.get(id);
        if (doc === null) {
          if (existing) deletions.push({ collection, stored: existing });
          continue;
        }
        if (existing && recreated) deletions.push({ collection, stored: existing });
        const replaced = recreated ? undefined : existing;
        const body = JSON.stringify(doc);
        const stored = deepFreeze(JSON.parse(body) as Doc);
        newDocs.set(id, stored);
        upserts.push({ row: { collection, id, ord: replaced?.ord ?? nextOrd++, body }, doc: stored, replaced });
      }
      if (state) assertUniqueKeysAvailable(collection, state, writes, newDocs);
    }
    // Rows are addressed by rank; deletions first: a re-created document is deleted, then inserted anew.
    this.file.commit(
      deletions.map(({ stored }) => stored.ord),
      upserts.filter(({ replaced }) => replaced).map(({ row }) => ({ ord: row.ord, body: row.body })),
      upserts.filter(({ replaced }) => !replaced).map(({ row }) => row),
      checkpoint,
    );

    this.nextOrd = nextOrd;
    for (const { collection, stored } of deletions) {
      const state = this.collectionState(collection);
      state.documents.delete(stored.id);
      for (const index of state.indexes.values()) index.remove(stored, stored.doc);
    }
    for (const { row, doc, replaced } of upserts) {
      const state = this.collectionState(row.collection);
      if (replaced) {
        const before = replaced.doc;
        replaced.doc = doc;
        for (const index of state.indexes.values()) index.replace(replaced, before, doc);
      } else {
        const stored: StoredDocument = { id: row.id, ord: row.ord, doc };
        state.documents.set(row.id, stored);
        for (const index of state.indexes.values()) index.add(stored);
      }
    }
    const previous = this.checkpoints.get(checkpoint.projection) ?? 0;
    this.checkpoints.set(checkpoint.projection, Math.max(previous, checkpoint.position));
  }

  override async checkpoint(projection: string): Promise<number> {
    this.assertOpen();
    return this.checkpoints.get(projection) ?? 0;
  }

  override async clear(): Promise<void> {
    this.assertOpen();
    this.file.clear();
    for (const state of this.collections.values()) {
      state.documents.clear();
      for (const index of state.indexes.values()) index.clear();
    }
    this.checkpoints.clear();
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }

  /**
   * The documents a query can match, in insertion order: one document for `_id` equality, else
   * the documents under the smallest key among the indexes whose fields the query pins by
   * equality (the most selective index for these values, not merely the widest), else the whole
   * collection. `exact` (the same documents) when the query is nothing but the equalities that
   * key stands for: then every candidate matches and none needs to be looked at.
   */
  private plan(
    state: CollectionState,
    query: Query,
  ): { candidates: Iterable<StoredDocument>; exact?: readonly StoredDocument[] } {
    const byId = documentsById(state, query);
    if (byId) return { candidates: byId };
    const all = () => ({ candidates: state.documents.values() });
    if (state.indexes.size === 0) return all();
    const equalities = topLevelEqualities(query);
    if (equalities.size === 0) return all();
    let best: { index: HashIndex; documents: readonly StoredDocument[] } | undefined;
    for (const index of state.indexes.values()) {
      if (!index.fields.every((field) => equalities.has(field))) continue;
      const values = index.fields.map((field) => equalities.get(field) as IndexableValue);
      const documents = index.documentsWithKey(index.keyFor(values));
      // Among equally small keys, the index covering more of the query leaves less to check.
      if (
        !best ||
        documents.length < best.documents.length ||
        (documents.length === best.documents.length && index.fields.length > best.index.fields.length)
      ) {
        best = { index, documents };
      }
    }
    if (!best) return all();
    return { candidates: best.documents, exact: isExactlyEqualities(query, best.index.fields) ? best.documents : undefined };
  }

  private buildIndex(collection: string, spec: IndexSpec): HashIndex {
    const index = new HashIndex(spec);
    const state = this.collections.get(collection);
    if (!state) return index;
    for (const stored of state.documents.values()) {
      if (spec.unique) {
        for (const key of index.keysOf(stored.doc)) {
          if (index.documentsWithKey(key).length > 0) {
            throw new UniqueIndexViolationError(collection, spec.name, stored.id);
          }
        }
      }
      index.add(stored);
    }
    return index;
  }

  private collectionState(collection: string): CollectionState {
    let state = this.collections.get(collection);
    if (!state) this.collections.set(collection, (state = new CollectionState()));
    return state;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EmbeddedReadStore is closed');
  }
}

/** `{_id: 'x'}`, `{_id: {$eq: 'x'}}` or `{_id: {$in: [...]}}`: the primary map answers directly. */
function documentsById(state: CollectionState, query: Query): StoredDocument[] | undefined {
  const condition = query._id;
  let ids: readonly unknown[];
  const onlyOperator = isJsonObject(condition) && Object.keys(condition).length === 1 ? condition : undefined;
  if (typeof condition === 'string') {
    ids = [condition];
  } else if (typeof onlyOperator?.$eq === 'string') {
    ids = [onlyOperator.$eq];
  } else if (Array.isArray(onlyOperator?.$in) && onlyOperator.$in.every((id) => typeof id === 'string')) {
    ids = onlyOperator.$in;
  } else {
    return undefined;
  }
  const found: StoredDocument[] = [];
  for (const id of new Set(ids)) {
    const stored = state.documents.get(id as string);
    if (stored) found.push(stored);
  }
  return found.length > 1 ? found.sort((a, b) => a.ord - b.ord) : found;
}

/**
 * The query is `{f1: v1, …}` (or `{f1: {$eq: v1}, …}`) over exactly these fields with string or
 * number values: an equality index on them holds precisely the matching documents (MongoDB
 * equality on an array matches any element, and the index keys each element).
 */
function isExactlyEqualities(query: Query, fields: readonly string[]): boolean {
  const keys = Object.keys(query);
  if (keys.length !== fields.length) return false;
  return keys.every((key) => {
    if (!fields.includes(key)) return false;
    const condition = query[key];
    if (isIndexableValue(condition)) return true;
    return isJsonObject(condition) && Object.keys(condition).length === 1 && isIndexableValue(condition.$eq);
  });
}

/**
 * Checks a commit against the collection's unique indexes as if all its writes were applied at
 * once: a key is free when no document outside this commit holds it and no other document of
 * the commit takes it (so two documents may swap keys in one commit).
 */
function assertUniqueKeysAvailable(
  collection: string,
  state: CollectionState,
  writes: ReadonlyMap<string, DocumentWrite>,
  newDocs: ReadonlyMap<string, Doc>,
): void {
  for (const index of state.indexes.values()) {
    if (!index.spec.unique) continue;
    const claimedBy = new Map<string, string>();
    for (const [id, doc] of newDocs) {
      for (const key of index.keysOf(doc)) {
        const claimant = claimedBy.get(key);
        if (claimant !== undefined && claimant !== id) throw new UniqueIndexViolationError(collection, index.spec.name, id);
        claimedBy.set(key, id);
        for (const holder of index.documentsWithKey(key)) {
          if (!writes.has(holder.id)) throw new UniqueIndexViolationError(collection, index.spec.name, id);
        }
      }
    }
  }
}

function normalizeIndexSpec(spec: IndexSpec): IndexSpec {
  if (typeof spec?.name !== 'string' || spec.name.length === 0) throw new TypeError('An index needs a name');
  if (!Array.isArray(spec.fields) || spec.fields.length === 0) {
    throw new TypeError(`Index ${spec.name} needs at least one field`);
  }
  const fields = spec.fields.map(([field, direction]) => {
    splitPath(field);
    if (direction !== 1 && direction !== -1) throw new TypeError(`Index ${spec.name}: direction of ${field} must be 1 or -1`);
    return [field, direction] as const;
  });
  return { name: spec.name, fields, unique: spec.unique === true };
}

function sameIndexSpec(a: IndexSpec, b: IndexSpec): boolean {
  return (
    (a.unique === true) === (b.unique === true) &&
    a.fields.length === b.fields.length &&
    a.fields.every(([field, direction], i) => field === b.fields[i][0] && direction === b.fields[i][1])
  );
}

// Walks without allocating (no Object.values array per object): it runs for every document loaded.
// Documents are JSON.parse results: plain objects and arrays, no inherited enumerable property.
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) deepFreeze(value[index]);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) deepFreeze(record[key]);
  }
  return Object.freeze(value);
}
