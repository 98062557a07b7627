import { mkdirSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import { WalCheckpointer } from '@scim/event-store/sqlite/wal-checkpointer';
import { compileFilter, compileSort, type FieldSource, fieldsOf, isJsonObject, jsonPathOf, REGEXP_FUNCTION, splitPath, UnsupportedQueryError } from '../query/sql-query';
import { type Checkpoint, type Doc, type DocumentChange, type FindOptions, type IndexSpec, type Query, ReadStore, UniqueIndexViolationError } from '../read-store.port';
import { assertCheckpointNotMoved, assertTopLevelFields, assertValidCheckpoint, assertValidCollectionName, assertValidFindOptions, normalizeIndexSpec, planWrites } from '../store-rules';
import { assertCommitWithinLimits } from '../store-limits';

export interface EmbeddedReadStoreOptions {
  /** SQLite file (created when missing), or ':memory:'. */
  readonly file: string | ':memory:';
  /**
   * A store being rebuilt from nothing, deleted if that fails: written without journal or sync, so
   * each page is written once. Never for the live read models.
   */
  readonly scratch?: boolean;
}

/**
 * `user_version` of this layout. A file of an earlier layout (0 or 1: documents keyed by insertion
 * rank, indexes kept on the JS heap; 2: only strings stored apart; 3: documents written before a
 * field's declaration keep it in their body) is emptied on open, not migrated
 * (`replacedEarlierLayout`): its checkpoints go with its documents, so the projections rebuild it.
 */
const LAYOUT_VERSION = 4;

/**
 * Documents committed between two checkpoints of the WAL by the checkpointer thread: ~900 WAL frames
 * under POST load (~2.3 frames a user document), close to SQLite's own 1,000-page auto-checkpoint.
 * Once the thread has caught up, the next commit starts the WAL over, and that commit syncs the new
 * WAL header on the event loop: asking more often would sync more often.
 */
export const DOCUMENTS_PER_CHECKPOINT = 400;

/** The document's body, as a field's JSON is read from it. */
const IN_DOCUMENT = fieldsOf('d.doc');

const CATALOG = `
  CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS collections (name TEXT PRIMARY KEY, stored_apart TEXT NOT NULL DEFAULT '[]');
  CREATE TABLE IF NOT EXISTS indexes (collection TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (collection, name));
`;

// Distinct SQL texts are few (one per query shape), but a client can vary the shape of its filters.
const CACHED_STATEMENTS = 500;
/** Every how many documents of a key a page may start from directly (`pageStart`): a page of 100 at a multiple of 100 skips nothing. */
const PAGE_MARK_STRIDE = 100;

interface Index {
  readonly spec: IndexSpec;
  readonly table: string;
  readonly paths: readonly (readonly string[])[];
  /** File and remove one key of a document (keys…, its `inserted`), prepared on first use. */
  insert?: Database.Statement;
  remove?: Database.Statement;
}

interface Collection {
  readonly name: string;
  readonly table: string;
  readonly storedApart: string[];
  readonly indexes: Map<string, Index>;
}

/**
 * The in-process read store, on SQLite's own engine: one table per collection (the document's JSON,
 * and a column for each field stored apart), in insertion order by an integer key that an update
 * keeps, so a replaced document keeps its place. Each index is a WITHOUT ROWID table of
 * (keys…, document): MongoDB indexes every element of an array, which an expression index cannot.
 * Queries are compiled to SQL (query/sql-query.ts); nothing of the documents or indexes is held in
 * memory. Every read parses the stored JSON afresh, so callers cannot change the store.
 */
export class EmbeddedReadStore extends ReadStore {
  private readonly collections = new Map<string, Collection>();
  /** Statements by SQL; plans of queries by shape (fields pinned, fields read, ids named, filter and sort), and the indexes of pinned fields. */
  private readonly plans = new Map<string, unknown>();
  /**
   * Totals of counts, and marks of long keys' pages (`pageStart`), until the next commit: the process
   * owns the file (DATA_DIR's lock), no other writer changes it.
   */
  private readonly kept = new Map<string, unknown>();
  private closed = false;
  private readonly reading: <T>(read: () => T) => T;

  static open(options: EmbeddedReadStoreOptions): EmbeddedReadStore {
    if (options.file !== ':memory:') mkdirSync(dirname(resolvePath(options.file)), { recursive: true });
    const db = new Database(options.file);
    try {
      db.pragma(options.scratch ? 'journal_mode = OFF' : 'journal_mode = WAL');
      // NORMAL in WAL mode may lose the last commits on power loss, never consistency: the checkpoint
      // travels in the same transaction as its documents, so the runner replays what was lost.
      db.pragma(options.scratch ? 'synchronous = OFF' : 'synchronous = NORMAL');
      // Deleted personal data is overwritten, not left in free pages.
      db.pragma('secure_delete = ON');
      // A CLI opening the live file beside the service waits for its commits instead of failing.
      db.pragma('busy_timeout = 5000');
      const regexps = new Map<string, unknown>();
      db.function(REGEXP_FUNCTION, { deterministic: true }, (source, flags, value) => {
        const regexp = memo(regexps, `${String(flags)}/${String(source)}`, () => new RegExp(String(source), String(flags)));
        return regexp.test(String(value)) ? 1 : 0;
      });
      // An earlier layout's tables are dropped (see LAYOUT_VERSION): `earlier` when there were any.
      const earlier =
        db.pragma('user_version', { simple: true }) !== LAYOUT_VERSION &&
        db.transaction(() => {
          const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all();
          for (const table of tables) db.exec(`DROP TABLE ${quote(table)}`);
          db.exec(CATALOG);
          db.pragma(`user_version = ${LAYOUT_VERSION}`);
          return tables.length > 0;
        }).immediate();
      // The live file's WAL is copied back on a thread (WalCheckpointer), not inside a commit on the
      // event loop; a scratch file has no WAL, one in memory no file.
      const live = !options.scratch && options.file !== ':memory:';
      return new EmbeddedReadStore(db, earlier, live ? new WalCheckpointer(db, DOCUMENTS_PER_CHECKPOINT) : undefined);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(
    private readonly db: Database.Database,
    /** The file held read models of an earlier layout, emptied on open: they need rebuilding. */
    readonly replacedEarlierLayout = false,
    private readonly checkpointer?: WalCheckpointer,
  ) {
    super();
    this.reading = db.transaction((read: () => unknown) => read()) as <T>(read: () => T) => T;
    this.readCatalog();
  }

  /** The collections, their fields stored apart and indexes, as the file has them. */
  private readCatalog(): void {
    this.collections.clear();
    this.plans.clear();
    for (const { name, stored_apart } of this.db.prepare<[], { name: string; stored_apart: string }>('SELECT name, stored_apart FROM collections').all()) {
      this.collections.set(name, { name, table: quote(`c:${name}`), storedApart: JSON.parse(stored_apart) as string[], indexes: new Map() });
    }
    for (const { collection, spec } of this.db.prepare<[], { collection: string; spec: string }>('SELECT collection, spec FROM indexes ORDER BY rowid').all()) {
      const state = this.collections.get(collection) as Collection;
      state.indexes.set((JSON.parse(spec) as IndexSpec).name, indexOf(state, JSON.parse(spec) as IndexSpec));
    }
  }

  /** One immediate transaction; when it fails, what it changed in memory (tables, indexes) is read back. */
  private transaction(body: () => void): void {
    try {
      this.db.transaction(body).immediate();
    } catch (error) {
      this.readCatalog();
      throw error;
    }
  }

  override async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.assertOpen();
    assertValidCollectionName(collection);
    const specs = indexes.map(normalizeIndexSpec);
    this.transaction(() => {
      const state = this.createCollection(collection);
      for (const spec of specs) {
        const existing = state.indexes.get(spec.name);
        if (existing) {
          if (JSON.stringify(existing.spec) !== JSON.stringify(spec)) throw new Error(`Index ${spec.name} on ${collection} already exists with a different definition`);
          continue;
        }
        const index = indexOf(state, spec);
        const columns = spec.fields.map((_, at) => `k${at}`).join(', ');
        this.db.exec(`CREATE TABLE ${index.table} (${columns}, doc INTEGER NOT NULL, PRIMARY KEY (${columns}${spec.unique ? '' : ', doc'})) WITHOUT ROWID`);
        const rows = this.db.prepare(`SELECT ${columnsOf(state)} FROM ${state.table} d`).raw().all() as StoredRow[];
        for (const row of rows) this.insertKeys(index, collection, row[1], row[0], indexKeysOf(whole(state, row.slice(1) as Apart[]), index));
        this.db.prepare('INSERT INTO indexes (collection, name, spec) VALUES (?, ?, ?)').run(collection, spec.name, JSON.stringify(spec));
        state.indexes.set(spec.name, index);
      }
    });
    this.plans.clear();
  }

  /**
   * These fields are written to a column of their own, strings and numbers as they are, other values
   * as JSON in a BLOB: reading one alone parses no document. Documents already stored are moved too.
   */
  override async ensureStoredApart(collection: string, fields: readonly string[]): Promise<void> {
    this.assertOpen();
    assertValidCollectionName(collection);
    assertTopLevelFields(fields);
    if (fields.includes('_id')) throw new TypeError('_id cannot be stored apart');
    for (const field of fields) jsonPathOf(field);
    this.transaction(() => {
      const state = this.createCollection(collection);
      const added = [...new Set(fields)].filter((field) => !state.storedApart.includes(field));
      if (added.length === 0) return;
      const stored = (this.db.prepare(`SELECT ${columnsOf(state)} FROM ${state.table} d`).raw().all() as StoredRow[]).map((row) => [row[0], whole(state, row.slice(1) as Apart[])] as const);
      for (const field of added) this.db.exec(`ALTER TABLE ${state.table} ADD COLUMN ${apartColumn(field)}`);
      state.storedApart.push(...added);
      const update = this.updateOf(state);
      for (const [inserted, doc] of stored) update.run(...storedForm(doc, state.storedApart), inserted);
      this.db.prepare('UPDATE collections SET stored_apart = ? WHERE name = ?').run(JSON.stringify(state.storedApart), collection);
    });
    this.plans.clear();
  }

  override async find<T extends Doc>(collection: string, query: Query, options: FindOptions = {}): Promise<T[]> {
    this.assertOpen();
    assertValidFindOptions(options);
    const state = this.collections.get(collection);
    if (!state) return assertSupported(query, options, []);
    // One read transaction: each statement outside one takes and drops the file's read lock.
    const rows = this.reading((): Apart[][] => {
      const plan = this.plan(state, query, options);
      if (options.limit === 0) return [];
      const params = { ...plan.params, limit: options.limit ?? -1, skip: options.skip ?? 0 };
      if (plan.keyed) Object.assign(params, this.pageStart(plan.keyed, plan.params, options.skip ?? 0));
      return plan.page.raw().all(params) as Apart[][];
    });
    const fields = options.fields?.filter((field) => field !== '_id');
    // Array.from: an array of this realm, not the driver's (Jest's `toEqual(expect.any(Array))`).
    return Array.from(rows, ([, ...row]) => (fields ? picked(fields, row) : whole(state, row)) as T);
  }

  override async count(collection: string, query: Query): Promise<number> {
    this.assertOpen();
    const state = this.collections.get(collection);
    if (!state) return assertSupported(query, {}, 0);
    return this.reading(() => {
      const plan = this.plan(state, query, {});
      // A list's total (an account's 100,000 users) walks its whole key.
      return memo(this.kept, `count\0${plan.count.source}\0${JSON.stringify(plan.params)}`, () => plan.count.pluck().get(plan.params) as number);
    });
  }

  override async commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void> {
    this.assertOpen();
    assertValidCheckpoint(checkpoint);
    const writesByCollection = planWrites(changes);
    // MongoDB's limits, measured on every commit: ~1 µs a user document, less than a bound's code is worth.
    assertCommitWithinLimits(changes);
    this.kept.clear();
    this.transaction(() => {
      const position = this.statement('SELECT position FROM checkpoints WHERE projection = ?').pluck().get(checkpoint.projection) as number | undefined;
      assertCheckpointNotMoved(checkpoint, position ?? 0);
      for (const [collection, writes] of writesByCollection) {
        const state = this.createCollection(collection);
        const indexes = [...state.indexes.values()];
        // Old keys go before new ones are filed, so that documents of one commit may swap keys; keys
        // a replacement keeps stay as they are.
        // And the place of each document replaced where it stands (none for a new or re-created one).
        const filing = new Map<string, { readonly place?: number; readonly keys: [Index, IndexKey[]][] }>();
        const select = this.statement(`SELECT ${columnsOf(state)} FROM ${state.table} d WHERE d._id = ?`).raw();
        for (const [id, { doc, recreated }] of writes) {
          const row = select.get(id) as StoredRow | undefined;
          const old = row && indexes.length > 0 ? whole(state, row.slice(1) as Apart[]) : undefined;
          const changed = indexes
            .map((index): [Index, IndexKey[], IndexKey[]] => [index, old ? indexKeysOf(old, index) : [], doc ? indexKeysOf(doc, index) : []])
            .filter(([, before, after]) => !old || recreated || !sameKeys(before, after));
          for (const [index, before] of changed) {
            index.remove ??= this.db.prepare(`DELETE FROM ${index.table} WHERE ${index.paths.map((_, at) => `k${at} = ?`).join(' AND ')} AND doc = ?`);
            for (const key of before) index.remove.run(...key, row![0]);
          }
          // A deleted then re-created document takes a new place, last.
          const replaced = row && doc !== null && !recreated;
          filing.set(id, { place: replaced ? row[0] : undefined, keys: changed.map(([index, , after]) => [index, after]) });
          if (row && !replaced) this.statement(`DELETE FROM ${state.table} WHERE inserted = ?`).run(row[0]);
        }
        // A plain INSERT or an UPDATE by rowid: the select above told which, and an UPSERT's RETURNING costs ~2 µs a document.
        const [insert, update] = [this.insertOf(state), this.updateOf(state)];
        for (const [id, { doc }] of writes) {
          if (doc === null) continue;
          const { place, keys } = filing.get(id)!;
          const stored = storedForm(doc, state.storedApart);
          if (place !== undefined) update.run(...stored, place);
          const inserted = place ?? Number(insert.run(id, ...stored).lastInsertRowid);
          for (const [index, indexKeys] of keys) this.insertKeys(index, collection, id, inserted, indexKeys);
        }
      }
      this.statement('INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = MAX(position, excluded.position)').run(
        checkpoint.projection,
        checkpoint.position,
      );
    });
    this.checkpointer?.committed(changes.length);
  }

  /** Checkpoints of the WAL by the thread since open, and its last failure (none for a scratch or in-memory store). */
  get walStats(): { readonly checkpoints: number; readonly lastError?: string } {
    return this.checkpointer?.stats ?? { checkpoints: 0 };
  }

  override async checkpoint(projection: string): Promise<number> {
    this.assertOpen();
    return (this.statement('SELECT position FROM checkpoints WHERE projection = ?').pluck().get(projection) as number | undefined) ?? 0;
  }

  /** Documents and checkpoints go; indexes and fields stored apart stay, as in MongoDB after deleteMany. */
  override async clear(): Promise<void> {
    this.assertOpen();
    this.kept.clear();
    this.db.transaction(() => {
      for (const state of this.collections.values()) {
        this.db.exec(`DELETE FROM ${state.table}`);
        for (const index of state.indexes.values()) this.db.exec(`DELETE FROM ${index.table}`);
      }
      this.db.exec('DELETE FROM checkpoints');
    }).immediate();
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The main connection closes last: it checkpoints the rest and deletes the WAL.
    await this.checkpointer?.stop();
    this.db.close();
  }

  /**
   * Where a page of one key's entries starts: SQLite's OFFSET steps through every entry it skips
   * (~1 ms for 50,000), so every PAGE_MARK_STRIDE-th document of the key is kept, until the next
   * commit, and a page starts from the mark before it.
   */
  private pageStart(keyed: string, params: Record<string, unknown>, skip: number): { from: number; skip: number } {
    if (skip < PAGE_MARK_STRIDE) return { from: Number.MIN_SAFE_INTEGER, skip };
    const sql = `SELECT doc FROM (SELECT k.doc AS doc, row_number() OVER (ORDER BY k.doc) AS n ${keyed}) WHERE (n - 1) % ${PAGE_MARK_STRIDE} = 0`;
    const marks = memo(this.kept, `marks\0${sql}\0${JSON.stringify(params)}`, () => this.statement(sql).pluck().all(params) as number[]);
    const mark = Math.floor(skip / PAGE_MARK_STRIDE);
    // Past the last mark: past the end too, unless within the last stride.
    return mark < marks.length ? { from: marks[mark], skip: skip % PAGE_MARK_STRIDE } : { from: Number.MAX_SAFE_INTEGER, skip: 0 };
  }

  /** Writes a new document's id and stored form (`storedForm`) last; its `inserted` is the rowid. */
  private insertOf(state: Collection): Database.Statement {
    const columns = ['_id', 'doc', ...state.storedApart.map(apartColumn)];
    return this.statement(`INSERT INTO ${state.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  }

  /** Replaces the stored form (`storedForm`) of the document at `inserted` (the last parameter), in its place. */
  private updateOf(state: Collection): Database.Statement {
    const columns = ['doc', ...state.storedApart.map(apartColumn)];
    return this.statement(`UPDATE ${state.table} SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE inserted = ?`);
  }

  /** Files a document under its keys in an index; a unique key another document holds is refused. */
  private insertKeys(index: Index, collection: string, id: string, inserted: number, keys: readonly IndexKey[]): void {
    index.insert ??= this.db.prepare(`INSERT INTO ${index.table} VALUES (${index.paths.map(() => '?').join(', ')}, ?)`);
    try {
      for (const key of keys) index.insert.run(...key, inserted);
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      throw code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' ? new UniqueIndexViolationError(collection, index.spec.name, id) : error;
    }
  }

  /** The collection's table, created on first write or declaration. */
  private createCollection(name: string): Collection {
    const existing = this.collections.get(name);
    if (existing) return existing;
    const state: Collection = { name, table: quote(`c:${name}`), storedApart: [], indexes: new Map() };
    // `inserted` is the rowid: new documents append, an update keeps it, VACUUM does not renumber it.
    this.db.exec(`CREATE TABLE ${state.table} (inserted INTEGER PRIMARY KEY, _id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)`);
    this.db.prepare('INSERT INTO collections (name) VALUES (?)').run(name);
    this.collections.set(name, state);
    return state;
  }

  /**
   * The statements of a query, planned once per shape: the fields it pins to a string or number
   * (a lookup, a list's scope), read off index keys where they can be (`keyingOf`), so that nothing
   * is parsed; the ids it names; the rest compiled (query/sql-query.ts).
   */
  private plan(state: Collection, query: Query, options: FindOptions): Plan {
    if (!isJsonObject(query)) throw new UnsupportedQueryError('A query must be an object');
    const { pinned, ids, rest } = splitQuery(query);
    const fields = [...pinned.keys()];
    // Field names have no NUL (splitPath, assertTopLevelFields).
    const shape = `${state.name}\0${fields.join('\0')}\0${ids ? 'ids' : ''}`;
    const { driver, covered } = memo(this.plans, `keys\0${shape}`, () => keyingOf(state, pinned, ids !== undefined));
    // Pinned fields no index holds are tested on the document, with the rest.
    for (const [field, value] of pinned) if (!covered.has(field)) rest.push(Object.fromEntries([[field, value]]));
    const doc = fieldSourceOf(state);
    const filter = rest.length > 0 ? compileFilter(rest.length === 1 ? rest[0] : { $and: rest }, doc) : undefined;
    const sort = options.sort && compileSort(options.sort, doc);
    const key = `${shape}\0${options.fields?.join('\0') ?? '*'}\0${filter?.text}\0${sort?.text}`;
    const plan = memo(this.plans, key, () => this.shapeOf(state, fields, ids !== undefined, driver, filter?.text, sort?.text, columnsOf(state, options.fields)));
    const params: Record<string, unknown> = { ...filter?.params, ...sort?.params, ...(ids && { ids: JSON.stringify(ids) }) };
    fields.forEach((field, at) => (params[`v${at}`] = pinned.get(field)));
    return { ...plan, params };
  }

  /** The statements of one shape: read off `driver`'s key, else the ids, else the table, other index keys checked, then `filter`, in `sort`'s order or insertion order. */
  private shapeOf(state: Collection, fields: readonly string[], ids: boolean, driver: Index | undefined, filter: string | undefined, sort: string | undefined, columns: string): Plan {
    const keyOf = (index: Index, alias: string) => index.spec.fields.map(([field], at) => `${alias}.k${at} = @v${fields.indexOf(field)}`).join(' AND ');
    const row = driver ? 'k.doc' : 'd.inserted';
    const where = driver ? [keyOf(driver, 'k')] : ids ? ['d._id IN (SELECT value FROM json_each(@ids))'] : fields.includes('_id') ? [`d._id = @v${fields.indexOf('_id')}`] : [];
    const covered = new Set(driver ? driver.spec.fields.map(([field]) => field) : ['_id']);
    for (const index of state.indexes.values()) {
      const pinned = index.spec.fields.map(([field]) => field);
      if (index === driver || !pinned.every((field) => fields.includes(field)) || pinned.every((field) => covered.has(field))) continue;
      where.push(`EXISTS (SELECT 1 FROM ${index.table} x WHERE ${keyOf(index, 'x')} AND x.doc = ${row})`);
      for (const field of pinned) covered.add(field);
    }
    if (filter) where.push(filter);
    const from = `FROM ${driver ? `${driver.table} k${filter || sort ? ` JOIN ${state.table} d ON d.inserted = k.doc` : ''}` : `${state.table} d`}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
    const [count, params] = [this.statement(`SELECT COUNT(*) ${from}`), {}];
    // Read off an index, its order is insertion order: named so, the planner needs no sorter.
    if (sort || filter || !driver) return { page: this.statement(`SELECT ${columns} ${from} ORDER BY ${sort ? `${sort}, ` : ''}${row} LIMIT +@limit OFFSET +@skip`), count, params };
    // Skipped entries are stepped over in the index alone; a page of one key alone may start from a mark (`pageStart`).
    const keyed = where.length === 1 ? from : undefined;
    const page = `SELECT ${columns} FROM (SELECT k.doc ${from}${keyed ? ' AND k.doc >= @from' : ''} ORDER BY k.doc LIMIT +@limit OFFSET +@skip) k JOIN ${state.table} d ON d.inserted = k.doc ORDER BY k.doc`;
    return { page: this.statement(page), count, params, keyed };
  }

  private statement(sql: string): Database.Statement {
    return memo(this.plans, sql, () => this.db.prepare(sql));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EmbeddedReadStore is closed');
  }
}

interface Plan {
  /** A page of the matches: `d.inserted`, `d._id`, the columns read (with @limit and @skip). */
  readonly page: Database.Statement;
  readonly count: Database.Statement;
  readonly params: Record<string, unknown>;
  /** `FROM … WHERE` of the index entries under one key, when a page reads them alone (with @from). */
  readonly keyed?: string;
}

/** The columns a find reads: `d.inserted`, `d._id`, then the document, or MongoDB's inclusion projection of `fields`. */
function columnsOf(state: Collection, fields?: readonly string[]): string {
  const read = fields?.filter((field) => field !== '_id');
  // Each field as its JSON text or as its string or number (`picked`); a BLOB as text (a Buffer costs ~0.7 µs).
  const columns = (read ?? state.storedApart).map((field) => {
    const column = `d.${apartColumn(field)}`;
    if (!state.storedApart.includes(field)) return `${IN_DOCUMENT(field)}, NULL`;
    return `CASE WHEN typeof(${column}) = 'blob' THEN CAST(${column} AS TEXT) END, CASE WHEN typeof(${column}) <> 'blob' THEN ${column} END`;
  });
  return ['d.inserted', 'd._id', ...(read ? [] : ['d.doc']), ...columns].join(', ');
}

/** What a read of a collection never written returns, once the query is known to be supported. */
function assertSupported<T>(query: Query, options: FindOptions, nothing: T): T {
  compileFilter(query, IN_DOCUMENT);
  if (options.sort) compileSort(options.sort, IN_DOCUMENT);
  return nothing;
}

/**
 * The indexes whose every field a query pins: the fields their keys check, and the one that drives
 * it unless it names ids: a unique one, else the widest, the last declared among equals (collections
 * declare the broader first: an account's, its source's, then a userName's).
 */
function keyingOf(state: Collection, pinned: ReadonlyMap<string, unknown>, ids: boolean): { driver?: Index; covered: ReadonlySet<string> } {
  const keyed = [...state.indexes.values()].filter((index) => index.spec.fields.every(([field]) => pinned.has(field)));
  const rank = (index: Index) => (index.spec.unique ? Infinity : index.spec.fields.length);
  const driver = ids || pinned.has('_id') ? undefined : keyed.reduce<Index | undefined>((best, index) => (!best || rank(index) >= rank(best) ? index : best), undefined);
  return { driver, covered: new Set(keyed.flatMap((index) => index.spec.fields.map(([field]) => field)).concat('_id')) };
}

/** What `make` returns for `key`, kept in `cache` (emptied when full). */
function memo<T>(cache: Map<string, unknown>, key: string, make: () => T): T {
  if (!cache.has(key)) {
    if (cache.size >= CACHED_STATEMENTS) cache.clear();
    cache.set(key, make());
  }
  return cache.get(key) as T;
}

/** A query as the fields it pins to a string or number (`{a: 'x'}`, `{a: {$eq: 2}}`, also within `$and`), the ids `_id: {$in: […]}` names, and the rest. */
function splitQuery(query: Query, into: { pinned: Map<string, string | number>; ids?: string[]; rest: Query[] } = { pinned: new Map(), rest: [] }) {
  for (const [field, condition] of Object.entries(query)) {
    if (field === '$and' && Array.isArray(condition) && condition.length > 0 && condition.every(isJsonObject)) {
      for (const branch of condition) splitQuery(branch, into);
      continue;
    }
    const only = isJsonObject(condition) && Object.keys(condition).length === 1 ? Object.entries(condition)[0] : undefined;
    const value = only?.[0] === '$eq' ? only[1] : condition;
    const ids = field === '_id' && only?.[0] === '$in' && Array.isArray(only[1]) && only[1].every((id) => typeof id === 'string') ? (only[1] as string[]) : undefined;
    if (!field.startsWith('$') && !into.pinned.has(field) && (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) into.pinned.set((splitPath(field), field), value);
    else if (ids && !into.ids) into.ids = ids;
    else into.rest.push(Object.fromEntries([[field, condition]]));
  }
  return into;
}

/** Where filters and sorts read a field of row `d`: a field stored apart from its column, as JSON. */
function fieldSourceOf(state: Collection): FieldSource {
  const apart = (column: string) => `CASE typeof(${column}) WHEN 'text' THEN json_quote(${column}) WHEN 'blob' THEN CAST(${column} AS TEXT) ELSE ${column} END`;
  return (field) => (state.storedApart.includes(field) ? apart(`d.${apartColumn(field)}`) : IN_DOCUMENT(field));
}

function indexOf(state: Collection, spec: IndexSpec): Index {
  return { spec, table: quote(`i:${state.name}$${spec.name}`), paths: spec.fields.map(([field]) => splitPath(field)) };
}

type IndexKey = (string | number | Buffer)[];

/**
 * A document's keys in an index, distinct, MongoDB style: an array is keyed by each of its elements,
 * a missing field (or an empty array) by null; a compound index by every combination. Strings and
 * numbers are keys as they are (what lookups bind), null is -Infinity, other values typed blobs.
 */
function indexKeysOf(doc: Doc, index: Index): IndexKey[] {
  let keys: IndexKey[] = [[]];
  for (const path of index.paths) {
    const leaves: unknown[] = [];
    collectLeaves(doc, path, 0, leaves);
    // Most fields hold one value: the key grows in place.
    if (leaves.length <= 1 && keys.length === 1) keys[0].push(keyValue(leaves[0] ?? null));
    else keys = keys.flatMap((key) => (leaves.length === 0 ? [null] : leaves).map((value) => [...key, keyValue(value)]));
  }
  if (keys.length === 1) return keys;
  const distinct = new Map<string, IndexKey>();
  for (const key of keys) distinct.set(JSON.stringify(key.map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : value))), key);
  return [...distinct.values()];
}

function collectLeaves(value: unknown, path: readonly string[], depth: number, into: unknown[]): void {
  if (depth === path.length) into.push(...(Array.isArray(value) ? value : [value]));
  else if (isJsonObject(value)) collectLeaves(fieldOf(value, path[depth]), path, depth + 1, into);
  else if (!Array.isArray(value)) into.push(null);
  else if (/^(0|[1-9][0-9]*)$/.test(path[depth])) collectLeaves(value[Number(path[depth])], path, depth + 1, into);
  // MongoDB looks into the objects of an array, not into its scalars or nested arrays.
  else for (const element of value) if (isJsonObject(element)) collectLeaves(fieldOf(element, path[depth]), path, depth + 1, into);
}

function keyValue(value: unknown): string | number | Buffer {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (value === null || value === undefined) return Number.NEGATIVE_INFINITY;
  return Buffer.from(`${typeof value === 'boolean' ? '\u0008' : '\u0004'}${JSON.stringify(value)}`);
}

function fieldOf(object: Record<string, unknown>, field: string): unknown {
  // Own properties only: a path named "constructor" must not reach Object.prototype.
  return Object.hasOwn(object, field) ? object[field] : undefined;
}

function sameKeys(a: readonly IndexKey[], b: readonly IndexKey[]): boolean {
  return a.length === b.length && a.every((key, at) => key.length === b[at].length && key.every((value, i) => (Buffer.isBuffer(value) ? Buffer.isBuffer(b[at][i]) && value.equals(b[at][i] as Buffer) : value === b[at][i])));
}

/** A column stored apart: strings and numbers as they are, other JSON values as their text in a BLOB, NULL for a missing field. */
type Apart = string | number | Buffer | null;

/**
 * The body and the fields stored apart of a document: each of those leaves `null` in the body
 * where it stands, so the document reads back with its keys in the same order.
 */
function storedForm(doc: Doc, storedApart: readonly string[]): Apart[] {
  const apart = storedApart.map((field): Apart => {
    const value = Object.hasOwn(doc, field) ? doc[field] : undefined;
    if (value === undefined) return null;
    return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : Buffer.from(JSON.stringify(value));
  });
  if (apart.every((value) => value === null)) return [JSON.stringify(doc), ...apart];
  // A spread copies own fields as fields (a "__proto__" too), and JSON.stringify reads its copy ~1 µs faster than a null-prototype one's.
  const rest: Record<string, unknown> = { ...doc };
  for (const field of storedApart) if (Object.hasOwn(rest, field)) rest[field] = null;
  return [JSON.stringify(rest), ...apart];
}

/** `inserted`, then what `whole` reads. */
type StoredRow = [number, string, string, ...Apart[]];

/** A row of `SELECT _id, doc, <the fields stored apart, as `picked` reads them>`: the body keeps their places. */
function whole(state: Collection, [id, body, ...apart]: Apart[]): Doc {
  return Object.assign(JSON.parse(body as string) as Doc, picked(state.storedApart, [id, ...apart]));
}

/** A row of `SELECT _id, <each field as `columnsOf` reads it: its JSON text, or its string or number>`: MongoDB's inclusion projection. */
function picked(fields: readonly string[], [id, ...values]: Apart[]): Doc {
  const doc: Record<string, unknown> = { _id: id };
  fields.forEach((field, at) => {
    const [json, value] = [values[2 * at], values[2 * at + 1]];
    if (value !== null) doc[field] = value;
    else if (json !== null) doc[field] = JSON.parse(json as string);
  });
  return doc as Doc;
}

function apartColumn(field: string): string {
  return quote(`apart:${field}`);
}

/** An SQL identifier; names come from code, but a quote in one must not end it. */
function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
