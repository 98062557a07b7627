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
import { RecentDocuments } from './recent-documents';
import { type DocumentRow, type IndexKeys, SqliteDocumentFile } from './sqlite-document-file';

export interface EmbeddedReadStoreOptions {
  /** SQLite file the documents are written through to (created when missing), or ':memory:'. */
  readonly file: string | ':memory:';
  /** Parsed documents kept in memory, the most recently read (default 5,000). */
  readonly cachedDocuments?: number;
}

const DEFAULT_CACHED_DOCUMENTS = 5_000;

class CollectionState {
  /** Map order is insertion order: a replaced document keeps its entry, hence its place. */
  readonly documents = new Map<string, StoredDocument>();
  /** Every index of the collection; its keys are read from the file when a query first needs it. */
  readonly indexes = new Map<string, HashIndex>();
  /** The indexes whose keys are in memory (and kept up to date by commits from then on). */
  readonly loaded = new Set<HashIndex>();

  /** The document's keys in every index of this collection. */
  indexKeysOf(doc: Doc): IndexKeys {
    const keys: Record<string, readonly string[]> = {};
    for (const [name, index] of this.indexes) keys[name] = index.keysOf(doc);
    return keys;
  }
}

interface PlannedUpsert {
  readonly row: DocumentRow;
  /** The stored version this one replaces in place (not when the commit deleted and re-created it). */
  readonly replaced: StoredDocument | undefined;
}

/**
 * The in-process read store: ids, insertion ranks and equality indexes (hash maps) in memory,
 * documents in a SQLite file, read from it when a query returns them (the most recently read also
 * kept parsed). Opening a file reads ids and ranks only; an index's keys, stored with each
 * document, are read when a query first needs that index. So memory grows with the number of
 * documents, not with their size, and a start does not parse the collections.
 *
 * Documents are returned deep-frozen and shared between callers: a caller that tries to modify
 * one gets a TypeError (strict mode) instead of corrupting the store. What is read back is the
 * JSON text the commit wrote, so a document reads the same before and after a reopen.
 */
export class EmbeddedReadStore extends ReadStore {
  private readonly collections = new Map<string, CollectionState>();
  private readonly checkpoints: Map<string, number>;
  private readonly recent: RecentDocuments;
  private nextOrd = 1;
  private closed = false;

  /** Opens (creating when needed) the store and loads ids and index keys into memory. */
  static open(options: EmbeddedReadStoreOptions): EmbeddedReadStore {
    const file = SqliteDocumentFile.open(options.file);
    try {
      return new EmbeddedReadStore(file, new RecentDocuments(options.cachedDocuments ?? DEFAULT_CACHED_DOCUMENTS));
    } catch (error) {
      file.close();
      throw error;
    }
  }

  private constructor(
    private readonly file: SqliteDocumentFile,
    recent: RecentDocuments,
  ) {
    super();
    this.recent = recent;
    this.checkpoints = file.checkpoints();
    for (const { collection, spec } of file.indexes()) this.collectionState(collection).indexes.set(spec.name, new HashIndex(spec));
    for (const { collection, id, ord } of file.documents()) {
      this.collectionState(collection).documents.set(id, { id, ord });
      this.nextOrd = Math.max(this.nextOrd, ord + 1);
    }
    // Rows moved from an older layout get their keys from their bodies, once.
    const backfilled = file.entriesWithoutIndexKeys().map(({ collection, id, ord }) => ({
      ord,
      indexKeys: this.collectionState(collection).indexKeysOf(this.parse({ id, ord })),
    }));
    if (backfilled.length > 0) file.saveIndexKeys(backfilled);
  }

  override async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.assertOpen();
    assertValidCollectionName(collection);
    const state = this.collectionState(collection);
    const added = new Map<string, HashIndex>();
    for (const requested of indexes) {
      const spec = normalizeIndexSpec(requested);
      const existing = state.indexes.get(spec.name)?.spec ?? added.get(spec.name)?.spec;
      if (existing) {
        if (!sameIndexSpec(existing, spec)) {
          throw new Error(`Index ${spec.name} on ${collection} already exists with a different definition`);
        }
        continue;
      }
      added.set(spec.name, new HashIndex(spec));
    }
    if (added.size === 0) return;
    // Every document's keys, in the old indexes and the new ones, saved with the index definitions.
    const all = new CollectionState();
    for (const [name, index] of [...state.indexes, ...added]) all.indexes.set(name, index);
    const keys = [...state.documents.values()].map((stored) => {
      const indexKeys = all.indexKeysOf(this.parse(stored));
      for (const [name, index] of added) addChecked(collection, index, stored, indexKeys[name]);
      return { ord: stored.ord, indexKeys };
    });
    this.file.saveIndexes(
      collection,
      [...added.values()].map((index) => index.spec),
      keys,
    );
    for (const [name, index] of added) {
      state.indexes.set(name, index);
      state.loaded.add(index);
    }
  }

  override async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    this.assertOpen();
    const stored = this.collections.get(collection)?.documents.get(id);
    return stored ? (this.documentOf(stored) as T) : null;
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
    const { candidates, exact } = this.plan(collection, state, query);

    if (!sort) {
      // An exact index key holds the matches themselves, in insertion order: the page is a slice.
      if (exact) return exact.slice(skip, skip + limit).map((stored) => this.documentOf(stored)) as T[];
      // Candidates come in insertion order: page while scanning, stop at the page's end.
      const page: Doc[] = [];
      let toSkip = skip;
      for (const stored of candidates) {
        const doc = this.scanned(stored);
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
    for (const stored of candidates) {
      const doc = this.scanned(stored);
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
    const { candidates, exact } = this.plan(collection, state, query);
    if (exact) return exact.length;
    let count = 0;
    for (const stored of candidates) if (matches(this.scanned(stored))) count++;
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
      const newKeys = new Map<string, IndexKeys>();
      for (const [id, { doc, recreated }] of writes) {
        const existing = state?.documents.get(id);
        if (doc === null) {
          if (existing) deletions.push({ collection, stored: existing });
          continue;
        }
        if (existing && recreated) deletions.push({ collection, stored: existing });
        const replaced = recreated ? undefined : existing;
        const body = JSON.stringify(doc);
        // Keyed from the document as given, not from its JSON text parsed back: the same for the
        // JSON values the port admits, and a rebuild does not parse each document it writes.
        const indexKeys = state ? state.indexKeysOf(doc) : {};
        newKeys.set(id, indexKeys);
        upserts.push({ row: { collection, id, ord: replaced?.ord ?? nextOrd++, body, indexKeys }, replaced });
      }
      if (state) {
        for (const index of state.indexes.values()) if (index.spec.unique) this.load(collection, state, index);
        assertUniqueKeysAvailable(collection, state, writes, newKeys);
      }
    }
    // The keys the replaced and deleted versions are filed under in loaded indexes, read before the file changes.
    const previousKeys = new Map<number, IndexKeys>();
    const filedUnder = (collection: string, stored: StoredDocument) => {
      if ((this.collections.get(collection)?.loaded.size ?? 0) > 0) previousKeys.set(stored.ord, this.file.indexKeys(stored.ord));
    };
    for (const { collection, stored } of deletions) filedUnder(collection, stored);
    for (const { row, replaced } of upserts) if (replaced) filedUnder(row.collection, replaced);
    // Rows are addressed by rank; deletions first: a re-created document is deleted, then inserted anew.
    this.file.commit(
      deletions.map(({ stored }) => stored.ord),
      upserts.filter(({ replaced }) => replaced).map(({ row }) => row),
      upserts.filter(({ replaced }) => !replaced).map(({ row }) => row),
      checkpoint,
    );

    this.nextOrd = nextOrd;
    for (const { collection, stored } of deletions) {
      const state = this.collectionState(collection);
      state.documents.delete(stored.id);
      this.recent.delete(stored.ord);
      const before = previousKeys.get(stored.ord) ?? {};
      for (const index of state.loaded) index.remove(stored, before[index.spec.name] ?? []);
    }
    for (const { row, replaced } of upserts) {
      const state = this.collectionState(row.collection);
      if (replaced) {
        this.recent.delete(replaced.ord);
        const before = previousKeys.get(replaced.ord) ?? {};
        for (const index of state.loaded) index.replace(replaced, before[index.spec.name] ?? [], row.indexKeys[index.spec.name] ?? []);
      } else {
        const stored: StoredDocument = { id: row.id, ord: row.ord };
        state.documents.set(row.id, stored);
        for (const index of state.loaded) index.add(stored, row.indexKeys[index.spec.name] ?? []);
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
    this.recent.clear();
    this.checkpoints.clear();
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.recent.clear();
    this.file.close();
  }

  /** The document a query returns: parsed once, then kept among the recently read. */
  private documentOf(stored: StoredDocument): Doc {
    let doc = this.recent.get(stored.ord);
    if (doc === undefined) {
      doc = this.parse(stored);
      this.recent.set(stored.ord, doc);
    }
    return doc;
  }

  /** A document looked at by a scan: from the cache when there, else parsed without caching it. */
  private scanned(stored: StoredDocument): Doc {
    return this.recent.peek(stored.ord) ?? this.parse(stored);
  }

  private parse(stored: StoredDocument): Doc {
    return deepFreeze(JSON.parse(this.file.body(stored.ord)) as Doc);
  }

  /** Reads an index's keys from the file the first time it is needed (a rebuild never needs them). */
  private load(collection: string, state: CollectionState, index: HashIndex): HashIndex {
    if (state.loaded.has(index)) return index;
    for (const { id, keys } of this.file.keysInIndex(collection, index.spec.name)) {
      addChecked(collection, index, state.documents.get(id) as StoredDocument, keys);
    }
    state.loaded.add(index);
    return index;
  }

  /**
   * The documents a query can match, in insertion order: one document for `_id` equality, else
   * the documents under the smallest key among the indexes whose fields the query pins by
   * equality (the most selective index for these values, not merely the widest), else the whole
   * collection. `exact` (the same documents) when the query is nothing but the equalities that
   * key stands for: then every candidate matches and none needs to be looked at.
   */
  private plan(
    collection: string,
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
      this.load(collection, state, index);
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
  newKeys: ReadonlyMap<string, IndexKeys>,
): void {
  for (const [name, index] of state.indexes) {
    if (!index.spec.unique) continue;
    const claimedBy = new Map<string, string>();
    for (const [id, indexKeys] of newKeys) {
      for (const key of indexKeys[name] ?? []) {
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

/** Adds a document to an index being loaded or built, refusing a second holder of a unique key. */
function addChecked(collection: string, index: HashIndex, stored: StoredDocument, keys: readonly string[]): void {
  if (index.spec.unique && keys.some((key) => index.documentsWithKey(key).length > 0)) {
    throw new UniqueIndexViolationError(collection, index.spec.name, stored.id);
  }
  index.add(stored, keys);
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

// Walks without allocating (no Object.values array per object): it runs for every document read.
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
