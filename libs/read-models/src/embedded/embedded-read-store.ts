import { compileQuery } from '../query/compile-query';
import { isIndexableValue, topLevelEqualities, type IndexableValue } from '../query/equality-constraints';
import { topLevelFieldsOf } from '../query/referenced-fields';
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
  assertCheckpointNotMoved,
  assertValidCheckpoint,
  assertValidCollectionName,
  assertTopLevelFields,
  assertValidFindOptions,
  type DocumentWrite,
  planWrites,
} from '../store-rules';
import { assertCommitWithinLimits, changeSizeBound, MAX_COMMIT_BYTES, MAX_DOCUMENT_BYTES } from '../store-limits';
import { HashIndex, includesRank } from './hash-index';
import { RecentDocuments } from './recent-documents';
import { type DocumentRow, type DocumentUpdate, type IndexKeys, SqliteDocumentFile, type StoredField } from './sqlite-document-file';

export interface EmbeddedReadStoreOptions {
  /** SQLite file the documents are written through to (created when missing), or ':memory:'. */
  readonly file: string | ':memory:';
  /** Parsed documents kept in memory, the most recently read (default 5,000). */
  readonly cachedDocuments?: number;
  /**
   * A store being rebuilt from nothing, deleted if that fails: written without journal or sync
   * (see SqliteDocumentFile.open). Never for the live read models.
   */
  readonly scratch?: boolean;
}

const DEFAULT_CACHED_DOCUMENTS = 5_000;
const FIRST_SCAN_CHUNK = 16;
const LARGEST_SCAN_CHUNK = 512;

class CollectionState {
  /** Every index of the collection; its keys are read from the file when a query first needs it. */
  readonly indexes = new Map<string, HashIndex>();
  /** The indexes whose keys are in memory (and kept up to date by commits from then on). */
  readonly loaded = new Set<HashIndex>();
  /** Top-level fields written apart from the body (see SqliteDocumentFile). */
  readonly storedApart = new Set<string>();
  private ranks: Map<string, number> | undefined;

  constructor(private readonly readRanks: () => Map<string, number>) {}

  /**
   * Rank (of first insertion: the file's rowid) by id, read from the file when the collection is
   * first used. Map order is insertion order: a replaced document keeps its entry, hence its place.
   */
  get documents(): Map<string, number> {
    return (this.ranks ??= this.readRanks());
  }

  /** The document's keys in every index of this collection. */
  indexKeysOf(doc: Doc): IndexKeys {
    const keys: Record<string, readonly string[]> = {};
    for (const [name, index] of this.indexes) keys[name] = index.keysOf(doc);
    return keys;
  }
}

/** A document a scan read (without the fields stored apart that the query does not look at). */
interface ScannedDocument {
  readonly ord: number;
  readonly doc: Doc;
}

interface PlannedUpsert {
  readonly row: DocumentUpdate;
  /** The rank of the version this one replaces in place (not when the commit deleted and re-created it). */
  readonly replaced: number | undefined;
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
  private nextOrd: number;
  private closed = false;

  /** Opens (creating when needed) the store and reads the ids and ranks of its documents. */
  static open(options: EmbeddedReadStoreOptions): EmbeddedReadStore {
    const file = SqliteDocumentFile.open(options.file, options.scratch === true);
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
    for (const { collection, field } of file.storedApart()) this.collectionState(collection).storedApart.add(field);
    this.nextOrd = file.highestRank() + 1;
    // Rows moved from an older layout get their keys from their bodies, once.
    const backfilled = file.entriesWithoutIndexKeys().map(({ collection, ord }) => ({
      ord,
      indexKeys: this.collectionState(collection).indexKeysOf(this.documentsOf(this.collectionState(collection), [ord], false)[0]),
    }));
    if (backfilled.length > 0) file.saveIndexKeys(backfilled);
    file.indexKeysComplete();
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
    const all = new CollectionState(() => new Map());
    for (const [name, index] of [...state.indexes, ...added]) all.indexes.set(name, index);
    const keys = [...state.documents].map(([id, ord]) => {
      const indexKeys = all.indexKeysOf(this.documentsOf(state, [ord], false)[0]);
      for (const [name, index] of added) addChecked(collection, index, id, ord, indexKeys[name]);
      return { ord, indexKeys };
    });
    this.file.saveIndexes(
      collection,
      [...added.values()].map((index) => index.spec),
      keys,
    );
    for (const [name, index] of added) {
      state.indexes.set(name, index);
      // An empty collection's index is loaded (empty) when a query needs it: a rebuild never does.
      if (state.documents.size > 0) state.loaded.add(index);
    }
  }

  /**
   * Fields declared here are written to rows of their own from the next write of each document on
   * (a document written before keeps them in its body until then); a string is kept as it is, so
   * reading it alone parses nothing.
   */
  override async ensureStoredApart(collection: string, fields: readonly string[]): Promise<void> {
    this.assertOpen();
    assertValidCollectionName(collection);
    assertTopLevelFields(fields);
    if (fields.includes('_id')) throw new TypeError('_id cannot be stored apart');
    const state = this.collectionState(collection);
    const added = fields.filter((field) => !state.storedApart.has(field));
    if (added.length === 0) return;
    this.file.saveStoredApart(collection, added);
    for (const field of added) state.storedApart.add(field);
  }

  override async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    this.assertOpen();
    const state = this.collectionState(collection);
    const ord = state.documents.get(id);
    return ord === undefined ? null : (this.documentsOf(state, [ord], true)[0] as T);
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
    if (limit === 0) return [];
    const state = this.collectionState(collection);
    const { candidates, exact, broad } = this.plan(collection, state, query);
    const fields = options.fields;

    // An exact index key holds the matches themselves, in insertion order: the page is a slice.
    // A lookup (one match) is kept among the recently read; a page of a list is read through:
    // kept, it would push the hot documents out and leave every page as old-generation garbage.
    if (!sort && exact) {
      const ords = exact.slice(skip, skip + limit);
      return (fields ? this.projected(state, ords, fields) : this.documentsOf(state, ords, ords.length === 1)) as T[];
    }
    // A broad scan reads of each document only what the query and the sort look at, and the fields
    // asked for; the page then reads the rest. A few candidates are read whole at once.
    const needed = topLevelFieldsOf(query);
    for (const [field] of options.sort ?? []) needed.add(field.split('.')[0]);
    for (const field of fields ?? []) needed.add(field);
    const scanReadsWholeDocuments = !broad || [...state.storedApart].every((field) => needed.has(field));

    const page: ScannedDocument[] = [];
    if (!sort) {
      // Candidates come in insertion order: page while scanning, stop at the page's end.
      let toSkip = skip;
      for (const candidate of this.scan(state, candidates, scanReadsWholeDocuments ? undefined : needed)) {
        if (!matches(candidate.doc)) continue;
        if (toSkip > 0) {
          toSkip--;
          continue;
        }
        page.push(candidate);
        if (page.length >= limit) break;
      }
    } else {
      const keyed: { candidate: ScannedDocument; keys: unknown[] }[] = [];
      for (const candidate of this.scan(state, candidates, scanReadsWholeDocuments ? undefined : needed)) {
        if (exact || matches(candidate.doc)) keyed.push({ candidate, keys: sort.keysOf(candidate.doc) });
      }
      // Array.prototype.sort is stable: ties stay in insertion order, as MongoDB's adapter does with _ord.
      keyed.sort((a, b) => sort.compareKeys(a.keys, b.keys));
      for (const { candidate } of keyed.slice(skip, skip + limit)) page.push(candidate);
    }
    if (fields) return page.map(({ doc }) => pick(doc, fields)) as T[];
    if (scanReadsWholeDocuments) return page.map(({ doc }) => doc) as T[];
    // The scan left out fields stored apart that the query did not need: the page reads them.
    return this.documentsOf(state, page.map(({ ord }) => ord), false) as T[];
  }

  override async count(collection: string, query: Query): Promise<number> {
    this.assertOpen();
    const matches = compileQuery(query);
    const state = this.collectionState(collection);
    const { candidates, exact } = this.plan(collection, state, query);
    if (exact) return exact.length;
    let count = 0;
    for (const { doc } of this.scan(state, candidates, topLevelFieldsOf(query))) if (matches(doc)) count++;
    return count;
  }

  override async commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void> {
    this.assertOpen();
    assertValidCheckpoint(checkpoint);
    const writesByCollection = planWrites(changes);
    assertCheckpointNotMoved(checkpoint, this.checkpoints.get(checkpoint.projection) ?? 0);
    // MongoDB's limits (limits parity), measured exactly only when a bound from the JSON text the
    // commit makes anyway does not already show the commit within them: most commits cost nothing.
    let sizeBound = 0;
    let someDocumentMayBeTooLarge = false;

    // Everything that can fail (serialization, unique indexes, the SQLite transaction) happens
    // before memory changes, so a rejected commit leaves the store as it was.
    let nextOrd = this.nextOrd;
    const upserts: PlannedUpsert[] = [];
    const deletions: { readonly collection: string; readonly id: string; readonly ord: number }[] = [];
    for (const [collection, writes] of writesByCollection) {
      const state = this.collectionState(collection);
      const newKeys = new Map<string, IndexKeys>();
      for (const [id, { doc, recreated }] of writes) {
        const existing = state.documents.get(id);
        if (doc === null) {
          sizeBound += changeSizeBound(id.length);
          if (existing !== undefined) deletions.push({ collection, id, ord: existing });
          continue;
        }
        if (existing !== undefined && recreated) deletions.push({ collection, id, ord: existing });
        const replaced = recreated ? undefined : existing;
        // Keyed from the document as given, not from its JSON text parsed back: the same for the
        // JSON values the port admits, and a rebuild does not parse each document it writes.
        const indexKeys = state.indexKeysOf(doc);
        newKeys.set(id, indexKeys);
        const { body, apart, notApart } = storedForm(doc, state.storedApart);
        const bound = changeSizeBound(apart.reduce((length, field) => length + field.value.length, body.length));
        sizeBound += bound;
        if (bound > MAX_DOCUMENT_BYTES) someDocumentMayBeTooLarge = true;
        // The keys the replaced version is stored with, read before the file changes: loaded indexes
        // move its rank from them, and a replacement that keeps them does not write them again.
        const storedIndexKeys = replaced === undefined ? undefined : this.file.storedIndexKeys(replaced);
        const row = { collection, id, ord: replaced ?? nextOrd++, indexKeys, indexKeysJson: JSON.stringify(indexKeys), storedIndexKeys, body, apart, notApart };
        upserts.push({ row, replaced });
      }
      for (const index of state.indexes.values()) if (index.spec.unique) this.load(collection, state, index);
      assertUniqueKeysAvailable(collection, state, writes, newKeys);
    }
    if (someDocumentMayBeTooLarge || sizeBound > MAX_COMMIT_BYTES) assertCommitWithinLimits(changes);
    // The keys the deleted versions are stored with, read before the file changes: loaded indexes drop their ranks from them.
    const deletedKeys = new Map<number, string | undefined>();
    for (const { collection, ord } of deletions) {
      if ((this.collections.get(collection)?.loaded.size ?? 0) > 0) deletedKeys.set(ord, this.file.storedIndexKeys(ord));
    }
    // Rows are addressed by rank; deletions first: a re-created document is deleted, then inserted anew.
    this.file.commit(
      deletions.map(({ ord }) => ord),
      upserts.filter(({ replaced }) => replaced !== undefined).map(({ row }) => row),
      upserts.filter(({ replaced }) => replaced === undefined).map(({ row }) => row),
      checkpoint,
    );

    this.nextOrd = nextOrd;
    for (const { collection, id, ord } of deletions) {
      const state = this.collectionState(collection);
      state.documents.delete(id);
      this.recent.delete(ord);
      const before = parsedKeys(deletedKeys.get(ord));
      for (const index of state.loaded) index.remove(ord, before[index.spec.name] ?? []);
    }
    for (const { row, replaced } of upserts) {
      const state = this.collectionState(row.collection);
      if (replaced !== undefined) {
        this.recent.delete(replaced);
        if (row.storedIndexKeys === row.indexKeysJson || state.loaded.size === 0) continue;
        const before = parsedKeys(row.storedIndexKeys);
        for (const index of state.loaded) index.replace(replaced, before[index.spec.name] ?? [], row.indexKeys[index.spec.name] ?? []);
      } else {
        state.documents.set(row.id, row.ord);
        for (const index of state.loaded) index.add(row.ord, row.indexKeys[index.spec.name] ?? []);
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
      // Loaded again (empty) when a query needs them, so a rebuild into this store does not maintain them.
      state.loaded.clear();
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

  /**
   * Documents a query returns, in the order of `ords`; those not among the recently read are read
   * from the file in one statement, and kept among the recently read when `keep`. With `only`, of
   * the fields stored apart only those are read (a scan's documents, tested and then dropped).
   */
  private documentsOf(state: CollectionState, ords: readonly number[], keep: boolean, only?: ReadonlySet<string>): Doc[] {
    const docs = ords.map((ord) => (keep ? this.recent.get(ord) : this.recent.peek(ord)));
    const missing = ords.filter((_, index) => docs[index] === undefined);
    if (missing.length === 0) return docs as Doc[];
    const bodies = this.file.bodies(missing);
    const apart = state.storedApart.size === 0 ? undefined : [...state.storedApart].filter((field) => !only || only.has(field));
    const fields = apart && apart.length > 0 ? this.file.fields(missing, apart) : undefined;
    const complete = only === undefined || apart === undefined || apart.length === state.storedApart.size;
    return ords.map((ord, index) => {
      const cached = docs[index];
      if (cached !== undefined) return cached;
      const body = bodies.get(ord);
      if (body === undefined) throw new Error(`No document at rank ${ord} in the read-model file`);
      const doc = deepFreeze(withStoredFields(JSON.parse(body) as Record<string, unknown>, fields?.get(ord)) as Doc);
      if (keep && complete) this.recent.set(ord, doc);
      return doc;
    });
  }

  /**
   * `_id` and `fields` of each document: when every field asked for is stored apart, read from
   * their own rows without the bodies (documents written before the fields were stored apart, or
   * lacking one, are read whole).
   */
  private projected(state: CollectionState, ords: readonly number[], fields: readonly string[]): Doc[] {
    const wanted = fields.filter((field) => field !== '_id');
    if (!wanted.every((field) => state.storedApart.has(field))) return this.documentsOf(state, ords, false).map((doc) => pick(doc, fields));
    const docs: Doc[] = new Array(ords.length);
    const missing: number[] = [];
    ords.forEach((ord, index) => {
      const cached = this.recent.peek(ord);
      if (cached) docs[index] = pick(cached, fields);
      else missing.push(ord);
    });
    if (missing.length === 0) return docs;
    const stored = this.file.fieldsWithIds(missing, wanted);
    const incomplete: number[] = [];
    ords.forEach((ord, index) => {
      if (docs[index] !== undefined) return;
      const found = stored.get(ord);
      if (!found || found.fields.length < wanted.length) incomplete.push(index);
      else docs[index] = deepFreeze(withStoredFields({ _id: found.id }, found.fields) as Doc);
    });
    if (incomplete.length > 0) {
      const whole = this.documentsOf(state, incomplete.map((index) => ords[index]), false);
      incomplete.forEach((index, at) => (docs[index] = pick(whole[at], fields)));
    }
    return docs;
  }

  /**
   * The candidates' documents, in order, read in chunks that grow as the scan goes on (a query
   * that stops at its first match reads few); a scan does not push hot documents out of the cache.
   */
  private *scan(state: CollectionState, candidates: Iterable<number>, needed?: ReadonlySet<string>): Generator<ScannedDocument> {
    let chunk: number[] = [];
    let chunkSize = FIRST_SCAN_CHUNK;
    const read = (ords: number[]) => this.documentsOf(state, ords, false, needed).map((doc, index) => ({ ord: ords[index], doc }));
    for (const ord of candidates) {
      chunk.push(ord);
      if (chunk.length < chunkSize) continue;
      yield* read(chunk);
      chunk = [];
      chunkSize = Math.min(chunkSize * 2, LARGEST_SCAN_CHUNK);
    }
    if (chunk.length > 0) yield* read(chunk);
  }

  /** Reads an index's keys from the file the first time it is needed (a rebuild never needs them). */
  private load(collection: string, state: CollectionState, index: HashIndex): HashIndex {
    if (state.loaded.has(index)) return index;
    this.file.forEachIndexKey(collection, index.spec.name, (ord, key) => {
      if (index.spec.unique && index.documentsWithKey(key).some((holder) => holder !== ord)) {
        throw new UniqueIndexViolationError(collection, index.spec.name);
      }
      index.add(ord, [key]);
    });
    state.loaded.add(index);
    return index;
  }

  /**
   * The documents a query can match, in insertion order: one document for `_id` equality, else
   * the documents under the smallest key among the indexes whose fields the query pins by
   * equality (the most selective index for these values, not merely the widest), else the whole
   * collection. `exact` (then also the candidates) when the query is nothing but equalities that
   * key, with the keys of other indexes the query pins, stands for: every candidate matches and
   * none needs to be looked at. `broad` when there are more candidates than a scan reads at once.
   */
  private plan(
    collection: string,
    state: CollectionState,
    query: Query,
  ): { candidates: Iterable<number>; exact?: readonly number[]; broad: boolean } {
    const byId = documentsById(state, query);
    if (byId) return this.planById(collection, state, query, byId);
    const all = () => ({ candidates: state.documents.values(), broad: true });
    if (state.indexes.size === 0) return all();
    const equalities = topLevelEqualities(query);
    if (equalities.size === 0) return all();
    const keyed: KeyedDocuments[] = [];
    for (const index of state.indexes.values()) {
      if (!index.fields.every((field) => equalities.has(field))) continue;
      this.load(collection, state, index);
      const values = index.fields.map((field) => equalities.get(field) as IndexableValue);
      keyed.push({ fields: index.fields, documents: index.documentsWithKey(index.keyFor(values)) });
    }
    // Among equally small keys, the index covering more of the query leaves less to check.
    const best = keyed.reduce<KeyedDocuments | undefined>(
      (smallest, key) =>
        !smallest ||
        key.documents.length < smallest.documents.length ||
        (key.documents.length === smallest.documents.length && key.fields.length > smallest.fields.length)
          ? key
          : smallest,
      undefined,
    );
    if (!best) return all();
    const exact = exactMatches(query, best, keyed);
    const candidates = exact ?? best.documents;
    return { candidates, exact, broad: candidates.length > LARGEST_SCAN_CHUNK };
  }

  /**
   * Documents named by id: the matches themselves when nothing else is asked, or when the rest of
   * the query is exactly the key of an index (a group's 10,000 new members checked as users of its
   * account: no document read).
   */
  private planById(collection: string, state: CollectionState, query: Query, byId: number[]): { candidates: Iterable<number>; exact?: readonly number[]; broad: boolean } {
    const rest = Object.fromEntries(Object.entries(query).filter(([field]) => field !== '_id'));
    if (Object.keys(rest).length === 0) return { candidates: byId, exact: byId, broad: false };
    const equalities = topLevelEqualities(rest);
    for (const index of state.indexes.values()) {
      if (!isExactlyEqualities(rest, index.fields)) continue;
      this.load(collection, state, index);
      const keyed = index.documentsWithKey(index.keyFor(index.fields.map((field) => equalities.get(field) as IndexableValue)));
      const exact = byId.filter((ord) => includesRank(keyed, ord));
      return { candidates: exact, exact, broad: false };
    }
    return { candidates: byId, broad: byId.length > LARGEST_SCAN_CHUNK };
  }

  private collectionState(collection: string): CollectionState {
    let state = this.collections.get(collection);
    if (!state) this.collections.set(collection, (state = new CollectionState(() => this.file.ranksOf(collection))));
    return state;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EmbeddedReadStore is closed');
  }
}

/** `{_id: 'x'}`, `{_id: {$eq: 'x'}}` or `{_id: {$in: [...]}}`: the primary map answers directly. */
function documentsById(state: CollectionState, query: Query): number[] | undefined {
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
  const found: number[] = [];
  for (const id of new Set(ids)) {
    const ord = state.documents.get(id as string);
    if (ord !== undefined) found.push(ord);
  }
  return found.length > 1 ? found.sort((a, b) => a - b) : found;
}

/** The documents under one index's key for a query's values (ascending ranks). */
interface KeyedDocuments {
  readonly fields: readonly string[];
  readonly documents: readonly number[];
}

/**
 * The matches themselves, when the query is nothing but equalities that the keys looked up cover
 * together: the smallest key's documents that every other key needed also holds (a binary search
 * each). Okta's `userName eq` within the account's SCIM users is then answered from memory: the
 * one user under (account, userName) is checked against (account, source) without being read.
 */
function exactMatches(query: Query, smallest: KeyedDocuments, keyed: readonly KeyedDocuments[]): readonly number[] | undefined {
  const covered = new Set(smallest.fields);
  const others: KeyedDocuments[] = [];
  for (const key of keyed) {
    if (key.fields.every((field) => covered.has(field))) continue;
    others.push(key);
    for (const field of key.fields) covered.add(field);
  }
  if (!isExactlyEqualities(query, [...covered])) return undefined;
  if (others.length === 0) return smallest.documents;
  return smallest.documents.filter((ord) => others.every(({ documents }) => includesRank(documents, ord)));
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
  // Ranks of the documents this commit rewrites: their current keys do not count.
  const rewritten = new Set<number>();
  for (const id of writes.keys()) {
    const ord = state.documents.get(id);
    if (ord !== undefined) rewritten.add(ord);
  }
  for (const [name, index] of state.indexes) {
    if (!index.spec.unique) continue;
    const claimedBy = new Map<string, string>();
    for (const [id, indexKeys] of newKeys) {
      for (const key of indexKeys[name] ?? []) {
        const claimant = claimedBy.get(key);
        if (claimant !== undefined && claimant !== id) throw new UniqueIndexViolationError(collection, index.spec.name, id);
        claimedBy.set(key, id);
        for (const holder of index.documentsWithKey(key)) {
          if (!rewritten.has(holder)) throw new UniqueIndexViolationError(collection, index.spec.name, id);
        }
      }
    }
  }
}

/** Adds a document to an index being loaded or built, refusing a second holder of a unique key. */
function addChecked(collection: string, index: HashIndex, id: string | undefined, ord: number, keys: readonly string[]): void {
  if (index.spec.unique && keys.some((key) => index.documentsWithKey(key).length > 0)) {
    throw new UniqueIndexViolationError(collection, index.spec.name, id);
  }
  index.add(ord, keys);
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

/**
 * The body and the fields stored apart of a document: each of those fields it has leaves `null` in
 * the body where it stands, so that the document reads back with its keys in the same order.
 */
function storedForm(doc: Doc, storedApart: ReadonlySet<string>): Pick<DocumentRow, 'body' | 'apart' | 'notApart'> {
  const apart: StoredField[] = [];
  const notApart: string[] = [];
  for (const field of storedApart) {
    const value = doc[field];
    if (value === undefined) notApart.push(field);
    else apart.push(typeof value === 'string' ? { field, value, json: false } : { field, value: JSON.stringify(value), json: true });
  }
  if (apart.length === 0) return { body: JSON.stringify(doc), apart, notApart };
  const rest: Record<string, unknown> = {};
  for (const key in doc) rest[key] = storedApart.has(key) ? null : doc[key];
  return { body: JSON.stringify(rest), apart, notApart };
}

function parsedKeys(stored: string | undefined): IndexKeys {
  return stored === undefined ? {} : (JSON.parse(stored) as IndexKeys);
}

function withStoredFields(doc: Record<string, unknown>, fields: readonly StoredField[] | undefined): Record<string, unknown> {
  for (const { field, value, json } of fields ?? []) doc[field] = json ? JSON.parse(value) : value;
  return doc;
}

/** `_id` and the fields asked for that the document has (MongoDB's inclusion projection). */
function pick(doc: Doc, fields: readonly string[]): Doc {
  const picked: Record<string, unknown> = { _id: doc._id };
  for (const field of fields) if (Object.hasOwn(doc, field)) picked[field] = doc[field];
  return Object.freeze(picked) as Doc;
}
